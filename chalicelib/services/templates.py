"""Use cases on a dealer's email templates: read (own or default), edit, reset, preview, render."""
from typing import Any

from chalicelib.domain import clock
from chalicelib.domain import templates as rules
from chalicelib.domain.dealers import Staff
from chalicelib.domain.templates import EmailTemplate, RenderedEmail, TemplateChange, TemplateKind, TemplatePreview
from chalicelib.store import templates as store
from chalicelib.store.unit_of_work import commit


def get(dealer_id: str, kind: TemplateKind) -> EmailTemplate:
    """The dealer's own template, or the shipped default."""
    return store.find(dealer_id, kind) or rules.default(kind)


def list_all(dealer_id: str) -> list[EmailTemplate]:
    return [get(dealer_id, kind) for kind in TemplateKind]


def save(dealer_id: str, kind: TemplateKind, change: TemplateChange, by: Staff) -> EmailTemplate:
    rules.require_editor(by.role)
    template = rules.edited(kind, change, get(dealer_id, kind), by.user_id, clock.now())
    commit(store.saved(dealer_id, template))
    return template


def reset(dealer_id: str, kind: TemplateKind, by: Staff) -> EmailTemplate:
    """Back to the shipped default."""
    rules.require_editor(by.role)
    commit(store.deleted(dealer_id, kind))
    return rules.default(kind)


def preview(dealer_id: str, kind: TemplateKind, draft: TemplatePreview) -> RenderedEmail:
    return rules.preview(get(dealer_id, kind), draft)


def render(dealer_id: str, kind: TemplateKind, variables: dict[str, Any]) -> RenderedEmail:
    return rules.render(get(dealer_id, kind), variables)
