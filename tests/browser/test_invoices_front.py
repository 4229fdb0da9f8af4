"""Invoices in the seller front, in Debian's Chromium: a seller invoices a service contract from its quote,
finds the invoice in the list, opens it and downloads its PDF; a manager credits part of it (docs/invoices.md).

Every screen is saved as a screenshot artifact and checked with axe-core (no serious or critical problem).
"""
import re

from playwright.sync_api import expect

import app as application
from chalicelib.domain.customers import AccountKind, NewAccount, NewContact
from chalicelib.services import customers
from local.client import Client
from tests.browser import test_seller_front as front
from tests.browser.test_seller_front import heading, log_in, look
from tests.support import Api, body

garage = front.garage  # the seller front's fixtures: a dealer with its legal details, pages per person
open_page = front.open_page


def service_quote(garage) -> str:
    api = Api(Client(application.app), garage.token(garage.seller))
    account = customers.create_account(garage.dealer.id, NewAccount(
        kind=AccountKind.COMPANY, name="Durand Transports", siren="552100554",
        contact=NewContact(first_name="Marie", last_name="Durand", email="marie@example.com")))
    answer = api.post("/quotes", {"account_id": account.account.id, "lines": [
        {"kind": "service_contract", "label": "Contrat d'entretien 36 mois", "unit_price_cents": 90_000,
         "vat_rate": 20}]})
    assert answer.status_code == 201, answer.body
    return body(answer)["id"]


def test_a_seller_invoices_a_quote_then_finds_opens_and_downloads_the_invoice(live_server, garage, open_page):
    quote_id = service_quote(garage)
    page = open_page()
    log_in(page, live_server, garage.seller.email)
    page.get_by_role("link", name="Factures").click()
    heading(page, "Factures")
    expect(page.get_by_text("Aucune facture pour l'instant.")).to_be_visible()
    look(page, "front-invoices-empty")

    page.goto(f"{live_server}/app#/quotes/{quote_id}")
    heading(page, re.compile(r"^Devis D"))
    page.get_by_role("button", name="Facturer", exact=True).click()
    heading(page, re.compile(r"^Facture F\d+$"))
    number = page.get_by_role("heading", level=1).inner_text().removeprefix("Facture ")

    page.get_by_role("link", name="Factures", exact=True).first.click()
    heading(page, "Factures")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=number))
    expect(row).to_contain_text("Durand Transports")
    expect(row).to_contain_text("1\u202f080,00\u00a0€")
    look(page, "front-invoices")
    # The accountant's export: this month so far, as CSV.
    with page.expect_download() as exported:
        page.get_by_role("button", name="Exporter (CSV)").click()
    assert exported.value.suggested_filename.startswith("factures-")
    with open(exported.value.path(), encoding="utf-8") as csv:
        assert csv.readline().startswith("numero;type;date") and csv.readline().startswith(f"{number};standard;")

    row.get_by_role("link", name=number).click()
    heading(page, f"Facture {number}")
    expect(page.get_by_role("region", name="Lignes", exact=True)).to_contain_text("Contrat d'entretien 36 mois")
    totals = page.get_by_role("region", name="Totaux", exact=True)
    expect(totals).to_contain_text("TVA 20 % sur 900,00\u00a0€")
    expect(totals).to_contain_text("1\u202f080,00\u00a0€")
    # A seller may not credit an invoice: the button says who can.
    expect(page.get_by_role("button", name="Créer un avoir")).to_be_disabled()
    look(page, "front-invoice")
    pdf_url = re.compile(rf"/dealers/[^/]+/invoices/{number}\.pdf\?")
    with page.context.expect_event("request", lambda request: bool(pdf_url.search(request.url))) as pdf:
        page.get_by_role("button", name="Télécharger (PDF)").click()
    assert pdf.value.method == "GET"


def test_a_manager_credits_part_of_an_invoice_with_errors_inline(live_server, garage, open_page):
    api = Api(Client(application.app), garage.token(garage.seller))
    number = body(api.post(f"/quotes/{service_quote(garage)}/invoice"))["number"]
    page = open_page()
    log_in(page, live_server, garage.admin.email)
    page.goto(f"{live_server}/app#/invoices/{number}")
    heading(page, f"Facture {number}")
    page.get_by_role("button", name="Créer un avoir").click()
    dialog = page.get_by_role("dialog", name=f"Avoir sur la facture {number}")
    dialog.get_by_label("Montant TTC (€)").fill("5000")
    dialog.get_by_label("Motif").fill("Geste commercial")
    dialog.get_by_role("button", name="Émettre l'avoir").click()
    expect(dialog.get_by_role("alert")).to_be_visible()
    look(page, "front-credit-note-refused")
    dialog.get_by_label("Montant TTC (€)").fill("80")
    dialog.get_by_role("button", name="Émettre l'avoir").click()
    heading(page, re.compile(r"^Avoir F\d+$"))
    expect(page.get_by_role("link", name=re.compile(rf"^{number} du "))).to_be_visible()
    expect(page.get_by_role("region", name="Totaux", exact=True)).to_contain_text("80,00\u00a0€")
    note = page.get_by_role("heading", level=1).inner_text().removeprefix("Avoir ")
    page.get_by_role("link", name=re.compile(rf"^{number} du ")).click()
    heading(page, f"Facture {number}")
    expect(page.get_by_role("region", name="Avoirs").get_by_role("link", name=note)).to_be_visible()
    look(page, "front-invoice-credit-notes")
    look(page, "front-credit-note")
