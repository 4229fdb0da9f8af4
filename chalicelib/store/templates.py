"""A dealer's own email templates (the shipped defaults are files, not items)."""
from chalicelib.domain.templates import EmailTemplate, TemplateKind
from chalicelib.store import keys
from chalicelib.store.table import Delete, Put, if_absent, if_version, table


def find(dealer_id: str, kind: TemplateKind) -> EmailTemplate | None:
    item = table.get(keys.email_template(dealer_id, kind.value))
    return EmailTemplate.model_validate(item) if item else None


def saved(dealer_id: str, template: EmailTemplate) -> Put:
    """Creates the dealer's version or replaces it if nobody changed it since it was read."""
    condition = if_absent() if template.version == 1 else if_version(template.version - 1)
    item = template.model_dump(mode="json", exclude_computed_fields=True)  # custom and variables follow from it
    return Put(keys.email_template(dealer_id, template.kind.value), item, condition)


def deleted(dealer_id: str, kind: TemplateKind) -> Delete:
    """Back to the default: deleting a template the dealer never changed is a no-op, not an error."""
    return Delete(keys.email_template(dealer_id, kind.value))
