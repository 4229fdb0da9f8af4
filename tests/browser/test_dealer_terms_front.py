"""The dealer's terms in the seller front's settings, in Debian's Chromium (issue 16 item 1): an admin
uploads the vehicle terms (straight to S3), sees them in force, replaces them, and a seller reads them
without the admin's controls. Every screen is saved as a screenshot artifact and checked with axe-core."""
from playwright.sync_api import expect

from chalicelib.services import terms
from tests.browser import test_seller_front as front
from tests.browser.test_seller_front import heading, log_in, look
from tests.terms_support import terms_pdf

garage = front.garage  # the seller front's fixtures: a dealer with a branch, pages per person
open_page = front.open_page


def upload(page, title: str, name: str = "cgv-vo.pdf", data: bytes | None = None) -> None:
    form = page.get_by_role("form", name="Déposer des conditions générales")
    form.get_by_label("Type de produit").select_option(label="Véhicule")
    form.get_by_label("Titre").fill(title)
    form.get_by_label("Fichier PDF (10 Mo au plus)").set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": data or terms_pdf(title.upper())}])
    form.get_by_role("button", name="Déposer").click()


def test_an_admin_uploads_and_replaces_the_vehicle_terms_and_a_seller_reads_them(live_server, garage, open_page):
    page = open_page()
    log_in(page, live_server, garage.admin.email)
    page.goto(f"{live_server}/app#/settings/terms")
    heading(page, "Paramètres")
    section = page.get_by_role("region", name="Conditions générales")
    row = section.locator("tbody tr", has_text="Véhicule")
    expect(row).to_contain_text("Aucune")
    look(page, "front-settings-terms-empty")

    # A file that is not a PDF is refused on the form, before anything is sent.
    form = page.get_by_role("form", name="Déposer des conditions générales")
    form.get_by_label("Titre").fill("CGV VO")
    form.get_by_label("Fichier PDF (10 Mo au plus)").set_input_files(
        files=[{"name": "cgv.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n"}])
    form.get_by_role("button", name="Déposer").click()
    expect(form.get_by_label("Fichier PDF (10 Mo au plus)")).to_have_attribute("aria-invalid", "true")
    look(page, "front-settings-terms-not-a-pdf")

    upload(page, "CGV VO 2026")
    expect(page.get_by_text("Version 1 en vigueur.")).to_be_visible()
    expect(row).to_contain_text("CGV VO 2026 (version 1, 2 p.)")
    upload(page, "CGV VO 2027")
    expect(row).to_contain_text("CGV VO 2027 (version 2, 2 p.)")
    page.get_by_text("Versions précédentes (1)").click()
    expect(section.locator("details li")).to_contain_text("CGV VO 2026 · version 1")
    look(page, "front-settings-terms")
    kind = terms.listed(garage.dealer.id).of("vehicle")
    assert [v.title for v in kind.versions] == ["CGV VO 2027", "CGV VO 2026"]

    seller = open_page()
    log_in(seller, live_server, garage.seller.email)
    seller.goto(f"{live_server}/app#/settings/terms")
    section = seller.get_by_role("region", name="Conditions générales")
    expect(section.locator("tbody tr", has_text="Véhicule")).to_contain_text("CGV VO 2027")
    expect(section.get_by_text("Seul un administrateur de la concession peut déposer")).to_be_visible()
    expect(seller.get_by_role("form", name="Déposer des conditions générales")).to_have_count(0)
    expect(section.get_by_role("button", name="Retirer")).to_have_count(0)
    look(seller, "front-settings-terms-seller")
