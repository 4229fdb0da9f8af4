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


def download_url(key: str, filename: str, expires_in: int) -> str:
    """A GET URL that downloads the object under `filename` (ASCII names here)."""
    return client("s3").generate_presigned_url(
        "get_object",
        Params={"Bucket": settings().documents_bucket, "Key": key,
                "ResponseContentDisposition": f'attachment; filename="{filename}"'},
        ExpiresIn=expires_in,
    )
