"""Two signers on the portal, in Chromium with JavaScript off (issue 16): the co-holder says who they are
on the sign form, gets their code and signs; the page then says « 1 signature sur 2 » and the holder signs
in turn. The two-signer pages pass axe-core (checked in a context with scripts, the pages have none)."""

import pytest
from playwright.sync_api import expect

import app as application
from chalicelib.settings import settings
from local.client import Client
from tests import offers, portal
from tests.browser.conftest import screenshot, serious_accessibility_problems
from tests.support import Api, tenant

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def two_signers(live_server, monkeypatch, tmp_path):
    monkeypatch.setenv("OFFERLINE_DEV_CA_DIR", str(tmp_path / "dev-ca"))
    settings.cache_clear()
    garage = offers.with_legal(tenant())
    with Client(application.app) as client:
        api = Api(client, garage.token(garage.seller))
        offer = offers.offer(api, f"{garage.dealer.id.lower()}-couple")
        proposal = offers.propose(api, offer, seller=portal.seller_block(offer.quote_id))
        named = api.send("PATCH", f"/proposals/{proposal['id']}", {"co_holder_contact_id": offer.other_contact_id})
        assert named.status_code == 200, named.body
        assert api.post(f"/proposals/{proposal['id']}/send", {}).status_code == 200
        yield offer, offers.token_in(offers.read(offers.emails_to(offer.email)[-1]))


def accessible(chromium, url: str, name: str) -> None:
    context = chromium.new_context(locale="fr-FR", viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    page.goto(url)
    screenshot(page, f"portal-two-signers-{name}")
    assert serious_accessibility_problems(page) == [], name
    context.close()


def test_two_signers_sign_on_the_portal_without_javascript(live_server, chromium, two_signers):
    offer, token = two_signers
    context = chromium.new_context(locale="fr-FR", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/p/{token}")
    page.get_by_role("link", name="Accepter et signer").click()
    accessible(chromium, page.url, "sign")
    page.get_by_label("Paul Durand (cotitulaire)").check()
    page.get_by_label("Vos prénom et nom").fill("Paul Durand")
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Recevoir mon code").click()
    expect(page.get_by_role("heading", name="Saisissez votre code")).to_be_visible()
    page.get_by_label("Code de sécurité").fill(portal.latest_code(f"paul-{offer.email.split('marie-', 1)[1]}"))
    page.get_by_role("button", name="Valider et signer").click()
    expect(page.get_by_text("1 signature sur 2")).to_be_visible()
    accessible(chromium, page.url, "partly-signed")

    page.get_by_role("link", name="Signer à mon tour").click()
    expect(page.get_by_label("Paul Durand (cotitulaire)")).to_have_count(0)  # he signed: not offered again
    page.get_by_label("Vos prénom et nom").fill("Marie Durand")
    page.get_by_label("IBAN du compte à prélever (titulaire)").fill(portal.IBAN)
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Recevoir mon code").click()
    page.get_by_label("Code de sécurité").fill(portal.latest_code(offer.email))
    page.get_by_role("button", name="Valider et signer").click()
    expect(page.get_by_role("heading", name="Proposition acceptée et signée")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Chacun a reçu l'exemplaire signé")).to_be_visible()
    accessible(chromium, page.url, "accepted")
    context.close()
