"""A seller keeps the stock through the web front in Chromium: adds a vehicle (a wrong VIN is shown
next to its field), finds it with the filters, changes its price. Each screen is checked with axe."""
import re

from playwright.sync_api import expect

from tests.browser.test_seller_front import garage, heading, log_in, look, open_page  # noqa: F401 (fixtures)


def test_a_seller_adds_a_vehicle_finds_it_and_changes_its_price(live_server, garage, open_page):  # noqa: F811 (fixtures)
    page = open_page()
    log_in(page, live_server, garage.seller.email)
    page.get_by_role("link", name="Stock").click()
    heading(page, "Stock")
    expect(page.get_by_text("Aucun véhicule en stock.")).to_be_visible()
    look(page, "front-vehicles-empty")

    page.get_by_role("button", name="Ajouter un véhicule").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("VIN").fill("1M8GDM9A1KP042788")  # North-American, wrong check digit
    dialog.get_by_label("Marque").fill("Renault")
    dialog.get_by_label("Modèle").fill("Clio")
    dialog.get_by_label("Immatriculation", exact=True).fill("ab 123 cd")
    dialog.get_by_label("Première immatriculation").fill("2021-03-15")
    dialog.get_by_label("Kilométrage (km)").fill("42000")
    dialog.get_by_label("Prix TTC (€)").fill("14 990,00")
    dialog.get_by_label("Régime de TVA").select_option("margin")
    look(page, "front-vehicle-new")
    dialog.get_by_role("button", name="Ajouter").click()
    expect(dialog.locator(".field-error")).to_contain_text(re.compile("check digit", re.I))
    dialog.get_by_label("VIN").fill("VF1RFB00X56789012")
    dialog.get_by_role("button", name="Ajouter").click()
    heading(page, "Renault Clio")
    expect(page.locator("dd", has_text="AB-123-CD")).to_be_visible()
    expect(page.locator(".badge", has_text="Disponible")).to_be_visible()
    look(page, "front-vehicle")

    page.get_by_role("button", name="Modifier").click()
    page.get_by_role("dialog").get_by_label("Prix TTC (€)").fill("13 990,00")
    page.get_by_role("dialog").get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Prix modifié")).to_be_visible()
    expect(page.locator("dd", has_text=re.compile(r"13\s990,00\s€"))).to_be_visible()

    page.get_by_role("navigation", name="Fil d'Ariane").get_by_role("link", name="Stock").click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    page.get_by_label("Recherche").fill("ab123")
    page.get_by_role("button", name="Filtrer").click()
    expect(rows).to_have_count(1)
    page.get_by_label("Statut").select_option(label="Vendu")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_text("Aucun véhicule ne correspond.")).to_be_visible()
    look(page, "front-vehicles-no-match")
