"""X-Ray tracing through Powertools' Tracer, created on the first invocation rather than at import.

Creating a Tracer imports the X-Ray SDK and patches boto3 (about half of what `import app` cost):
made at module load, every cold start paid it before the first line of the handler. Made lazily,
the first invocation pays it once, inside its trace; later ones reuse it. Production keeps
tracing (the `prod` stage has `xray: true`); POWERTOOLS_TRACE_DISABLED turns it off as before.
"""
from functools import lru_cache
from typing import Any, Callable

SERVICE = "offerline"


@lru_cache(maxsize=1)
def tracer() -> Any:
    """The process's Tracer (its SDK patches the AWS clients already imported, and any made later)."""
    from aws_lambda_powertools import Tracer

    return Tracer(service=SERVICE)


def capture_lambda_handler(handler: Callable) -> Callable:
    """Tracer.capture_lambda_handler, for chalice.ConvertToMiddleware (which wraps on each invocation)."""
    return tracer().capture_lambda_handler(handler)
