"""Creates the table from its one definition, infra/resources.yaml, for local runs and tests."""
from pathlib import Path
from typing import Any

import yaml

TEMPLATE = Path(__file__).resolve().parent.parent / "infra" / "resources.yaml"
RESOURCE = "OfferlineTable"


class _CloudFormationLoader(yaml.SafeLoader):
    """Reads !Ref, !Sub and friends as plain values: the table's properties use none of them."""


_CloudFormationLoader.add_multi_constructor("!", lambda loader, tag, node: None)


def template() -> dict[str, Any]:
    return yaml.load(TEMPLATE.read_text(), Loader=_CloudFormationLoader)


def table_properties() -> dict[str, Any]:
    return template()["Resources"][RESOURCE]["Properties"]


def create_table_request(table_name: str) -> dict[str, Any]:
    """The CreateTable call equivalent to the CloudFormation resource."""
    properties = table_properties()
    request = {
        "TableName": table_name,
        "BillingMode": properties["BillingMode"],
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "KeySchema": properties["KeySchema"],
    }
    if properties.get("GlobalSecondaryIndexes"):
        request["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
    if properties.get("StreamSpecification"):
        request["StreamSpecification"] = {"StreamEnabled": True, **properties["StreamSpecification"]}
    return request


def create_table(client: Any, table_name: str) -> bool:
    """Creates the table and its TTL if missing; True when it was created."""
    if table_name in client.list_tables()["TableNames"]:
        return False
    client.create_table(**create_table_request(table_name))
    client.get_waiter("table_exists").wait(TableName=table_name)
    ttl = table_properties().get("TimeToLiveSpecification")
    if ttl:
        client.update_time_to_live(TableName=table_name, TimeToLiveSpecification={
            "AttributeName": ttl["AttributeName"], "Enabled": ttl["Enabled"],
        })
    return True
