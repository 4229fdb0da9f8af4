"""The dealer's terms a proposal took (issue 16 item 1). A customer on a phone, JavaScript off, reads them from the
proposal page: it lists the terms the proposal includes (kind, title, version), and each link downloads the version
the proposal took. The seller's proposal screen lists them too. Each page is photographed and checked with axe-core
(the portal in a context with script, which axe needs)."""
from pathlib import Path

import pytest
from playwright.sync_api import expect

import app as application
from chalicelib.settings import settings
from local.client import Client
from tests import offers, portal
from tests.browser.conftest import screenshot, serious_accessibility_problems
from tests.support import Api, tenant
from tests.terms_support import terms_pdf, upload

VEHICLE_TERMS = terms_pdf("CGV VEHICULES", pages=1)


@pytest.fixture
def apis(live_server, monkeypatch, tmp_path):
    monkeypatch.setenv("OFFERLINE_DEV_CA_DIR", str(tmp_path / "dev-ca"))
    settings.cache_clear()
    garage = offers.with_legal(tenant())
    with Client(application.app) as client:
        yield Api(client, garage.token(garage.admin)), Api(client, garage.token(garage.seller)), garage


@pytest.fixture
def no_script(chromium):
    context = chromium.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_a_customer_reads_the_dealer_s_terms_on_a_phone_without_javascript(live_server, no_script, page, apis):
    admin, seller, garage = apis
    assert upload(admin, VEHICLE_TERMS, kind="vehicle", title="CGV véhicules d'occasion").status_code == 201
    sent = portal.send(seller, offers.offer(seller, f"{garage.dealer.id.lower()}-terms"))
    url = f"{live_server}/p/{sent.token}"

    no_script.goto(url)
    card = no_script.get_by_role("region", name="Conditions générales")
    expect(card).to_contain_text("Annexées à cette proposition, à la fin de son PDF")
    link = card.get_by_role("link", name="Véhicule : CGV véhicules d'occasion, version 1 (PDF)")
    expect(link).to_be_visible()
    card.scroll_into_view_if_needed()
    screenshot(no_script, "portal-terms-no-script")
    with no_script.expect_download() as downloading:
        link.click()
    download = downloading.value
    assert download.suggested_filename == "conditions-generales-vehicle-v1.pdf"
    assert Path(download.path()).read_bytes() == VEHICLE_TERMS

    page.goto(url)
    assert serious_accessibility_problems(page) == []

    # The sign form, whose consent names them, links to them as well.
    no_script.goto(f"{url}/sign")
    expect(no_script.get_by_role("link", name="Véhicule, version 1 (PDF)")).to_be_visible()
    screenshot(no_script, "portal-terms-sign-no-script")
    page.goto(f"{url}/sign")
    assert serious_accessibility_problems(page) == []


def test_the_seller_s_proposal_screen_lists_the_terms_it_took(live_server, page, apis):
    admin, seller, garage = apis
    assert upload(admin, VEHICLE_TERMS, kind="vehicle", title="CGV véhicules d'occasion").status_code == 201
    assert upload(admin, terms_pdf("CG ASSURANCE"), kind="insurance", title="CG garantie").status_code == 201
    sent = portal.send(seller, offers.offer(seller, f"{garage.dealer.id.lower()}-seller-terms"))
    page.goto(f"{live_server}/app")
    page.get_by_label("Adresse e-mail").fill(garage.seller.email)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1, name="Leads")).to_be_visible()
    page.goto(f"{live_server}/app#/proposals/{sent.proposal_id}")
    card = page.get_by_role("region", name="Conditions générales")
    expect(card.locator("li", has_text="Véhicule")).to_contain_text(
        "Véhicule : CGV véhicules d'occasion, version 1 — annexées au PDF")
    expect(card.locator("li", has_text="Assurance")).to_contain_text(
        "Assurance : CG garantie, version 1 — seulement si le client choisit l'option")
    expect(card.get_by_role("button", name="Télécharger Véhicule, version 1")).to_be_visible()
    page.wait_for_selector("main:not([aria-busy])")
    card.scroll_into_view_if_needed()
    screenshot(page, "front-proposal-terms")
    assert serious_accessibility_problems(page) == []
