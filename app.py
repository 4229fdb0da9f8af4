"""Offerline: the Chalice app. Registers the routes, middleware, schedules, the outbox stream and the SES
event rule; nothing else.

The routes come from the generated table `chalicelib/api/routes.py` (`make routes` after adding or changing
a route): each is registered with all its options, and its module is imported by the first request of one
of its routes (chalicelib/api/lazy.py), so that a cold start imports only what the request needs.
"""
from aws_lambda_powertools.logging import correlation_paths
from chalice import Chalice, ConvertToMiddleware, Response

from chalicelib import tracing
from chalicelib.api import lazy
from chalicelib.api.auth import auth
from chalicelib.api.middleware import error_pages, uniform_errors
from chalicelib.api.routes import DEV_ROUTES, ROUTES
from chalicelib.jobs.delivery import delivery
from chalicelib.jobs.email_events import email_fates
from chalicelib.jobs.schedules import jobs
from chalicelib.observability import logger, metrics
from chalicelib.settings import dev_routes_enabled

app = Chalice(app_name="offerline")
# Bodies API Gateway hands over base64-encoded, byte for byte: the PDF handed to POST /verify.
app.api.binary_types.append("application/pdf")

app.register_middleware(uniform_errors, "http")
app.register_middleware(ConvertToMiddleware(
    logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, log_event=False)
))
app.register_middleware(ConvertToMiddleware(tracing.capture_lambda_handler))
app.register_middleware(ConvertToMiddleware(metrics.log_metrics))
# The customer portal's errors are its own pages (chalicelib/api/portal.py), even before its module is imported.
error_pages("/p/", lazy.function(app, "chalicelib.api.portal", "error_page"))

app.register_blueprint(auth)
lazy.register(app, ROUTES)
app.register_blueprint(jobs)
app.register_blueprint(delivery)
app.register_blueprint(email_fates)

if dev_routes_enabled():
    lazy.register(app, DEV_ROUTES)


@app.route("/openapi.json", methods=["GET"])
def openapi_document():
    from chalicelib.api import openapi

    return Response(body=openapi.build(app), headers={"Content-Type": "application/json"})
