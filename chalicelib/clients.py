"""boto3 clients, created lazily once per process so importing app.py stays cheap.

Endpoints come from AWS_ENDPOINT_URL_<SERVICE>: the local stack sets them,
production does not.
"""
from functools import lru_cache

import boto3


@lru_cache(maxsize=None)
def client(service: str):
    return boto3.client(service)


def reset() -> None:
    """Forget clients (tests point the process at other endpoints)."""
    client.cache_clear()
