"""Powertools Logger and Metrics, created once per process (the Tracer, lazily: chalicelib/tracing.py)."""
from aws_lambda_powertools import Logger, Metrics

SERVICE = "offerline"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="Offerline", service=SERVICE)
