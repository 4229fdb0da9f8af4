"""On a 390×844 phone, in Chromium, the customer withdraws from the service contract they signed for: from the
signed page's link, a refused form first (nothing ticked), then the model form sent; with JavaScript off too.
Each page is photographed (artifacts/screenshots/portal-withdrawal-*.png) and checked with axe-core."""
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest
from playwright.sync_api import expect

import app as application
from chalicelib.domain.links import hash_token
from chalicelib.portal.security import csrf_token
from chalicelib.settings import settings
from chalicelib.store import keys
from chalicelib.store.table import table
from local.client import Client
from tests import offers, portal
from tests.browser.conftest import screenshot
from tests.browser.test_portal_pages import checked
from tests.offers import emails_to
from tests.support import Api, tenant

SERVICE = "Contrat d'entretien 36 mois"


@pytest.fixture
def signed(live_server, monkeypatch, tmp_path) -> portal.Sent:
    """A proposal Marie signed on her phone (through the same pages, in-process)."""
    monkeypatch.setenv("OFFERLINE_DEV_CA_DIR", str(tmp_path / "dev-ca"))
    settings.cache_clear()
    garage = offers.with_legal(tenant())
    with Client(application.app) as client:
        seller = Api(client, garage.token(garage.seller))
        sent = portal.send(seller, offers.offer(seller, f"{garage.dealer.id.lower()}-withdrawal"))
    # Signed over HTTP: the seal's library runs its own event loop, which Playwright's holds on this thread.
    post(live_server, sent, "sign", portal.SIGN_FORM)
    post(live_server, sent, "code", {"code": portal.latest_code(sent.email)})
    return sent


def post(live_server: str, sent: portal.Sent, form: str, fields: dict) -> None:
    data = urlencode({**fields, "csrf": csrf_token(settings().csrf_secret, hash_token(sent.token), form)}).encode()
    request = Request(f"{live_server}/p/{sent.token}/{form}", data=data, method="POST",
                      headers={"content-type": "application/x-www-form-urlencoded"})
    with urlopen(request) as answer:  # follows the 303 to the next page
        assert answer.status == 200


def withdrawn(sent: portal.Sent) -> list[dict]:
    """The withdrawals recorded for the proposal (its dealer read from the link)."""
    link = table.get(keys.link(hash_token(sent.token)))
    stored = table.get(keys.proposal_withdrawals(link["dealer_id"], sent.proposal_id))
    return stored["records"] if stored else []


def withdraw_from_the_service_contract(page, live_server: str, sent: portal.Sent, check) -> None:
    page.goto(f"{live_server}/p/{sent.token}")
    page.get_by_role("link", name="Exercer mon droit de rétractation").click()
    expect(page.get_by_role("heading", name="Exercer mon droit de rétractation")).to_be_visible()
    expect(page.get_by_text("Vous pouvez vous rétracter jusqu'au").first).to_be_visible()
    check(page, "withdrawal")

    page.get_by_role("button", name="Envoyer ma rétractation").click()
    expect(page.get_by_role("alert")).to_contain_text("Cochez le ou les produits dont vous vous rétractez.")
    check(page, "withdrawal-errors")

    page.locator("label.check", has_text=SERVICE).get_by_role("checkbox").check()
    expect(page.get_by_label("Nom du consommateur")).to_have_value("Marie Durand")
    page.get_by_role("button", name="Envoyer ma rétractation").click()
    expect(page.get_by_role("heading", name="Rétractation enregistrée", exact=False)).to_be_visible()
    check(page, "withdrawal-done")


def test_on_a_phone_the_customer_withdraws_from_the_service_contract(live_server, page, signed):
    withdraw_from_the_service_contract(page, live_server, signed, checked)
    assert len(withdrawn(signed)) == 1
    assert any("Votre rétractation" in offers.read(m).subject for m in emails_to(signed.email))


def test_with_javascript_off_the_withdrawal_works_the_same(live_server, chromium, signed):
    context = chromium.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, java_script_enabled=False)
    try:
        page = context.new_page()
        withdraw_from_the_service_contract(page, live_server, signed,
                                           lambda p, name: screenshot(p, f"portal-{name}-no-script"))
    finally:
        context.close()
    assert len(withdrawn(signed)) == 1
