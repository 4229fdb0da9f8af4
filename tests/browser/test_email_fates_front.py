"""A seller sees in the front that the proposal's email bounced, fixes the address and sends again (Chromium).

The dev stack plays SES's mailbox simulator (local/ses_simulator.py): an email to
bounce@simulator.amazonses.com comes back as a permanent bounce, one to success@… as delivered.
"""
import re

from playwright.sync_api import expect

import app as application
from local.client import Client
from local.ses_simulator import BOUNCE, SUCCESS
from tests.browser.test_seller_front import garage, heading, log_in, look, open_page  # noqa: F401 (fixtures)
from tests.offers import offer, propose
from tests.support import Api


def test_a_seller_sees_the_bounce_fixes_the_address_and_sends_again(live_server, garage, open_page):  # noqa: F811
    api = Api(Client(application.app), garage.token(garage.seller))
    proposal = propose(api, offer(api, "bounce"))
    assert api.send("PATCH", f"/proposals/{proposal['id']}", {"email": BOUNCE}).status_code == 200
    assert api.post(f"/proposals/{proposal['id']}/send", {}).status_code == 200

    page = open_page()
    log_in(page, live_server, garage.seller.email)
    page.goto(f"{live_server}/app#/proposals")
    heading(page, "Propositions")
    row = page.get_by_role("row").filter(has_text=proposal["reference"])
    expect(row.get_by_text("E-mail non remis")).to_be_visible()
    look(page, "front-proposals-email-bounced")

    row.get_by_role("link", name=proposal["reference"]).click()
    heading(page, re.compile(r"^Proposition P"))
    notice = page.get_by_role("alert").filter(has_text="Le dernier e-mail n'a pas été remis")
    expect(notice).to_contain_text(f"Envoyé à {BOUNCE} : non remis : adresse inconnue")
    expect(page.get_by_role("complementary", name="Historique")).to_contain_text("non remis : adresse inconnue")
    look(page, "front-proposal-email-bounced")

    page.get_by_role("button", name="Modifier").click()
    edit = page.get_by_role("dialog", name="Modifier la proposition")
    edit.get_by_label("E-mail", exact=True).first.fill(SUCCESS)
    edit.locator('button[type="submit"]').click()
    expect(notice).to_contain_text(f"Adresse corrigée ({SUCCESS})")

    page.get_by_role("button", name="Renvoyer").click()
    page.get_by_role("dialog").locator('button[type="submit"]').click()
    expect(page.get_by_role("complementary", name="Historique")).to_contain_text("Envoyée par e-mail")
    page.reload()
    heading(page, re.compile(r"^Proposition P"))
    expect(page.get_by_role("complementary", name="Historique")).to_contain_text("E-mail remis")
    expect(page.get_by_text("Le dernier e-mail n'a pas été remis")).to_have_count(0)
    look(page, "front-proposal-email-remis")
