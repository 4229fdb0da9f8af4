"""The production template: what `chalice package --stage prod --merge-template infra/resources.yaml`
writes is valid CloudFormation, holds the table, the schedules and the API we expect, and its
role allows exactly the AWS calls the code makes, on the project's own resources.

Packaging runs once for this module (it builds the Lambda's dependencies: the first run on a
fresh clone downloads manylinux wheels from PyPI, later runs reuse Chalice's cache under
.chalice/deployments/). It needs no AWS account: the subprocess gets fake credentials.
"""
import ast
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import botocore.session
import pytest
import yaml
from botocore import xform_name

from chalicelib.documents import storage
from chalicelib.store import keys
from local import gateway
from local.table import table_properties

ROOT = Path(__file__).resolve().parents[2]
STAGE = "prod"
POLICY_FILE = ROOT / ".chalice" / f"policy-{STAGE}.json"

# Every test of this module shares one package: `make test` runs `-n 2 --dist loadfile`, which keeps
# a module on one xdist worker, so the project is packaged once.

# cfn-lint findings tolerated, by rule id, each with the reason. Errors are never tolerated.
ALLOWED_LINT_WARNINGS: dict[str, str] = {}

# The IAM actions a boto3 method needs. A method the code calls that is missing here
# fails test_every_aws_call_of_the_code_is_known: add it with the actions AWS documents.
BOTO3_TO_IAM: dict[str, dict[str, tuple[str, ...]]] = {
    "dynamodb": {
        "get_item": ("dynamodb:GetItem",),
        "batch_get_item": ("dynamodb:BatchGetItem",),
        "query": ("dynamodb:Query",),
        "scan": ("dynamodb:Scan",),
        "put_item": ("dynamodb:PutItem",),
        "update_item": ("dynamodb:UpdateItem",),
        "delete_item": ("dynamodb:DeleteItem",),
        "batch_write_item": ("dynamodb:BatchWriteItem",),
        "transact_get_items": ("dynamodb:GetItem",),
        "transact_write_items": (
            "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem",
        ),
    },
    # SES v2 SendEmail is authorized as ses:SendEmail for Simple/Template content and as
    # ses:SendRawEmail for Raw content (see _ses_content_actions).
    "sesv2": {"send_email": ("ses:SendEmail", "ses:SendRawEmail")},
    "sns": {"publish": ("sns:Publish",)},
    "s3": {
        "put_object": ("s3:PutObject",),
        "get_object": ("s3:GetObject",),
        # Without s3:ListBucket S3 answers 403, not 404, for a key with no object: storage.content_type_of
        # would fail where it should say "nothing uploaded yet".
        "head_object": ("s3:GetObject", "s3:ListBucket"),
        "delete_object": ("s3:DeleteObject",),
        # Also what a presigned POST with `tagging` needs (storage.upload_form(pending=True)).
        "put_object_tagging": ("s3:PutObjectTagging",),
    },
}
# What Lambda's event source mapping calls, with the function's role, to read the table's stream.
STREAM_READ_ACTIONS = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                       "dynamodb:ListStreams")
IAM_PREFIX = {"dynamodb": "dynamodb", "sesv2": "ses", "sns": "sns", "s3": "s3"}
DATA_PREFIXES = set(IAM_PREFIX.values())
# Client methods that name the operation they stand for in their first argument.
INDIRECT = {"generate_presigned_url": "ClientMethod", "get_paginator": "operation_name"}


# --- packaging ----------------------------------------------------------------------------

