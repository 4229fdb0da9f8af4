"""The customer portal's pages: Jinja2 templates (autoescape), French formatting, one small inline stylesheet.

Templates live in chalicelib/templates/portal/. French typography (a no-break space before
« : », a narrow one before « ; ? ! », inside « ») is applied to the templates' own text
when they are loaded, never to the data they show; domain sentences pass through `typo`.
The stylesheet is inlined in a <style> carrying the response's CSP nonce; pages have no script.
"""
import re
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chalicelib.domain.signing import masked_mobile
from chalicelib.domain import local_time
from chalicelib.domain.customers import format_phone
from chalicelib.domain.money import format_euros, format_rate
from chalicelib.domain.quotes import KIND_LABELS

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "portal"
NBSP, NNBSP = "\u00a0", "\u202f"

_BEFORE_COLON = re.compile(r"[ \u00a0]:(?=[\s<\"']|$)")
_BEFORE_MARK = re.compile(r"[ \u00a0]([;?!])(?=[\s<\"']|$)")
_OPEN_QUOTE = re.compile(r"«[ \u00a0]")
_CLOSE_QUOTE = re.compile(r"[ \u00a0]»")


def typo(text: str | None) -> str:
    """French spacing of a sentence: « Total : 12 € ; payé ? » with no-break spaces."""
    if not text:
        return ""
    text = _BEFORE_COLON.sub(NBSP + ":", text)
    text = _BEFORE_MARK.sub(lambda m: NNBSP + m.group(1), text)
    text = _OPEN_QUOTE.sub("«" + NBSP, text)
    text = text.replace("e-mail", "e\u2011mail")  # never broken at its hyphen
    return _CLOSE_QUOTE.sub(NBSP + "»", text)


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_time.paris_date(value)
    return local_time.format_long_day(value)


def _phone(number: str | None) -> str:
    """+33611223344 → "06 11 22 33 44" for French numbers; others as stored, grouped by the domain."""
    if number and re.fullmatch(r"\+33\d{9}", number):
        digits = "0" + number[3:]
        return NBSP.join(digits[i:i + 2] for i in range(0, 10, 2))
    return format_phone(number)


def _hour(moment: datetime) -> str:
    return f"{local_time.paris_time(moment):%H:%M}"


def _masked_email(address: str | None) -> str:
    """m•••@example.com: enough for the customer to recognise their address, not enough to harvest it."""
    if not address or "@" not in address:
        return ""
    local, domain = address.split("@", 1)
    return f"{local[:2]}•••@{domain}"


@lru_cache(maxsize=1)
def environment() -> "Environment":
    # Jinja2 is imported by the first page rendered, not by `import app` (docs/performance.md, cold start).
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    class _FrenchLoader(FileSystemLoader):
        """Loads the templates with French typography applied to their text (not to what they show)."""

        def get_source(self, environment, template):
            source, filename, uptodate = super().get_source(environment, template)
            if template.endswith(".html"):
                source = typo(source)
            return source, filename, uptodate

    env = Environment(
        loader=_FrenchLoader(TEMPLATES), autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update({
        "euros": format_euros, "rate": format_rate, "day": _day, "moment": local_time.format_moment,
        "short_day": local_time.format_day, "phone": _phone, "hour": _hour, "kind": lambda kind: KIND_LABELS[kind],
        "typo": typo, "masked_email": _masked_email, "masked_mobile": masked_mobile,
    })
    env.globals["stylesheet"] = (TEMPLATES / "portal.css").read_text(encoding="utf-8")
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
