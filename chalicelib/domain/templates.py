"""Email templates per dealer: kinds, the variables each may use, the checks an edit passes.

Templates are Jinja2, rendered in a sandbox (a dealer's template cannot reach Python
objects), HTML with autoescape. An edit is refused when its syntax is wrong, when it
names a variable its kind does not offer, when a trial render fails, or when a send
or reminder template loses the document link `{{ link }}` (SPEC D.7).
"""
import re
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field, computed_field

from chalicelib.domain.dealers import Role
from chalicelib.domain.errors import Forbidden, InvalidInput
from chalicelib.domain.model import Command, Entity

if TYPE_CHECKING:
    from jinja2 import nodes
    from jinja2.sandbox import SandboxedEnvironment
    from markupsafe import Markup

DEFAULTS_DIR = Path(__file__).resolve().parent.parent / "templates" / "emails"
PARTS = ("subject", "text", "html")
_EXTENSIONS = {"subject": "subject.j2", "text": "txt.j2", "html": "html.j2"}


class TemplateKind(StrEnum):
    SEND = "send"
    REMINDER = "reminder"
    QUESTION_ACK = "question_ack"
    SIGNATURE_ACK = "signature_ack"
    SELLER_NOTIFICATION = "seller_notification"


LINK_REQUIRED = (TemplateKind.SEND, TemplateKind.REMINDER)

COMMON = {
    "dealer_name": "Garage des Tilleuls",
    "seller_name": "Victor Vendeur",
    "seller_phone": "+33 6 11 22 33 44",
    "seller_email": "victor@garage-des-tilleuls.fr",
    "customer_name": "Madame Durand",
    "customer_first_name": "Marie",
    "customer_last_name": "Durand",
    "reference": "P2026-00012",
    "total": "18\u00a0990,00\u00a0€",
    "valid_until": "24/12/2026",
    "deposit": "500,00\u00a0€",
}
SAMPLES: dict[TemplateKind, dict[str, Any]] = {
    TemplateKind.SEND: COMMON | {
        "link": "https://app.offerline.fr/p/exemple-de-lien", "link_validity_hours": 24, "e_signature": True,
        "note": "Comme convenu, la reprise de votre véhicule est incluse.",
    },
    TemplateKind.REMINDER: COMMON | {
        "link": "https://app.offerline.fr/p/exemple-de-lien", "link_validity_hours": 24, "e_signature": True,
        "note": "",
    },
    TemplateKind.QUESTION_ACK: COMMON | {"question": "Le véhicule peut-il être livré un samedi ?"},
    TemplateKind.SIGNATURE_ACK: COMMON | {
        "signed_at": "24/11/2026 à 10:05",
        "withdrawal": "Véhicule : 14 jours à compter de la remise (ou de la livraison) du véhicule.",
        "terms": "Véhicule : Conditions générales de vente VO (version 3)",
    },
    TemplateKind.SELLER_NOTIFICATION: COMMON | {
        "event": "consulté", "event_at": "24/11/2026 à 10:05",
        "proposal_url": "https://app.offerline.fr/app/#/proposals/EXEMPLE",
        "question": "",
        "options": "",
    },
}
VARIABLES: dict[TemplateKind, frozenset[str]] = {kind: frozenset(sample) for kind, sample in SAMPLES.items()}
LIMITS = {"subject": 200, "text": 20_000, "html": 50_000}


class EmailTemplate(Entity):
    kind: TemplateKind
    subject: str
    text: str
    html: str
    updated_at: datetime | None = None
    updated_by: str | None = None
    version: int = Field(default=0, description="0 for the shipped default, from 1 for the dealer's own")

    @computed_field(description="the dealer's own version (false: the shipped default)")
    @property
    def custom(self) -> bool:
        return self.version > 0

    @computed_field(description="what the template may use")
    @property
    def variables(self) -> list[str]:
        return sorted(VARIABLES[self.kind])


class RenderedEmail(Entity):
    subject: str
    text: str
    html: str


class TemplateChange(Command):
    subject: str = Field(min_length=1, max_length=LIMITS["subject"])
    text: str = Field(min_length=1, max_length=LIMITS["text"])
    html: str = Field(min_length=1, max_length=LIMITS["html"])


class TemplatePreview(Command):
    """Renders the given draft (parts not given: the dealer's current template) with sample data."""
    subject: str | None = Field(default=None, min_length=1, max_length=LIMITS["subject"])
    text: str | None = Field(default=None, min_length=1, max_length=LIMITS["text"])
    html: str | None = Field(default=None, min_length=1, max_length=LIMITS["html"])


