"""A customer on a 390×844 phone, after signing, opens the order from the proposal's link, sends a document
(the form posts the file straight to S3, which sends the browser back to the portal), the back office accepts
it through the API, and the customer sees it accepted. Once with JavaScript and axe-core (nothing serious or
critical), once with JavaScript off and the pages' own CSP enforced (the form's post to S3 is allowed)."""
import json

import pytest
from playwright.sync_api import expect

import app as application
from chalicelib.settings import settings
from local.client import Client
from tests import offers, portal
from tests.browser.conftest import screenshot, serious_accessibility_problems
from tests.support import Api, tenant

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def garage(live_server, monkeypatch, tmp_path):
    monkeypatch.setenv("OFFERLINE_DEV_CA_DIR", str(tmp_path / "dev-ca"))
    monkeypatch.setenv("OFFERLINE_PUBLIC_BASE_URL", live_server)  # S3 sends the browser back to this server
    settings.cache_clear()
    garage = offers.with_legal(tenant())
    with Client(application.app) as client:
        yield garage, Api(client, garage.token(garage.seller)), Api(client, garage.token(garage.admin))


def signed_on(page, live_server, api: Api, tag: str) -> portal.Sent:
    sent = portal.send(api, offers.offer(api, tag))
    page.goto(f"{live_server}/p/{sent.token}/sign")
    page.get_by_label("Vos prénom et nom").fill("Marie Durand")
    iban = page.get_by_label("IBAN du compte à prélever")
    if iban.count():
        iban.fill(portal.IBAN)
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Recevoir mon code par e\u2011mail").click()
    page.get_by_label("Code de sécurité").fill(portal.latest_code(sent.email))
    page.get_by_role("button", name="Valider et signer").click()
    expect(page.get_by_role("heading", name="Proposition acceptée et signée")).to_be_visible()
    return sent


def sends_a_document_and_sees_it_accepted(page, live_server, garage, tmp_path, tag: str, axe: bool) -> None:
    the, seller, office = garage

    def checked(name: str) -> None:
        screenshot(page, f"order-{tag}-{name}")
        if axe:
            assert serious_accessibility_problems(page) == [], name

    signed_on(page, live_server, seller, f"{the.dealer.id.lower()}-{tag}")
    page.get_by_role("link", name="Suivre ma commande : étapes, documents, solde").click()
    expect(page.get_by_role("heading", name="Votre commande", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Les étapes")).to_be_visible()
    checked("page")

    file = tmp_path / "kbis.pdf"
    file.write_bytes(PDF)
    page.get_by_label("Fichier : Extrait Kbis").set_input_files(str(file))
    page.locator("#document-kbis").get_by_role("button", name="Envoyer").click()
    expect(page.get_by_text("Document reçu : Extrait Kbis.")).to_be_visible()
    expect(page.locator("#document-kbis")).to_contain_text("en cours de contrôle")
    checked("received")

    order_id = _order_id(office)
    documents = [d for d in _body(office.get(f"/orders/{order_id}"))["documents"] if d["kind"] == "kbis"]
    assert len(documents) == 1
    review = office.post(f"/orders/{order_id}/documents/{documents[0]['id']}/review", {"accepted": True})
    assert review.status_code == 200, review.body

    page.reload()
    expect(page.locator("#document-kbis")).to_contain_text("Accepté le")
    checked("accepted")


def _order_id(office: Api) -> str:
    [order] = _body(office.get("/orders"))["items"]
    return order["id"]


def _body(response) -> dict:
    return json.loads(response.body)


def test_on_a_phone_the_customer_sends_a_document_and_sees_it_accepted(live_server, page, garage, tmp_path):
    sends_a_document_and_sees_it_accepted(page, live_server, garage, tmp_path, "js", axe=True)


def test_with_javascript_off_and_the_csp_enforced_it_works_the_same(live_server, chromium, garage, tmp_path):
    context = chromium.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, java_script_enabled=False)
    try:
        sends_a_document_and_sees_it_accepted(context.new_page(), live_server, garage, tmp_path, "nojs", axe=False)
    finally:
        context.close()
