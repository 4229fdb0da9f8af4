"""Routes that exist only in the dev stage (app.py registers this blueprint only there)."""
from chalice import Blueprint
from pydantic import BaseModel, EmailStr

from chalicelib.api.http import endpoint, parse
from chalicelib.domain.model import Command
from chalicelib.services import dev_login

dev_api = Blueprint(__name__)


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
