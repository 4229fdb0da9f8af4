"""Routes that exist only in the dev stage (app.py registers this blueprint only there)."""
from functools import lru_cache
from pathlib import Path

from chalice import Blueprint, Response
from jinja2 import Environment, FileSystemLoader
from pydantic import BaseModel, EmailStr

from chalicelib.api.http import endpoint, parse
from chalicelib.domain.model import Command
from chalicelib.services import dev_login, dev_outbox

dev_api = Blueprint(__name__)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Captured emails are shown as they were sent: no script runs, nothing is fetched from elsewhere.
OUTBOX_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


class DevLogin(Command):
    email: EmailStr


class DevToken(BaseModel):
    token: str
    dealer_id: str
    user_id: str
    role: str
    name: str


@endpoint(dev_api, "/dev/login", method="POST", summary="Development only: a seller token for a demo user",
          body=DevLogin, response=DevToken, tag="dev")
def login():
    command = parse(DevLogin, dev_api.current_request)
    return DevToken(**dev_login.login(command.email))


@endpoint(dev_api, "/dev/outbox.json", summary="Development only: emails and SMS captured by the local moto server",
          response=dev_outbox.Outbox, tag="dev")
def outbox_json():
    return dev_outbox.read()


@endpoint(dev_api, "/dev/outbox", summary="Development only: the captured emails and SMS as a page to read",
          tag="dev")
def outbox_page():
    page = _pages().get_template("dev/outbox.html").render(outbox=dev_outbox.read())
    return Response(body=page, headers={"Content-Type": "text/html; charset=utf-8",
                                        "Content-Security-Policy": OUTBOX_CSP})


@lru_cache(maxsize=1)
def _pages() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
