"""Files in the documents bucket (S3)."""
from chalicelib.clients import client
from chalicelib.settings import settings


def put(key: str, data: bytes, content_type: str) -> None:
    client("s3").put_object(
        Bucket=settings().documents_bucket, Key=key, Body=data, ContentType=content_type,
        ServerSideEncryption="AES256",
    )


def get(key: str) -> bytes:
    return client("s3").get_object(Bucket=settings().documents_bucket, Key=key)["Body"].read()