def _offline_env(tmp: Path) -> dict[str, str]:
    """This process's environment without AWS, project or Powertools settings, plus fake credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "OFFERLINE_", "POWERTOOLS_"))}
    env.update({
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-3",
        "AWS_CONFIG_FILE": str(tmp / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp / "no-aws-credentials"),
    })
    return env


def _run(args: list[str], env: dict[str, str], timeout: int) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args[:4]}… failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    """The directory `chalice package` wrote: deployment.zip and the SAM template."""
    out = tmp_path_factory.mktemp("package") / "out"
    chalice = [sys.executable, "-c", "import sys; from chalice.cli import main; sys.exit(main())"]
    done = _run([*chalice, "package", "--stage", STAGE, "--merge-template", "infra/resources.yaml", str(out)],
                _offline_env(out.parent), timeout=1800)
    # Chalice carries on without a dependency it found no Lambda (manylinux) wheel for.
    assert "Could not install dependencies" not in done.stdout + done.stderr, done.stdout + done.stderr
    return out


@pytest.fixture(scope="module")
def template_path(package) -> Path:
    # A YAML merge template makes Chalice write sam.yaml (sam.json otherwise).
    [path] = [p for p in package.iterdir() if p.name in ("sam.yaml", "sam.json")]
    return path


@pytest.fixture(scope="module")
def template(template_path) -> dict[str, Any]:
    # Chalice writes intrinsic functions in their long form ({"Ref": ...}): plain YAML.
    return yaml.safe_load(template_path.read_text(encoding="utf-8"))


# Run in a clean process: loading the prod stage's app changes the environment and imports app.py.
DESCRIBE_APP = """
import json
from local.openapi import deployed_app

app = deployed_app(%r)
operations = [(path, entry) for path, methods in app.routes.items() for entry in methods.values()]
print(json.dumps({
    "routes": {path: sorted(methods) for path, methods in app.routes.items()},
    "dev_tagged": sorted(path for path, entry in operations
                         if getattr(getattr(entry.view_function, "operation", None), "tag", "") == "dev"),
    "schedules": [
        {"name": s.name, "handler": s.handler_string,
         "expression": getattr(s.schedule_expression, "to_string", lambda: s.schedule_expression)()}
        for s in app.event_sources if hasattr(s, "schedule_expression")
    ],
}))
""" % STAGE


@pytest.fixture(scope="module")
def deployed_app(tmp_path_factory) -> dict[str, Any]:
    """Routes and schedules of the app object as `chalice package --stage prod` loads it."""
    done = _run([sys.executable, "-c", DESCRIBE_APP], _offline_env(tmp_path_factory.mktemp("app")), timeout=120)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _resources(template: dict, kind: str) -> dict[str, dict]:
    return {name: r for name, r in template["Resources"].items() if r.get("Type") == kind}


def _one(template: dict, kind: str) -> dict:
    [resource] = _resources(template, kind).values()
    return resource["Properties"]


def _functions(template: dict) -> dict[str, dict]:
    return {name: r["Properties"] for name, r in _resources(template, "AWS::Serverless::Function").items()}


# --- lint ---------------------------------------------------------------------------------

def test_the_template_passes_cfn_lint(template_path):
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())",
         "--format", "json", "--regions", "eu-west-3", "--", str(template_path)],
        capture_output=True, text=True, timeout=600,
    )
    assert done.stdout.strip().startswith("["), f"cfn-lint did not run:\n{done.stdout}\n{done.stderr}"
    findings = json.loads(done.stdout)
    errors = [f for f in findings if f["Level"] == "Error"]
    unexplained = [f for f in findings if f["Level"] != "Error" and f["Rule"]["Id"] not in ALLOWED_LINT_WARNINGS]
    assert errors == [] and unexplained == [], json.dumps(errors + unexplained, indent=1)


# --- the table ----------------------------------------------------------------------------

def test_the_table_is_keyed_by_pk_and_sk_and_billed_per_request(template):
    table = _one(template, "AWS::DynamoDB::Table")
    assert table["KeySchema"] == [
        {"AttributeName": keys.PK, "KeyType": "HASH"},
        {"AttributeName": keys.SK, "KeyType": "RANGE"},
    ]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    types = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
    index_keys = {k["AttributeName"] for i in table["GlobalSecondaryIndexes"] for k in i["KeySchema"]}
    # Every defined attribute is a key of the table or of an index, and every one is a string.
    assert set(types) == {keys.PK, keys.SK} | index_keys
    assert set(types.values()) == {"S"}


def test_due_work_has_a_sparse_index_on_due_pk_and_due_at(template):
    table = _one(template, "AWS::DynamoDB::Table")
    [due] = [i for i in table["GlobalSecondaryIndexes"] if i["IndexName"] == keys.DUE_INDEX]
    assert due["KeySchema"] == [
        {"AttributeName": keys.DUE_PK, "KeyType": "HASH"},
        {"AttributeName": keys.DUE_AT, "KeyType": "RANGE"},
    ]
    # Sparse: its keys are ordinary attributes, so items without them stay out of the index.
    assert {keys.DUE_PK, keys.DUE_AT}.isdisjoint(k["AttributeName"] for k in table["KeySchema"])
    assert due["Projection"] == {"ProjectionType": "ALL"}


def test_items_with_a_ttl_attribute_are_cleaned_up(template):
    table = _one(template, "AWS::DynamoDB::Table")
    assert table["TimeToLiveSpecification"] == {"AttributeName": keys.TTL, "Enabled": True}


def test_uploads_never_confirmed_are_deleted_after_a_day(template):
    """storage.upload_form(pending=True) tags an order's upload; storage.confirmed drops the tag."""
    [rule] = _one(template, "AWS::S3::Bucket")["LifecycleConfiguration"]["Rules"]
    key, value = storage.PENDING_TAG
    assert rule["Status"] == "Enabled" and rule["TagFilters"] == [{"Key": key, "Value": value}]
    assert "Prefix" not in rule  # the tag alone: confirmed documents share the uploads' prefix
    assert rule["ExpirationInDays"] == 1
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}  # the bucket keeps versions


