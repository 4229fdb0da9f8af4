"""The local stand-ins for AWS: ports, the environment that points boto3 at them, moto server.

Every port comes from the environment so several stacks (or a test) can run side by side.
"""
import logging
import os
import socket
from dataclasses import dataclass
from pathlib import Path


from chalicelib.clients import client
from chalicelib.settings import settings
from local.table import create_table

ROOT = Path(__file__).resolve().parent.parent
REGION = "eu-west-3"


@dataclass(frozen=True)
class Port:
    number: int
    variable: str
    serves: str


@dataclass(frozen=True)
class Ports:
    api: Port
    dynamodb: Port
    moto: Port

    def all(self) -> list[Port]:
        return [self.api, self.dynamodb, self.moto]


def ports_from_env() -> Ports:
    return Ports(
        api=_port("PORT", 8000, "the API"),
        dynamodb=_port("OFFERLINE_DYNAMODB_PORT", 8001, "DynamoDB Local"),
        moto=_port("OFFERLINE_MOTO_PORT", 8002, "moto (SES, SNS, S3)"),
    )


def _port(variable: str, default: int, serves: str) -> Port:
    return Port(int(os.environ.get(variable) or default), variable, serves)


def data_dir() -> Path:
    """Where the stack keeps what survives a restart (`make reset` wipes the default one)."""
    return Path(os.environ.get("OFFERLINE_LOCAL_DATA") or ROOT / ".local" / "data")


def is_free(port: int) -> bool:
    with socket.socket() as probe:
        # As the servers bind: a port left in TIME_WAIT by a stopped stack is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def url(port: Port) -> str:
    return f"http://127.0.0.1:{port.number}"


def environment(ports: Ports) -> dict[str, str]:
    """What the app process needs to run offline against the local services."""
    moto = url(ports.moto)
    return {
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        # Any service without its own endpoint goes to moto too: nothing reaches AWS.
        "AWS_ENDPOINT_URL": moto,
        "AWS_ENDPOINT_URL_DYNAMODB": url(ports.dynamodb),
        "AWS_ENDPOINT_URL_SESV2": moto,
        "AWS_ENDPOINT_URL_SNS": moto,
        "AWS_ENDPOINT_URL_S3": moto,
        "OFFERLINE_STAGE": "dev",
        "OFFERLINE_PUBLIC_BASE_URL": f"http://localhost:{ports.api.number}",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }


def use_local_environment(ports: Ports) -> None:
    """Points this process at the local services, dropping any real AWS identity it inherited."""
    for inherited in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        os.environ.pop(inherited, None)
    os.environ.update(environment(ports))


def start_moto(port: Port):
    # Imported here: moto is slow to import and only the stack starts it.
    from moto.server import ThreadedMotoServer

    # One line per AWS call would bury the app's own output.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port.number, verbose=False)
    server.start()
    return server


def prepare_aws() -> None:
    """What the app expects to exist, as the deployed account has it: the table (from infra/), the verified
    sender, the documents bucket. What exists already is kept (tests share one moto server)."""
    config = settings()
    create_table(client("dynamodb"), config.table_name)
    ses, s3 = client("sesv2"), client("s3")
    try:
        ses.create_email_identity(EmailIdentity=config.sender_email)
    except ses.exceptions.AlreadyExistsException:
        pass
    try:
        s3.create_bucket(Bucket=config.documents_bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    except (s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
        pass
