"""A customer on a phone, JavaScript off, adds and removes an optional product on the portal: each toggle is a
plain form, the page shows the new total and what changed since the version sent; once the seller locks the
options the page shows them read-only. Every page is photographed and checked with axe-core (in a context with
script, which axe needs)."""
import pytest
from playwright.sync_api import expect

import app as application
from chalicelib.settings import settings
from local.client import Client
from tests import offers, portal
from tests.browser.conftest import screenshot, serious_accessibility_problems
from tests.support import Api, body, tenant

WARRANTY = "Extension de garantie"


@pytest.fixture
def seller(live_server, monkeypatch, tmp_path):
    monkeypatch.setenv("OFFERLINE_DEV_CA_DIR", str(tmp_path / "dev-ca"))
    settings.cache_clear()
    garage = offers.with_legal(tenant())
    with Client(application.app) as client:
        yield Api(client, garage.token(garage.seller)), garage


@pytest.fixture
def no_script(chromium):
    context = chromium.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, java_script_enabled=False)
    yield context.new_page()
    context.close()


def accessible(page, url: str, name: str) -> None:
    """The page as the customer sees it, checked by axe-core in a page that runs it."""
    page.goto(url)
    screenshot(page, f"portal-options-{name}")
    assert serious_accessibility_problems(page) == [], name


def test_a_customer_toggles_an_option_on_a_phone_without_javascript(live_server, no_script, page, seller):
    api, garage = seller
    sent = portal.send(api, offers.offer(api, f"{garage.dealer.id.lower()}-options"))
    url = f"{live_server}/p/{sent.token}"
    no_script.goto(url)
    first_total = no_script.locator(".hero .amount").inner_text()
    no_script.get_by_role("button", name=f"Ajouter l'option {WARRANTY}").click()
    expect(no_script.get_by_text(f"Ajoutée : {WARRANTY}")).to_be_visible()
    expect(no_script.get_by_role("button", name=f"Retirer l'option {WARRANTY}")).to_be_visible()
    assert no_script.locator(".hero .amount").inner_text() != first_total
    expect(no_script.locator("#options-changes")).to_contain_text(first_total)
    screenshot(no_script, "portal-options-added-no-script")
    accessible(page, url, "added")

    no_script.get_by_role("button", name=f"Retirer l'option {WARRANTY}").click()
    expect(no_script.get_by_role("button", name=f"Ajouter l'option {WARRANTY}")).to_be_visible()
    expect(no_script.locator("#options-changes")).to_have_count(0)
    assert no_script.locator(".hero .amount").inner_text() == first_total
    assert body(api.get(f"/proposals/{sent.proposal_id}"))["proposal"]["version"] == 3

    locked = api.send("PUT", f"/proposals/{sent.proposal_id}/options-lock", {"locked": True})
    assert locked.status_code == 200
    no_script.goto(url)
    expect(no_script.get_by_text("Votre conseiller a figé les options")).to_be_visible()
    expect(no_script.get_by_role("button", name=f"Ajouter l'option {WARRANTY}")).to_have_count(0)
    screenshot(no_script, "portal-options-locked-no-script")
    accessible(page, url, "locked")


def test_the_seller_locks_the_options_from_the_proposal_screen(live_server, page, seller):
    api, garage = seller
    sent = portal.send(api, offers.offer(api, f"{garage.dealer.id.lower()}-lock"))
    page.goto(f"{live_server}/app")
    page.get_by_label("Adresse e-mail").fill(garage.seller.email)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1, name="Leads")).to_be_visible()
    page.goto(f"{live_server}/app#/proposals/{sent.proposal_id}")
    lock = page.get_by_label("Figer les options")
    expect(lock).not_to_be_checked()
    lock.check()
    expect(page.get_by_role("complementary", name="Historique")).to_contain_text("Options figées")
    expect(page.get_by_label("Figer les options")).to_be_checked()
    page.wait_for_selector("main:not([aria-busy])")
    screenshot(page, "front-proposal-options-locked")
    assert serious_accessibility_problems(page) == []
    assert body(api.get(f"/proposals/{sent.proposal_id}"))["proposal"]["options_locked"] is True
    page.get_by_label("Figer les options").uncheck()
    expect(page.get_by_role("complementary", name="Historique")).to_contain_text("Options débloquées")
    assert body(api.get(f"/proposals/{sent.proposal_id}"))["proposal"]["options_locked"] is False