def test_the_deployed_table_is_the_one_local_runs_and_tests_create(template):
    assert _one(template, "AWS::DynamoDB::Table") == table_properties()


# --- the outbox's stream ---------------------------------------------------------------------

def test_the_outbox_is_sent_from_the_tables_stream_of_keys_only(template):
    table_id, table = next(iter(_resources(template, "AWS::DynamoDB::Table").items()))
    # Keys only: no message body (an access link, a signing code) is copied into the stream.
    assert table["Properties"]["StreamSpecification"] == {"StreamViewType": "KEYS_ONLY"}
    [(name, event)] = _stream_functions(template).items()
    assert _functions(template)[name]["Handler"] == "chalicelib.jobs.delivery.deliver_outbox"
    # The ARN Chalice was given is a placeholder: the merged template points at the real stream.
    assert event["Stream"] == {"Fn::GetAtt": [table_id, "StreamArn"]}
    assert event["StartingPosition"] == "TRIM_HORIZON"


def test_a_failing_batch_cannot_hold_the_stream_back(template):
    # Its messages stay due for retry-outbox, so giving the batch up loses nothing.
    [event] = _stream_functions(template).values()
    assert event["MaximumRetryAttempts"] <= 3 and event["MaximumRecordAgeInSeconds"] <= 600
    assert event["BisectBatchOnFunctionError"] is True


def test_lambda_passes_the_delivery_only_new_outbox_items(template):
    [event] = _stream_functions(template).values()
    [only] = event["FilterCriteria"]["Filters"]
    assert json.loads(only["Pattern"]) == {
        "eventName": ["INSERT"], "dynamodb": {"Keys": {keys.SK: {"S": [{"prefix": keys.OUTBOX_PREFIX}]}}},
    }


# --- email fates (issue 17) ---------------------------------------------------------------------

def test_every_send_names_the_configuration_set_that_publishes_fates_to_eventbridge(template):
    [(set_id, configuration_set)] = _resources(template, "AWS::SES::ConfigurationSet").items()
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["OFFERLINE_SES_CONFIGURATION_SET"] == {"Ref": set_id}
    assert configuration_set["Properties"]["SuppressionOptions"] == {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]}
    destination = _one(template, "AWS::SES::ConfigurationSetEventDestination")
    assert destination["ConfigurationSetName"] == {"Ref": set_id}
    event_destination = destination["EventDestination"]
    assert event_destination["Enabled"] is True
    assert sorted(event_destination["MatchingEventTypes"]) == \
        ["BOUNCE", "COMPLAINT", "DELIVERY", "DELIVERY_DELAY", "REJECT"]
    assert event_destination["EventBridgeDestination"]["EventBusArn"] == {
        "Fn::Sub": "arn:aws:events:${AWS::Region}:${AWS::AccountId}:event-bus/default"}


