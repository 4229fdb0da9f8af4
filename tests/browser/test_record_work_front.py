"""Seed 003 in the seller front, in Debian's Chromium: a task on a quote, added, seen in the task overview,
completed; the customer's vehicles on their account page, and a warranty-extension quote started from one.

Every screen is saved as a screenshot artifact and checked with axe-core (no serious or critical problem).
"""
import re

from playwright.sync_api import expect

import app as application
from local.client import Client
from tests.browser import test_seller_front as front
from tests.browser.test_seller_front import heading, log_in, look
from tests.offers import offer
from tests.support import Api

garage = front.garage  # the seller front's fixtures: a dealer with a branch, pages per person
open_page = front.open_page


def test_a_seller_adds_a_task_to_a_quote_sees_it_in_the_overview_and_completes_it(live_server, garage, open_page):
    api = Api(Client(application.app), garage.token(garage.seller))
    quote_id = offer(api, "task").quote_id
    page = open_page()
    log_in(page, live_server, garage.seller.email)
    page.goto(f"{live_server}/app#/quotes/{quote_id}")
    work = page.get_by_role("region", name="Tâches et documents")
    expect(work.get_by_text("Aucune tâche.")).to_be_visible()
    work.get_by_role("button", name="Ajouter une tâche").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Titre").fill("Rappeler pour l'extension de garantie")
    dialog.get_by_label("Échéance").fill("2030-01-15T10:00")
    look(page, "front-quote-task-new")
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(work.locator(".work-task", has_text="Rappeler pour l'extension de garantie")).to_be_visible()
    look(page, "front-quote-task")

    page.get_by_role("link", name="Tâches", exact=True).click()
    heading(page, "Aperçu des tâches")
    row = page.locator("tr", has_text="Rappeler pour l'extension de garantie")
    expect(row).to_contain_text("Tâche de devis")
    look(page, "front-tasks-with-a-quote-task")
    row.get_by_role("link", name="Rappeler pour l'extension de garantie").click()

    work = page.get_by_role("region", name="Tâches et documents")
    work.get_by_role("button", name="Terminer").click()
    expect(work.get_by_text(re.compile("terminée le"))).to_be_visible()
    expect(work.locator(".work-history")).to_contain_text("Tâche terminée")
    look(page, "front-quote-task-done")
    page.get_by_role("link", name="Tâches", exact=True).click()
    heading(page, "Aperçu des tâches")
    expect(page.get_by_text("Rappeler pour l'extension de garantie")).to_have_count(0)


def test_a_seller_opens_a_customer_s_vehicles_and_starts_a_warranty_quote(live_server, garage, open_page):
    api = Api(Client(application.app), garage.token(garage.seller))
    sold = offer(api, "parc")
    opened = api.post("/orders", {"quote_id": sold.quote_id, "deposit_paid_cents": 50_000,
                                  "deposit_method": "transfer"})
    assert opened.status_code == 201, opened.body
    page = open_page()
    log_in(page, live_server, garage.seller.email)
    page.goto(f"{live_server}/app#/quotes/{sold.quote_id}")
    page.locator(".page-head").get_by_role("link").click()
    parc = page.get_by_role("region", name="Véhicules du client")
    row = parc.locator("tbody tr", has_text="Peugeot 308")
    expect(row).to_contain_text("Acheté chez nous")
    expect(row).to_contain_text("AB-123-CD")
    look(page, "front-account-vehicles")

    row.get_by_role("button", name="Devis extension de garantie").click()
    heading(page, re.compile(r"^Devis D\d{4}-\d{5}$"))
    line = page.get_by_role("group", name="Ligne 1 Assurance")
    expect(line.get_by_label("Libellé")).to_have_value("Extension de garantie")
    expect(page.get_by_label("Notes (imprimées sur le devis)")).to_have_value(re.compile("AB-123-CD"))
    look(page, "front-after-sales-quote")
