"""Offerline: the Chalice app. Registers blueprints, middleware, schedules, the outbox stream and the SES
event rule; nothing else."""
from aws_lambda_powertools.logging import correlation_paths
from chalice import Chalice, ConvertToMiddleware, Response

from chalicelib.api import openapi
from chalicelib.api.auth import auth
from chalicelib.api.bell import bell_api
from chalicelib.api.customers import customers_api
from chalicelib.api.dashboard import dashboard_api
from chalicelib.api.dealer import dealer_api
from chalicelib.api.email_fates import email_fates_api
from chalicelib.api.front import front
from chalicelib.api.http import uniform_errors
from chalicelib.api.invoices import invoices_api
from chalicelib.api.leads import leads_api
from chalicelib.api.orders import orders_api
from chalicelib.api.parc import parc_api
from chalicelib.api.payments import payments_api
from chalicelib.api.portal import portal_api
from chalicelib.api import order_portal  # noqa: F401  (registers the order's pages on portal_api)
from chalicelib.api.tasks import tasks_api
from chalicelib.api.proposals import proposals_api
from chalicelib.api.in_person import in_person_api
from chalicelib.api.quotes import quotes_api
from chalicelib.api.record_work import record_work_api
from chalicelib.api.templates import templates_api
from chalicelib.api.vehicles import vehicles_api
from chalicelib.api.verification import verification_api
from chalicelib.jobs.delivery import delivery
from chalicelib.jobs.email_events import email_fates
from chalicelib.jobs.schedules import jobs
from chalicelib import tracing
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

app.register_blueprint(auth)
app.register_blueprint(dealer_api)
app.register_blueprint(leads_api)
app.register_blueprint(customers_api)
app.register_blueprint(quotes_api)
app.register_blueprint(proposals_api)
app.register_blueprint(in_person_api)
app.register_blueprint(orders_api)
app.register_blueprint(invoices_api)
app.register_blueprint(email_fates_api)
app.register_blueprint(tasks_api)
app.register_blueprint(record_work_api)
app.register_blueprint(parc_api)
app.register_blueprint(bell_api)
app.register_blueprint(dashboard_api)
app.register_blueprint(templates_api)
app.register_blueprint(vehicles_api)
app.register_blueprint(verification_api)
app.register_blueprint(portal_api)
app.register_blueprint(payments_api)
app.register_blueprint(jobs)
app.register_blueprint(delivery)
app.register_blueprint(email_fates)
app.register_blueprint(front)

if dev_routes_enabled():
    from chalicelib.api.dev import dev_api

    app.register_blueprint(dev_api)


@app.route("/openapi.json", methods=["GET"])
def openapi_document():
    return Response(body=openapi.build(app), headers={"Content-Type": "application/json"})
