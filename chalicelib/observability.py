"""Powertools Logger, Metrics and Tracer, created once per process."""
from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "offerline"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="Offerline", service=SERVICE)
tracer = Tracer(service=SERVICE)
