"""A customer on a phone, in Chromium, pays the acompte after signing: the local provider's checkout page,
"Payer", back on the portal with the confirmation. Pages photographed (artifacts/screenshots/deposit-*.png)
and checked with axe-core: nothing serious or critical."""
import pytest
from playwright.sync_api import expect

import app as application
from chalicelib.domain.dealers import DealerSettingsChange, DepositChange, Staff
from chalicelib.domain.money import format_euros
from chalicelib.services import dealers
from chalicelib.settings import settings
from local.client import Client
from tests import offers, portal
from tests.browser.conftest import screenshot, serious_accessibility_problems
from tests.browser.test_seller_front import log_in
from tests.offers import emails_to
from tests.integration.test_deposits import completed_event, post_webhook
from tests.support import Api, tenant

DEPOSIT = 75_000


@pytest.fixture
def seller(live_server, monkeypatch, tmp_path):
    monkeypatch.setenv("OFFERLINE_DEV_CA_DIR", str(tmp_path / "dev-ca"))
    monkeypatch.setenv("OFFERLINE_PUBLIC_BASE_URL", live_server)  # the checkout comes back to this server
    settings.cache_clear()
    garage = offers.with_legal(tenant())
    admin = Staff(dealer_id=garage.dealer.id, user_id=garage.admin.id, role=garage.admin.role)
    dealers.change_settings(garage.dealer.id, DealerSettingsChange(
        deposit=DepositChange(enabled=True, amount_cents=DEPOSIT)), by=admin)
    with Client(application.app) as client:
        yield Api(client, garage.token(garage.seller)), garage


def checked(page, name: str) -> None:
    screenshot(page, f"deposit-{name}")
    assert serious_accessibility_problems(page) == [], name


def test_a_customer_on_a_phone_pays_the_acompte_and_sees_it_confirmed(live_server, page, seller, chromium):
    api, garage = seller
    proposal = portal.send(api, offers.offer(api, f"{garage.dealer.id.lower()}-deposit"))
    page.goto(f"{live_server}/p/{proposal.token}/sign")
    page.get_by_label("Vos prénom et nom").fill("Marie Durand")
    page.get_by_label("IBAN du compte à prélever").fill(portal.IBAN)
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Recevoir mon code par e\u2011mail").click()
    page.get_by_label("Code de sécurité").fill(portal.latest_code(proposal.email))
    page.get_by_role("button", name="Valider et signer").click()
    expect(page.get_by_role("heading", name="Proposition acceptée et signée")).to_be_visible()

    amount = format_euros(DEPOSIT)
    pay = page.get_by_role("button", name=f"Payer l'acompte de {amount} par carte")
    expect(pay).to_be_visible()
    checked(page, "accepted")
    pay.click()

    expect(page.get_by_role("heading", name="Paiement par carte (test)")).to_be_visible()
    expect(page.get_by_text(amount)).to_be_visible()
    checked(page, "checkout")
    page.get_by_role("button", name="Payer").click()

    expect(page.get_by_role("heading", name="Acompte reçu, merci")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(amount)
    checked(page, "received")

    # The return page holds no link to the proposal (the provider kept its address): the email's link opens it.
    expect(page.get_by_text("ouvrez le lien reçu par e\u2011mail")).to_be_visible()
    expect(page.get_by_role("link", name="Retour à la proposition")).to_have_count(0)
    page.goto(f"{live_server}/p/{proposal.token}")
    expect(page.get_by_text("Acompte réglé le")).to_be_visible()
    expect(page.get_by_role("button", name=f"Payer l'acompte de {amount} par carte")).to_have_count(0)
    checked(page, "accepted-paid")
    assert any(offers.read(m).subject.startswith("Acompte reçu") for m in emails_to(proposal.email))

    # The seller sees it on the proposal: in the signer banner and in the history.
    desk = chromium.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900},
                                bypass_csp=True)
    try:
        office = desk.new_page()
        log_in(office, live_server, garage.seller.email)
        office.goto(f"{live_server}/app#/proposals/{proposal.proposal_id}")
        banner = office.get_by_role("region", name="Proposition acceptée et signée")
        expect(banner).to_contain_text("Acompte réglé le")
        expect(banner).to_contain_text(amount)
        expect(office.get_by_role("complementary", name="Historique")).to_contain_text("Acompte reçu")
        screenshot(office, "deposit-seller-banner")
        assert serious_accessibility_problems(office) == []
    finally:
        desk.close()


def test_an_admin_marks_a_payment_that_is_not_the_acompte_as_settled(live_server, page, seller):
    api, garage = seller
    proposal = portal.send(api, offers.offer(api, f"{garage.dealer.id.lower()}-anomaly"))
    paid_twice = completed_event(proposal, garage.dealer.id, amount=DEPOSIT + 5_000, payment_intent="pi_browser_1")
    assert post_webhook(api.client, paid_twice).status_code == 200  # unsigned proposal: an anomaly

    log_in(page, live_server, garage.admin.email)
    page.goto(f"{live_server}/app#/proposals/{proposal.proposal_id}")
    notice = page.get_by_role("alert").filter(has_text="Paiement à régulariser")
    expect(notice).to_contain_text("pi_browser_1")
    screenshot(page, "deposit-anomaly")
    assert serious_accessibility_problems(page) == []
    notice.get_by_role("button", name="Marquer comme régularisé").click()
    page.get_by_label("Ce qui a été fait").fill("Remboursé depuis Stripe le 25/11.")
    page.get_by_role("dialog").get_by_role("button", name="Marquer comme régularisé").click()
    expect(page.get_by_role("alert").filter(has_text="Paiement à régulariser")).to_have_count(0)
    expect(page.get_by_role("complementary", name="Historique")).to_contain_text("Remboursé depuis Stripe le 25/11.")