# --- the sandbox --------------------------------------------------------------------
# Jinja2 is imported by the first template checked or rendered, not by `import app` (docs/performance.md).

def _nl2br(value: Any) -> "Markup":
    from markupsafe import Markup, escape

    return Markup("<br>\n").join(escape(line) for line in str(value or "").splitlines())


@lru_cache(maxsize=2)
def _environment(html: bool) -> "SandboxedEnvironment":
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(autoescape=html, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["nl2br"] = _nl2br
    return env


def _env(part: str) -> "SandboxedEnvironment":
    return _environment(html=part == "html")


@lru_cache(maxsize=None)
def default(kind: TemplateKind) -> EmailTemplate:
    parts = {part: (DEFAULTS_DIR / f"{kind.value}.{_EXTENSIONS[part]}").read_text(encoding="utf-8") for part in PARTS}
    return EmailTemplate(kind=kind, **parts)


def _has_link(ast: "nodes.Template") -> bool:
    """`{{ link }}` printed at the top level of the template (not inside a condition or loop)."""
    from jinja2 import nodes

    for node in ast.body:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                printed: nodes.Expr | None = child
                while isinstance(printed, nodes.Filter):
                    printed = printed.node
                if isinstance(printed, nodes.Name) and printed.name == "link":
                    return True
    return False


def check(kind: TemplateKind, parts: dict[str, str]) -> None:
    """Raises InvalidInput naming the part (subject, text, html) that cannot be used."""
    from jinja2 import TemplateError, TemplateSyntaxError, meta

    allowed = VARIABLES[kind]
    for part, source in parts.items():
        try:
            ast = _env(part).parse(source)
        except TemplateSyntaxError as error:
            raise InvalidInput(
                f"Le modèle contient une erreur de syntaxe ({part}, ligne {error.lineno}) : {error.message}",
                {part: f"syntax error line {error.lineno}"},
            ) from None
        unknown = sorted(meta.find_undeclared_variables(ast) - allowed)
        if unknown:
            raise InvalidInput(
                f"Variable inconnue dans le modèle ({part}) : {', '.join(unknown)}. "
                f"Variables possibles : {', '.join(sorted(allowed))}.",
                {part: f"unknown variable {unknown[0]}"},
            )
        if kind in LINK_REQUIRED and part in ("text", "html") and not _has_link(ast):
            raise InvalidInput(
                "Le lien vers le document {{ link }} doit rester dans le modèle (hors de toute condition) : "
                "sans lui, le client ne peut pas ouvrir sa proposition.",
                {part: "the document link {{ link }} is missing"},
            )
    try:
        render_parts(parts, SAMPLES[kind])
    except (TemplateError, TypeError, ValueError) as error:
        raise InvalidInput(f"Le modèle ne peut pas être affiché : {type(error).__name__}.",
                           {"body": "render failed"}) from None


def edited(kind: TemplateKind, change: TemplateChange, previous: EmailTemplate, by: str, at: datetime) -> EmailTemplate:
    parts = change.model_dump()
    check(kind, parts)
    return EmailTemplate(kind=kind, updated_at=at, updated_by=by, version=previous.version + 1, **parts)


def render_parts(parts: dict[str, str], variables: dict[str, Any]) -> dict[str, str]:
    rendered = {part: _env(part).from_string(source).render(**variables) for part, source in parts.items()}
    if "subject" in rendered:
        rendered["subject"] = re.sub(r"\s+", " ", rendered["subject"]).strip()[:LIMITS["subject"]]
    return rendered


def render(template: EmailTemplate, variables: dict[str, Any]) -> RenderedEmail:
    """The email for these variables; unknown variables are not offered, missing ones render empty."""
    values = {name: "" for name in VARIABLES[template.kind]} | variables
    return RenderedEmail(**render_parts({p: getattr(template, p) for p in PARTS}, values))


def preview(template: EmailTemplate, draft: TemplatePreview) -> RenderedEmail:
    parts = {p: getattr(draft, p) or getattr(template, p) for p in PARTS}
    check(template.kind, parts)
    return RenderedEmail(**render_parts(parts, SAMPLES[template.kind]))


def require_editor(role: str) -> None:
    """Admins and managers edit the dealer's templates; every staff member reads and previews them."""
    if role not in (Role.ADMIN, Role.MANAGER):
        raise Forbidden("Seuls les administrateurs et les responsables modifient les modèles d'e-mail.")
