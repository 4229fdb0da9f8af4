"""Emails Offerline writes itself, not the dealer: the signing code, a new access link, the payment receipts.

Their wording is fixed (a signing-code email a dealer could edit would be a phishing template).
Each has a text part and an HTML part in chalicelib/templates/letters/, rendered with Jinja's
autoescape: what they show is escaped once, there.
"""
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment

LETTERS = Path(__file__).resolve().parent.parent / "templates" / "letters"


@dataclass(frozen=True)
class Letter:
    subject: str
    text: str
    html: str

    def parts(self) -> dict[str, str]:
        """subject, text and html, as an OutboxMessage takes them."""
        return {"subject": self.subject, "text": self.text, "html": self.html}


def write(name: str, subject: str, **values: Any) -> Letter:
    """The letter `name` (letters/<name>.txt.j2 and .html.j2) with these values."""
    return Letter(subject=subject, text=_environment(False).get_template(f"{name}.txt.j2").render(**values),
                  html=_environment(True).get_template(f"{name}.html.j2").render(**values))


@lru_cache(maxsize=2)
def _environment(html: bool) -> "Environment":
    from jinja2 import Environment, FileSystemLoader, StrictUndefined  # on the first letter, not at import

    return Environment(loader=FileSystemLoader(LETTERS), autoescape=html, undefined=StrictUndefined,
                       keep_trailing_newline=not html, trim_blocks=True, lstrip_blocks=True)