def test_the_ses_event_rule_invokes_the_email_events_function(template):
    from chalicelib.jobs.email_events import SES_DETAIL_TYPES

    # Chalice writes the rule as the function's SAM event (Type CloudWatchEvent); SAM makes the rule.
    [(handler, pattern)] = [
        (function["Handler"], event["Properties"]["Pattern"])
        for function in _functions(template).values()
        for event in (function.get("Events") or {}).values()
        if event["Type"] == "CloudWatchEvent" and event["Properties"]["Pattern"].get("source") == ["aws.ses"]
    ]
    assert handler == "chalicelib.jobs.email_events.record_email_event"
    assert pattern["detail-type"] == SES_DETAIL_TYPES


def test_the_sender_domain_is_an_identity_signed_with_easy_dkim(template):
    sender_domain = _stage_environment()["OFFERLINE_SENDER_EMAIL"].split("@")[1]
    identity = _one(template, "AWS::SES::EmailIdentity")
    assert identity["EmailIdentity"] == sender_domain
    assert identity["DkimAttributes"] == {"SigningEnabled": True}
    assert identity["DkimSigningAttributes"] == {"NextSigningKeyLength": "RSA_2048_BIT"}
    assert identity["MailFromAttributes"]["MailFromDomain"].endswith("." + sender_domain)
    outputs = template["Outputs"]
    assert {f"DkimRecord{n}" for n in (1, 2, 3)} <= set(outputs)


# --- schedules ----------------------------------------------------------------------------

def _template_schedules(template: dict) -> set[tuple[str, str]]:
    """(handler, schedule expression) of every scheduled function: SAM events or EventBridge rules."""
    functions = _functions(template)
    found = {
        (f["Handler"], event["Properties"]["Schedule"])
        for f in functions.values()
        for event in (f.get("Events") or {}).values()
        if event["Type"] == "Schedule"
    }
    for rule in _resources(template, "AWS::Events::Rule").values():
        expression = rule["Properties"].get("ScheduleExpression")
        for target in rule["Properties"].get("Targets", []) if expression else []:
            name = target["Arn"]["Fn::GetAtt"][0]
            found.add((functions[name]["Handler"], expression))
    return found


def test_every_schedule_of_the_app_is_in_the_template(template, deployed_app):
    from_app = {(s["handler"], s["expression"]) for s in deployed_app["schedules"]}
    assert _template_schedules(template) == from_app


def test_the_app_has_scheduled_work(deployed_app):
    # The outbox retry (and the due-work sweeps) run on schedules; an empty list means the
    # comparison above checks nothing.
    assert deployed_app["schedules"], "app.py registers no schedule"


def test_schedule_names_are_unique(deployed_app):
    # Chalice names each function, its role and its rule after the schedule's name.
    names = [s["name"] for s in deployed_app["schedules"]]
    assert len(names) == len(set(names))


# --- the API ------------------------------------------------------------------------------

def _paths(template: dict) -> dict[str, list[str]]:
    api = _one(template, "AWS::Serverless::Api")
    return {path: sorted(m.upper() for m in ops) for path, ops in api["DefinitionBody"]["paths"].items()}


def test_the_prod_api_has_exactly_the_routes_of_the_prod_app(template, deployed_app):
    assert _paths(template) == deployed_app["routes"]


def test_the_prod_api_has_no_dev_routes(template, deployed_app):
    assert [p for p in _paths(template) if p.startswith("/dev/")] == []
    assert deployed_app["dev_tagged"] == []


def _gateway_responses(template: dict) -> dict[str, dict]:
    return {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in _resources(template, "AWS::ApiGateway::GatewayResponse").values()
    }


@pytest.mark.parametrize("response_type, status, code, message", [
    ("MISSING_AUTHENTICATION_TOKEN", "404", "not_found", "Route inconnue."),
    ("UNAUTHORIZED", "401", "not_authenticated", "Jeton invalide ou expiré."),
])
def test_api_gateway_answers_unknown_routes_and_refused_tokens_in_the_error_shape(
    template, response_type, status, code, message,
):
    response = _gateway_responses(template)[response_type]
    assert response["StatusCode"] == status
    assert response["RestApiId"] == {"Ref": "RestAPI"}
    body = json.loads(response["ResponseTemplates"]["application/json"])
    # The local gateway (local/gateway.py) answers the same, so tests see what production sends.
    assert body == json.loads(gateway._body(code, message))


