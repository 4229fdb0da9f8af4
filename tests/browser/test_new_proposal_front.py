"""Creating the proposal from the quote, in Chromium: when the account has another contact with an address, the
seller names the co-holder (second signer) right there, not only later on the draft; the proposal is created with
them. Every step passes axe-core."""
import re

from playwright.sync_api import expect

import app as application
from local.client import Client
from tests import offers
from tests.browser import test_seller_front as front
from tests.browser.test_seller_front import heading, log_in, look
from tests.support import Api, body

garage = front.garage
open_page = front.open_page


def test_the_seller_names_the_co_holder_when_creating_the_proposal(live_server, open_page, garage):
    api = Api(Client(application.app), garage.token(garage.seller))
    offer = offers.offer(api, f"{garage.dealer.id.lower()}-co")  # Marie (the quote's contact) and Paul
    page = open_page()
    log_in(page, live_server, garage.seller.email)
    page.goto(f"{live_server}/app#/quotes/{offer.quote_id}")
    heading(page, re.compile(r"^Devis D"))

    page.get_by_role("button", name="Créer la proposition").click()
    create = page.get_by_role("dialog", name="Nouvelle proposition")
    co_holder = create.get_by_label("Cotitulaire (second signataire)")
    expect(co_holder).to_have_value("")  # one signer unless the seller says otherwise
    expect(co_holder.locator("option")).to_have_text(
        ["Aucun : un seul signataire", f"Paul Durand <paul-{garage.dealer.id.lower()}-co@example.com>"])
    look(page, "front-new-proposal-co-holder")
    co_holder.select_option(offer.other_contact_id)
    create.get_by_role("button", name="Créer la proposition").click()

    seller_block = page.get_by_role("dialog", name="Vos coordonnées pour le client")  # the first sale: asked too
    seller_block.get_by_label("Téléphone").fill("06 11 22 33 44")
    seller_block.get_by_role("button", name="Créer la proposition").click()
    heading(page, re.compile(r"^Proposition P"))
    expect(page.get_by_text(re.compile(r"Paul Durand <paul-"))).to_be_visible()
    look(page, "front-new-proposal-with-co-holder")
    proposal_id = page.url.rsplit("/", 1)[-1]
    created = body(api.get(f"/proposals/{proposal_id}"))["proposal"]
    assert created["co_holder"]["contact_id"] == offer.other_contact_id
    assert created["co_holder"]["name"] == "Paul Durand"
