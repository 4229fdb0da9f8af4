"""A customer on a phone, in Chromium: reads the proposal, asks a question, signs with the emailed code.

Each portal page is photographed (artifacts/screenshots/portal-*.png) and checked with axe-core:
nothing serious or critical.
"""
import re
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

import app as application
from chalicelib.domain import clock, local_time
from chalicelib.settings import settings
from local.client import Client
from tests import offers, portal
from tests.browser.conftest import screenshot, serious_accessibility_problems
from tests.offers import emails_to
from tests.support import Api, tenant


@pytest.fixture
def seller(live_server, monkeypatch, tmp_path):
    monkeypatch.setenv("OFFERLINE_DEV_CA_DIR", str(tmp_path / "dev-ca"))
    settings.cache_clear()
    garage = offers.with_legal(tenant())
    with Client(application.app) as client:
        yield Api(client, garage.token(garage.seller)), garage


def sent(seller, tag: str, **quote_fields) -> portal.Sent:
    api, garage = seller
    offer = offers.offer(api, f"{garage.dealer.id.lower()}-{tag}", **quote_fields)
    return portal.send(api, offer)


# French typography: a plain space never comes before « : ; ? ! », and euro amounts never break.
LOOSE_MARK = re.compile(r" [:;?!](?=\s|$)")
BROKEN_AMOUNT = re.compile(r"\d \d{3},\d{2}|\d,\d{2} €")  # our amounts; a dealer's own text is its own


def checked(page, name: str) -> None:
    screenshot(page, f"portal-{name}")
    text = page.inner_text("body")
    assert LOOSE_MARK.findall(text) == [], (name, LOOSE_MARK.findall(text))
    assert BROKEN_AMOUNT.findall(text) == [], (name, BROKEN_AMOUNT.findall(text))
    assert serious_accessibility_problems(page) == [], name


def test_a_customer_on_a_phone_reads_asks_and_signs_with_the_emailed_code(live_server, page, seller):
    proposal = sent(seller, "journey")
    page.goto(f"{live_server}/p/{proposal.token}")
    expect(page.get_by_role("heading", name="Votre proposition commerciale")).to_be_visible()
    expect(page.get_by_text("Garage des Tilleuls").first).to_be_visible()
    checked(page, "proposal")

    page.get_by_role("link", name="Poser une question").click()
    checked(page, "question")
    page.get_by_label("Votre question").fill("Peut-on livrer le véhicule un samedi matin ?")
    page.get_by_role("button", name="Envoyer ma question").click()
    expect(page.get_by_role("heading", name="Votre question est envoyée")).to_be_visible()
    checked(page, "question-sent")

    page.get_by_role("link", name="Retour à la proposition").first.click()
    page.get_by_role("link", name="Accepter et signer").click()
    checked(page, "sign")
    page.get_by_role("button", name="Recevoir mon code par e\u2011mail").click()
    expect(page.get_by_role("alert")).to_be_visible()
    checked(page, "sign-errors")

    page.get_by_label("Vos prénom et nom").fill("Marie Durand")
    page.get_by_label("IBAN du compte à prélever").fill(portal.IBAN)
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Recevoir mon code par e\u2011mail").click()
    expect(page.get_by_role("heading", name="Saisissez votre code")).to_be_visible()
    checked(page, "code")

    page.get_by_label("Code de sécurité").fill(portal.latest_code(proposal.email))
    page.get_by_role("button", name="Valider et signer").click()
    expect(page.get_by_role("heading", name="Proposition acceptée et signée")).to_be_visible()
    expect(page.get_by_text("jours à compter de la signature, soit jusqu").first).to_be_visible()
    checked(page, "accepted")
    assert any("signée" in offers.read(m).subject for m in emails_to(proposal.email))


def test_closed_links_are_clear_and_accessible_on_a_phone(live_server, page, seller):
    api, _ = seller
    today = local_time.paris_date(datetime.now(timezone.utc))
    expiring = sent(seller, "expiring", valid_until=today.isoformat())
    withdrawn = sent(seller, "withdrawn")
    assert api.post(f"/proposals/{withdrawn.proposal_id}/withdraw").status_code == 200
    declined = sent(seller, "declined")
    old_link = sent(seller, "old-link")

    page.goto(f"{live_server}/p/{withdrawn.token}")
    expect(page.get_by_role("heading", name="Cette proposition n'est plus accessible")).to_be_visible()
    checked(page, "blocked")

    page.goto(f"{live_server}/p/{declined.token}/decline")
    checked(page, "decline")
    page.get_by_label("Pourquoi ?").fill("J'ai finalement trouvé un véhicule plus proche de chez moi.")
    page.get_by_role("button", name="Décliner la proposition").click()
    expect(page.get_by_role("heading", name="Proposition déclinée")).to_be_visible()
    checked(page, "declined")

    try:
        later = datetime.now(timezone.utc) + timedelta(hours=25)
        clock.set_source(lambda: later)
        page.goto(f"{live_server}/p/{expiring.token}")
        expired = page.get_by_role("heading", name="Le délai pour finaliser cette proposition est dépassé")
        expect(expired).to_be_visible()
        checked(page, "proposal-expired")

        page.goto(f"{live_server}/p/{old_link.token}")
        expect(page.get_by_role("heading", name="Ce lien d'accès a expiré")).to_be_visible()
        checked(page, "link-expired")
        page.get_by_role("button", name="Recevoir un nouveau lien par e\u2011mail").click()
        expect(page.get_by_role("heading", name="Consultez votre messagerie")).to_be_visible()
        checked(page, "link-sent")
    finally:
        clock.reset()