def test_every_function_and_the_api_are_traced_with_xray(template):
    functions = _functions(template)
    assert functions and {f["Tracing"] for f in functions.values()} == {"Active"}
    assert _one(template, "AWS::Serverless::Api")["TracingEnabled"] is True


def test_the_api_compresses_bodies_of_a_kilobyte_or_more(template):
    # local/server.py compresses from the same setting (.chalice/config.json minimum_compression_size).
    assert _one(template, "AWS::Serverless::Api")["MinimumCompressionSize"] == 1024


def test_every_function_reads_the_resource_names_from_the_globals(template):
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    table_id = next(iter(_resources(template, "AWS::DynamoDB::Table")))
    bucket_id = next(iter(_resources(template, "AWS::S3::Bucket")))
    assert variables["OFFERLINE_TABLE_NAME"] == {"Ref": table_id}
    assert variables["OFFERLINE_DOCUMENTS_BUCKET"] == {"Ref": bucket_id}
    for name, function in _functions(template).items():
        own = function.get("Environment", {}).get("Variables", {})
        assert own.get("OFFERLINE_STAGE") == STAGE, name
        assert not {"OFFERLINE_TABLE_NAME", "OFFERLINE_DOCUMENTS_BUCKET"} & set(own), (
            f"{name} overrides the Globals: remove the name from .chalice/config.json"
        )


# --- IAM: the calls the code makes ----------------------------------------------------------

@dataclass(frozen=True)
class AwsCall:
    service: str
    method: str
    actions: tuple[str, ...]
    where: str
    keywords: frozenset[str] = frozenset()


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _first_string(call: ast.Call, keyword: str) -> str | None:
    values = [*call.args[:1], *(k.value for k in call.keywords if k.arg == keyword)]
    return next((v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)), None)


def _ses_content_actions(call: ast.Call | None) -> tuple[str, ...]:
    """SES v2 checks ses:SendRawEmail for Raw content and ses:SendEmail for the others."""
    content = next((k.value for k in call.keywords if k.arg == "Content"), None) if call else None
    if not isinstance(content, ast.Dict) or not all(isinstance(k, ast.Constant) for k in content.keys):
        return BOTO3_TO_IAM["sesv2"]["send_email"]
    kinds = {k.value for k in content.keys}
    return tuple(sorted({"ses:SendRawEmail" if kind == "Raw" else "ses:SendEmail" for kind in kinds}))


def _operations(service: str) -> set[str]:
    model = botocore.session.get_session().get_service_model(service)
    return {xform_name(name) for name in model.operation_names}


