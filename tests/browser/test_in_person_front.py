"""In-person signing on the seller's tablet, in Chromium at a tablet's size (1024×768): the seller opens the
session from the proposal; the customer fills the form, gets the code by SMS (read from SNS) and types it on
the tablet; the proposal is signed, its evidence says "in_person" and who hosted. Every step passes axe-core."""
import re

from playwright.sync_api import expect

import app as application
from chalicelib.store import portal as portal_store
from local.client import Client
from tests import offers, portal
from tests.browser import test_seller_front as front
from tests.browser.test_seller_front import heading, log_in, look
from tests.support import Api

garage = front.garage
open_page = front.open_page
TABLET = {"width": 1024, "height": 768}
CODE = re.compile(r"\b(\d{6})\b")


def test_the_customer_present_signs_on_the_sellers_tablet(live_server, open_page, garage):
    api = Api(Client(application.app), garage.token(garage.seller))
    offer = offers.offer(api, f"{garage.dealer.id.lower()}-tablet")
    sent = portal.send(api, offer)

    page = open_page(TABLET)
    log_in(page, live_server, garage.seller.email)
    page.goto(f"{live_server}/app#/proposals/{sent.proposal_id}")
    page.get_by_role("link", name="Signer en présence du client").click()
    heading(page, "Signature en présence du client")
    look(page, "in-person-start")

    page.get_by_role("button", name="Ouvrir la session de signature").click()
    expect(page.get_by_role("heading", name="Accepter et signer")).to_be_visible()
    look(page, "in-person-form")
    page.get_by_role("button", name="Recevoir le code par SMS").click()
    expect(page.get_by_role("alert").first).to_be_visible()  # the form's problems, said in place
    look(page, "in-person-form-errors")

    page.get_by_label("Prénom et nom du signataire").fill("Marie Durand")
    page.get_by_label("IBAN du compte à prélever (titulaire)").fill(portal.IBAN)
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Recevoir le code par SMS").click()
    expect(page.get_by_role("heading", name="Code de sécurité de Marie Durand")).to_be_visible()
    look(page, "in-person-code")

    [text] = offers.sms_to("+33612345678")[-1:]
    page.get_by_label("Code reçu par SMS").fill(CODE.search(text).group(1))
    page.get_by_role("button", name="Valider et signer").click()
    expect(page.get_by_role("heading", name="Proposition acceptée et signée")).to_be_visible(timeout=30_000)  # sealing
    look(page, "in-person-signed")

    # The evidence as stored (the proofs route validates the seal with asyncio, which Playwright's loop forbids here).
    events = portal_store.read(garage.dealer.id, sent.proposal_id, whole=True).evidence
    [code_sent] = [e for e in events if e.kind.value == "code_sent"]
    assert (code_sent.details["mode"], code_sent.details["channel"]) == ("in_person", "sms")
    assert code_sent.details["host"] == "Victor Vendeur" and code_sent.details["to"].endswith("78")
