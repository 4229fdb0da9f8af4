"""Dealer API: the dealer's email templates (send, reminder, acknowledgements, seller notification)."""
from chalice import Blueprint

from chalicelib.api.auth import seller_auth
from chalicelib.api.http import current_staff, endpoint, parse
from chalicelib.domain.errors import NotFound
from chalicelib.domain.templates import EmailTemplate, RenderedEmail, TemplateChange, TemplateKind, TemplatePreview
from chalicelib.services import templates

templates_api = Blueprint(__name__)


def _kind(kind: str) -> TemplateKind:
    try:
        return TemplateKind(kind)
    except ValueError:
        raise NotFound("Modèle d'e-mail inconnu.") from None


@endpoint(templates_api, "/email-templates", summary="Every email template of the dealer (own or default)",
          response=list[EmailTemplate], authorizer=seller_auth)
def list_templates():
    staff = current_staff(templates_api)
    return templates.list_all(staff.dealer_id)


@endpoint(templates_api, "/email-templates/{kind}", summary="One email template (the dealer's, else the default)",
          response=EmailTemplate, authorizer=seller_auth)
def read_template(kind: str):
    staff = current_staff(templates_api)
    return templates.get(staff.dealer_id, _kind(kind))


@endpoint(templates_api, "/email-templates/{kind}", method="PUT",
          summary="Replace an email template (admins, managers); send and reminder keep {{ link }}",
          body=TemplateChange, response=EmailTemplate, authorizer=seller_auth)
def save_template(kind: str):
    staff = current_staff(templates_api)
    template_kind = _kind(kind)
    change = parse(TemplateChange, templates_api.current_request)
    return templates.save(staff.dealer_id, template_kind, change, by=staff)


@endpoint(templates_api, "/email-templates/{kind}", method="DELETE",
          summary="Go back to the default template (admins, managers)",
          response=EmailTemplate, authorizer=seller_auth)
def reset_template(kind: str):
    staff = current_staff(templates_api)
    return templates.reset(staff.dealer_id, _kind(kind), by=staff)


@endpoint(templates_api, "/email-templates/{kind}/preview", method="POST",
          summary="Render a template (or a draft of it) with sample data",
          body=TemplatePreview, response=RenderedEmail, authorizer=seller_auth)
def preview_template(kind: str):
    staff = current_staff(templates_api)
    template_kind = _kind(kind)
    draft = parse(TemplatePreview, templates_api.current_request)
    return templates.preview(staff.dealer_id, template_kind, draft)