def scan_aws_calls(package_dir: Path = ROOT / "chalicelib") -> tuple[list[AwsCall], list[str]]:
    """Every boto3 client method named in a module that creates that service's client.

    A module that calls `client("sns")` (or `boto3.client`, `resource`) and names `.publish`
    calls SNS Publish; a method referenced without a call (`self._client.put_item` in a dict)
    counts too. Returns the calls and the problems (methods missing from BOTO3_TO_IAM, services
    this test does not know).
    """
    calls: list[AwsCall] = []
    problems: list[str] = []
    for path in sorted(package_dir.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        services = {
            node.args[0].value
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and _called_name(node.func) in ("client", "resource")
            and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
        }
        if not services:
            continue
        relative = path.relative_to(ROOT)
        for service in sorted(services - set(BOTO3_TO_IAM)):
            problems.append(f"{relative}: client({service!r}) is not covered by BOTO3_TO_IAM")
        call_of = {id(n.func): n for n in ast.walk(tree) if isinstance(n, ast.Call)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            call = call_of.get(id(node))
            where = f"{relative}:{node.lineno}"
            for service in sorted(services & set(BOTO3_TO_IAM)):
                method = node.attr
                if method in INDIRECT:
                    method = _first_string(call, INDIRECT[method]) if call else None
                    if method is None:
                        problems.append(f"{where}: {node.attr} without a literal operation name")
                        continue
                elif method not in _operations(service):
                    continue
                if method not in BOTO3_TO_IAM[service]:
                    problems.append(f"{where}: {service}.{method} is missing from BOTO3_TO_IAM")
                    continue
                actions = _ses_content_actions(call) if (service, method) == ("sesv2", "send_email") \
                    else BOTO3_TO_IAM[service][method]
                keywords = frozenset(k.arg for k in call.keywords if k.arg) if call else frozenset()
                calls.append(AwsCall(service, method, actions, where, keywords))
    return calls, problems


@pytest.fixture(scope="module")
def aws_calls() -> list[AwsCall]:
    calls, _ = scan_aws_calls()
    return calls


def _stream_functions(template: dict) -> dict[str, dict]:
    """Functions fed by a DynamoDB stream, with their event's properties."""
    return {name: event["Properties"] for name, function in _functions(template).items()
            for event in (function.get("Events") or {}).values() if event["Type"] == "DynamoDB"}


@pytest.fixture(scope="module")
def called_actions(aws_calls, template) -> dict[str, list[str]]:
    """Every IAM action the deployed code needs: its own boto3 calls, and the stream reads Lambda makes
    for a function fed by the table's stream."""
    called: dict[str, list[str]] = {}
    for call in aws_calls:
        for action in call.actions:
            called.setdefault(action, []).append(f"{call.where} {call.service}.{call.method}")
    for name in _stream_functions(template):
        for action in STREAM_READ_ACTIONS:
            called.setdefault(action, []).append(f"{name}: its stream event source")
    return called


def test_every_aws_call_of_the_code_is_known():
    calls, problems = scan_aws_calls()
    assert problems == []
    # The scanner sees through the table's wrapper: a scan that finds nothing is broken.
    assert {"get_item", "query", "transact_write_items"} <= {c.method for c in calls if c.service == "dynamodb"}


# --- IAM: what the template allows ----------------------------------------------------------

def _list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


@pytest.fixture(scope="module")
def policy() -> dict:
    return json.loads(POLICY_FILE.read_text())


@pytest.fixture(scope="module")
def statements(template, policy) -> list[dict]:
    """The Allow statements of every function's role (each one is the policy file)."""
    found = []
    for role in _resources(template, "AWS::IAM::Role").values():
        for inline in role["Properties"].get("Policies", []):
            found.extend(s for s in inline["PolicyDocument"]["Statement"] if s["Effect"] == "Allow")
    assert found, "no role in the template"
    return found


def _data_actions(statement: dict) -> list[str]:
    return [a for a in _list(statement.get("Action", [])) if a.split(":")[0] in DATA_PREFIXES]


def test_every_function_role_is_the_policy_file_and_nothing_else(template, policy):
    roles = _resources(template, "AWS::IAM::Role")
    for name, function in _functions(template).items():
        assert "Policies" not in function, f"{name}: permissions belong in {POLICY_FILE.name}"
        role = roles[function["Role"]["Fn::GetAtt"][0]]["Properties"]
        assert [p["PolicyDocument"] for p in role["Policies"]] == [policy], name
        assert "ManagedPolicyArns" not in role, name
    for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        assert _resources(template, kind) == {}


def test_statements_name_actions_and_resources_explicitly(policy):
    for statement in policy["Statement"]:
        assert not {"NotAction", "NotResource", "NotPrincipal"} & set(statement), statement.get("Sid")
        for action in _data_actions(statement):
            assert "*" not in action and "?" not in action, f"wildcard action {action}"


def test_the_role_allows_every_aws_call_the_code_makes(statements, called_actions):
    allowed = {a for s in statements for a in _data_actions(s)}
    missing = {action: where for action, where in called_actions.items() if action not in allowed}
    assert missing == {}, f"add to {POLICY_FILE.name}: {json.dumps(missing, indent=1)}"


def test_the_role_allows_no_data_action_the_code_does_not_call(statements, called_actions):
    allowed = {a for s in statements for a in _data_actions(s)}
    assert sorted(allowed - set(called_actions)) == [], f"remove from {POLICY_FILE.name}"


def test_data_permissions_are_on_the_projects_own_resources(template, statements, aws_calls):
    table = _one(template, "AWS::DynamoDB::Table")
    table_arn = rf"arn:aws:dynamodb:[a-z0-9-*]+:(\d{{12}}|\*):table/{re.escape(table['TableName'])}"
    index_names = "|".join(re.escape(i["IndexName"]) for i in table.get("GlobalSecondaryIndexes", []))
    bucket = _one(template, "AWS::S3::Bucket")["BucketName"]
    assert isinstance(bucket, str), "the policy file can only name a bucket with a fixed name"
    sender = _stage_environment()["OFFERLINE_SENDER_EMAIL"]
    identities = "|".join(re.escape(i) for i in (sender, sender.split("@")[1]))
    configuration_set = re.escape(_one(template, "AWS::SES::ConfigurationSet")["Name"])
    own = {
        "dynamodb": re.compile(rf"{table_arn}(/index/({index_names})|/stream/\*)?"),
        "s3": re.compile(rf"arn:aws:s3:::{re.escape(bucket)}(/\*)?"),
        "ses": re.compile(rf"arn:aws:ses:[a-z0-9-*]+:(\d{{12}}|\*):"
                          rf"(identity/({identities})|configuration-set/{configuration_set})"),
    }
    for statement in statements:
        prefixes = {a.split(":")[0] for a in _data_actions(statement)}
        resources = _list(statement["Resource"])
        if prefixes == {"sns"}:
            # The one justified "*": SMS go to phone numbers, which have no ARN, so SNS can
            # only authorize Publish to a phone number on "*". Allowed only while every
            # Publish in the code goes to a PhoneNumber (a topic would have its own ARN).
            assert _list(statement["Action"]) == ["sns:Publish"] and resources == ["*"], statement
            publishes = [c for c in aws_calls if (c.service, c.method) == ("sns", "publish")]
            assert publishes and all(
                "PhoneNumber" in c.keywords and not {"TopicArn", "TargetArn"} & c.keywords for c in publishes
            ), [c.where for c in publishes]
            continue
        assert len(prefixes) <= 1, f"one service per statement: {statement.get('Sid')}"
        for prefix in prefixes:
            for resource in resources:
                assert own[prefix].fullmatch(resource), f"{statement.get('Sid')}: {resource} is not the project's"
        if set(_data_actions(statement)) == set(STREAM_READ_ACTIONS):
            assert resources == [resources[0]] and resources[0].endswith("/stream/*"), statement.get("Sid")
        elif prefixes == {"dynamodb"}:
            assert any(re.fullmatch(table_arn, r) for r in resources), "the table itself must be allowed"
            # A Query on an index the role cannot read fails only in AWS: every index is allowed.
            allowed_indexes = {r.rsplit("/index/", 1)[1] for r in resources if "/index/" in r}
            assert allowed_indexes == {i["IndexName"] for i in table["GlobalSecondaryIndexes"]}


def test_bucket_actions_are_on_the_bucket_and_object_actions_on_its_objects(template, statements):
    """An S3 action on the wrong kind of ARN is accepted by IAM and allows nothing."""
    bucket = f"arn:aws:s3:::{_one(template, 'AWS::S3::Bucket')['BucketName']}"
    for statement in statements:
        actions = [a for a in _data_actions(statement) if a.startswith("s3:")]
        if actions:
            expected = bucket if actions == ["s3:ListBucket"] else f"{bucket}/*"
            assert _list(statement["Resource"]) == [expected], statement.get("Sid")


def _stage_environment() -> dict[str, str]:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    return {**config.get("environment_variables", {}), **config["stages"][STAGE].get("environment_variables", {})}


def test_the_dev_policy_is_the_prod_policy_with_dev_names(policy):
    # The dev stage runs locally (moto and DynamoDB Local ignore IAM) and is never deployed;
    # its policy file is kept identical so a `chalice deploy --stage dev` would be as tight.
    dev = json.loads((ROOT / ".chalice" / "policy-dev.json").read_text())
    assert dev == json.loads(json.dumps(policy).replace("offerline-prod", "offerline-dev"))
