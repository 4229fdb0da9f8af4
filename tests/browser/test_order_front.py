"""Orders in the seller front, in Debian's Chromium: a seller opens an order from a quote, or finds the one a
proposal signed on the portal opened, and takes it to "vendue" with back office, through the order page's actions
(seed 001, docs/orders.md).

Every screen is saved as a screenshot artifact and checked with axe-core (no serious or critical problem).
"""
import re
import time
from datetime import datetime, timedelta, timezone

import requests
from playwright.sync_api import expect

import app as application
from chalicelib.domain import clock, local_time
from chalicelib.domain.dealers import NewUser, Role, Staff
from chalicelib.domain.money import format_euros
from chalicelib.payments.local import sign as stripe_signature
from chalicelib.services import dealers
from chalicelib.settings import DEV_PAYMENT_WEBHOOK_SECRET
from local.client import Client
from tests.browser import test_seller_front as front
from tests.browser.test_live_screens import Phone
from tests.browser.test_seller_front import heading, log_in, look
from tests.integration.test_deposits import DEPOSIT, completed_event, with_deposit
from tests.offers import LINES, offer
from tests.portal import send
from tests.support import Api, body

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n"
garage = front.garage  # the seller front's fixtures: a dealer with a branch, pages per person
open_page = front.open_page
HANDOVER_DOCUMENTS = ["Bon de remise", "Certificat de cession (cerfa 15776)", "Carte grise barrée"]


def back_office(dealer):
    admin = Staff(dealer_id=dealer.dealer.id, user_id=dealer.admin.id, role=Role.ADMIN)
    slug = dealer.dealer.id.lower()
    return dealers.create_user(dealer.dealer.id, NewUser(email=f"adv-{slug}@example.com", name="Bérénice ADV",
                                                         role=Role.BACK_OFFICE), by=admin)


def logged_in(page, base: str, email: str):
    log_in(page, base, email)
    return page


def check(page, label: str) -> None:
    page.get_by_role("button", name=f"Fait : {label}").click()
    expect(page.get_by_role("button", name=f"Fait : {label}")).to_have_count(0)


def handover_day_and_funds(page, today, shots: str) -> None:
    """On a reserved order's page: a handover day refused then set, the handover refused while the payment is not
    settled, the payment method, the transfer confirmed and the rest of the funds received."""
    header = page.get_by_role("region", name="Commande Durand Transports")
    # A seller cannot set the handover out of 10–15 days: the API's reason shows in the dialog.
    page.get_by_role("button", name="Date de cession", exact=True).click()
    dialog = page.get_by_role("dialog", name="Date de cession")
    dialog.get_by_label("Jour de cession").fill((today + timedelta(days=20)).isoformat())
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(dialog.get_by_role("alert")).to_contain_text("voyez avec un manager")
    expect(dialog.get_by_label("Jour de cession")).to_have_attribute("aria-invalid", "true")
    look(page, f"{shots}-handover-refused")
    handover_on = today + timedelta(days=12)
    dialog.get_by_label("Jour de cession").fill(handover_on.isoformat())
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(dialog).to_have_count(0)
    expect(header).to_contain_text(str(handover_on.day))

    # The handover is refused while the payment is not settled: the 409 names what is missing.
    page.get_by_role("button", name="Remettre le véhicule", exact=True).click()
    refusal = page.locator(".order-errors [role=alert]")
    expect(refusal).to_contain_text("il manque")
    expect(refusal).to_contain_text("le moyen de paiement")

    page.get_by_role("button", name="Paiement", exact=True).click()
    dialog = page.get_by_role("dialog", name="Moyen de paiement")
    dialog.get_by_label("Moyen").select_option("transfer")
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(dialog).to_have_count(0)
    page.get_by_role("button", name="Ordre de virement confirmé", exact=True).click()
    expect(page.get_by_role("region", name="Paiements")).to_contain_text("confirmé le")  # the page read again
    page.get_by_role("button", name="Enregistrer un paiement", exact=True).click()
    dialog = page.get_by_role("dialog", name="Enregistrer un paiement", exact=True)
    dialog.get_by_role("button", name="Enregistrer").click()  # the rest to receive, filled in
    expect(dialog).to_have_count(0)
    expect(page.get_by_role("region", name="Paiements")).to_contain_text("reçus le")


def documents_handover_and_sale(page, back_office_page, shots: str) -> None:
    """From the reservation's milestones to "Vendue": the documents sent, back office accepts them (in its own page,
    `back_office_page()` logged in), the handover, the sale day's milestone, "Marquer vendue"."""
    check(page, "Disponibilités du client et du véhicule")
    check(page, "Titulaire de la carte grise : titulaire, cotitulaire ou société")

    for label in HANDOVER_DOCUMENTS:
        form = page.get_by_role("form", name="Ajouter un document")
        form.get_by_label("Type de document").select_option(label=label)
        form.get_by_label("Fichier").set_input_files(
            {"name": f"{label[:10]}.pdf", "mimeType": "application/pdf", "buffer": PDF})
        form.get_by_role("button", name="Envoyer le document").click()
        expect(page.locator(".documents-table tbody tr", has_text=label)).to_contain_text("À contrôler")
    # A seller does not review documents.
    expect(page.get_by_role("button", name=re.compile("^Accepter"))).to_have_count(0)

    # Back office accepts them and checks its guard milestone.
    adv = back_office_page()
    adv.get_by_role("link", name="Commandes").click()
    adv.get_by_role("link", name="Durand Transports").click()
    heading(adv, "Commande Durand Transports")
    # A rejection needs its reason, told next to the field.
    adv.get_by_role("button", name=f"Refuser : {HANDOVER_DOCUMENTS[0]}").click()
    dialog = adv.get_by_role("dialog", name=f"Refuser : {HANDOVER_DOCUMENTS[0]}")
    dialog.get_by_role("button", name="Refuser").click()
    expect(dialog.get_by_label("Motif du refus")).to_have_attribute("aria-invalid", "true")
    look(adv, f"{shots}-reject-reason")
    dialog.get_by_role("button", name="Annuler").click()
    for label in HANDOVER_DOCUMENTS:
        adv.get_by_role("button", name=f"Accepter : {label}").click()
        dialog = adv.get_by_role("dialog", name=f"Accepter : {label}")
        dialog.get_by_role("button", name="Accepter").click()
        expect(dialog).to_have_count(0)
        expect(adv.locator(".documents-table tbody tr", has_text=label)).to_contain_text("Accepté")
    check(adv, "Documents nécessaires validés")
    # Back office opens a received document: a 5-minute presigned link, in a new tab.
    with adv.context.expect_event("request", lambda r: "X-Amz-Expires=300" in r.url) as opened:
        adv.get_by_role("button", name=f"Télécharger : {HANDOVER_DOCUMENTS[0]}").click()
    assert opened.value.method == "GET"

    page.reload()
    heading(page, "Commande Durand Transports")
    page.get_by_role("button", name="Remettre le véhicule", exact=True).click()
    expect(page.get_by_role("region", name="Commande Durand Transports")).to_contain_text("Véhicule remis")
    # "Vendue" waits for the sale day's guard milestone: the page says so before anyone clicks.
    expect(page.get_by_role("region", name="Avant la vente, il manque")).to_contain_text("Documents de cession")
    check(page, "Documents de cession au dossier : bon de remise, certificat de cession (cerfa 15776), "
                "carte grise barrée")
    page.get_by_role("button", name="Marquer vendue", exact=True).click()
    expect(page.get_by_role("region", name="Commande Durand Transports")).to_contain_text("Vendue")
    expect(page.get_by_role("region", name="Historique")).to_contain_text("Document accepté")
    look(page, f"{shots}-sold")


def test_a_seller_takes_an_order_from_the_quote_to_sold_with_back_office(live_server, garage, open_page):
    api = Api(Client(application.app), garage.token(garage.seller))
    quote_id = offer(api, "order").quote_id
    office = back_office(garage)
    today = local_time.paris_date(clock.now())

    page = open_page()
    log_in(page, live_server, garage.seller.email)
    page.get_by_role("link", name="Commandes").click()
    heading(page, "Commandes")
    expect(page.get_by_text("Aucune commande pour l'instant.")).to_be_visible()

    # "Créer une commande" from the quote: a showroom reservation with its acompte.
    page.goto(f"{live_server}/app#/quotes/{quote_id}")
    heading(page, re.compile(r"^Devis D"))
    page.get_by_role("button", name="Créer une commande", exact=True).click()
    dialog = page.get_by_role("dialog", name="Créer une commande", exact=True)
    dialog.get_by_label("Acompte reçu (€)").fill("500")
    dialog.get_by_label("Réglé par").select_option("transfer")
    dialog.get_by_role("button", name="Créer la commande").click()
    heading(page, "Commande Durand Transports")
    header = page.get_by_role("region", name="Commande Durand Transports")
    expect(header).to_contain_text("Réservée")
    expect(header).to_contain_text("Prochaine action")
    look(page, "front-order")

    handover_day_and_funds(page, today, "front-order")

    # The task overview lists the seller's milestones of the order, by due time, each opening the order.
    page.get_by_role("link", name="Tâches", exact=True).click()
    heading(page, "Aperçu des tâches")
    first = page.locator(".task-list tbody tr").first
    expect(first).to_contain_text("Durand Transports")
    expect(page.locator(".task-list")).to_contain_text("Étape de commande")
    look(page, "front-tasks")
    page.get_by_role("link", name="Disponibilités du client et du véhicule").click()
    heading(page, "Commande Durand Transports")

    documents_handover_and_sale(page, lambda: logged_in(open_page(), live_server, office.email), "front-order")

    page.get_by_role("link", name="Commandes").first.click()
    heading(page, "Commandes")
    expect(page.locator(".orders-table tbody tr").first).to_contain_text("Vendue")
    look(page, "front-orders")

    # The same screens fit a tablet without scrolling sideways.
    page.set_viewport_size(front.TABLET)
    for hash_path, title in [("#/orders", "Commandes"), (f"#/orders/{order_id(page)}", "Commande Durand Transports"),
                             ("#/tasks", "Aperçu des tâches"), (f"#/quotes/{quote_id}", re.compile(r"^Devis D"))]:
        page.goto(f"{live_server}/app{hash_path}")
        heading(page, title)
        page.wait_for_selector("main:not([aria-busy])")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= front.TABLET["width"], f"{hash_path} scrolls sideways ({width} px)"


def test_a_seller_runs_an_order_signed_on_the_portal_to_sold_with_back_office(live_server, garage, open_page):
    """Issue 12: the order a proposal opens when the customer signs it on the portal and pays the acompte by card,
    run to "Vendue" by the seller and back office through the order screen."""
    with_deposit(garage, DEPOSIT)  # before sending: the proposal takes the dealer's acompte
    api = Api(Client(application.app), garage.token(garage.seller))
    sent = send(api, offer(api, "signed"))
    office = back_office(garage)
    today = local_time.paris_date(clock.now())

    # The customer reads and signs on the portal, over HTTP to the served app; the card payment's webhook lands.
    phone = Phone(live_server, sent)
    phone.view()
    phone.sign()
    event = completed_event(sent, garage.dealer.id, DEPOSIT)
    paid = requests.post(f"{live_server}/payments/webhook", data=event, timeout=60,
                         headers={"content-type": "application/json; charset=utf-8",
                                  "stripe-signature": stripe_signature(event, DEV_PAYMENT_WEBHOOK_SECRET,
                                                                       int(time.time()))})
    assert paid.status_code == 200, paid.text[:500]

    page = open_page()
    log_in(page, live_server, garage.seller.email)
    page.get_by_role("link", name="Commandes").click()
    heading(page, "Commandes")
    row = page.locator(".orders-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Réservée")
    row.get_by_role("link", name="Durand Transports").click()
    heading(page, "Commande Durand Transports")
    header = page.get_by_role("region", name="Commande Durand Transports")
    expect(header).to_contain_text("Réservée")
    # The acompte paid by card on the portal is on the order before the seller does anything.
    payments = page.get_by_role("region", name="Paiements")
    expect(payments).to_contain_text(f"{format_euros(DEPOSIT)} · Acompte")
    expect(page.get_by_role("region", name="Historique")).to_contain_text("Paiement enregistré")
    look(page, "front-order-signed")

    handover_day_and_funds(page, today, "front-order-signed")
    documents_handover_and_sale(page, lambda: logged_in(open_page(), live_server, office.email),
                                "front-order-signed")

    page.get_by_role("link", name="Commandes").first.click()
    heading(page, "Commandes")
    expect(page.locator(".orders-table tbody tr").first).to_contain_text("Vendue")
    # The signed proposal sold: it is the order's origin, and it reads as the order page says.
    page.goto(f"{live_server}/app#/proposals/{sent.proposal_id}")
    heading(page, re.compile(r"^Proposition P"))
    expect(page.locator(".proposal-header .badge")).to_have_text("Acceptée")
    look(page, "front-order-signed-proposal")


def test_a_cancellation_after_funds_shows_its_steps_and_what_the_manager_still_lacks(live_server, garage, open_page):
    api = Api(Client(application.app), garage.token(garage.seller))
    opened = api.post("/orders", {"quote_id": offer(api, "cancel").quote_id, "deposit_paid_cents": 50_000})
    assert opened.status_code == 201, opened.body
    order_id_, total = body(opened)["order"]["id"], body(opened)["order"]["total_ttc_cents"]
    assert api.send("PUT", f"/orders/{order_id_}/payment-plan", {"method": "transfer"}).status_code == 200
    assert api.post(f"/orders/{order_id_}/payments", {"amount_cents": total - 50_000}).status_code == 201
    admin = Staff(dealer_id=garage.dealer.id, user_id=garage.admin.id, role=Role.ADMIN)
    manager = dealers.create_user(garage.dealer.id, NewUser(
        email=f"manager-{garage.dealer.id.lower()}@example.com", name="Marc Manager", role=Role.MANAGER), by=admin)

    page = open_page()
    log_in(page, live_server, garage.seller.email)
    page.goto(f"{live_server}/app#/orders/{order_id_}")
    heading(page, "Commande Durand Transports")
    page.get_by_role("button", name="Annuler la commande").click()
    dialog = page.get_by_role("dialog", name="Annuler la commande")
    expect(dialog).to_contain_text("deux pièces d'identité")
    dialog.get_by_role("button", name="Demander l'annulation").click()
    steps = page.get_by_role("region", name="Annulation")
    expect(steps).to_contain_text("À faire — RIB du client")
    expect(steps).to_contain_text("art. L221-24")
    page.get_by_role("button", name="Saisir le RIB").click()
    dialog = page.get_by_role("dialog", name="RIB du client pour le remboursement")
    dialog.get_by_label("IBAN").fill("FR76 3000 6000 0112 3456 7890 188")  # a wrong check digit
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(dialog.get_by_label("IBAN")).to_have_attribute("aria-invalid", "true")
    dialog.get_by_label("IBAN").fill("FR76 3000 6000 0112 3456 7890 189")
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(dialog).to_have_count(0)
    expect(steps).to_contain_text("Fait — RIB du client")
    expect(page.get_by_role("button", name="Valider le remboursement")).to_have_count(0)  # a seller does not
    look(page, "front-order-cancelling")

    boss = open_page()
    log_in(boss, live_server, manager.email)
    boss.goto(f"{live_server}/app#/orders/{order_id_}")
    heading(boss, "Commande Durand Transports")
    boss.get_by_role("button", name="Valider le remboursement").click()
    refusal = boss.locator(".order-errors [role=alert]")
    expect(refusal).to_contain_text("il manque")
    expect(refusal).to_contain_text("pièce(s) d'identité")
    expect(boss.get_by_role("region", name="Commande Durand Transports")).to_contain_text("Annulation en cours")


def test_the_orders_list_shows_overdue_orders_first_reads_more_and_filters(live_server, garage, open_page):
    api = Api(Client(application.app), garage.token(garage.seller))
    made = offer(api, "list")

    def opened() -> str:
        quote = api.post("/quotes", {"account_id": made.account_id, "contact_id": made.contact_id,
                                     "origin": "contact", "lines": LINES})
        assert quote.status_code == 201, quote.body
        order = api.post("/orders", {"quote_id": body(quote)["id"]})
        assert order.status_code == 201, order.body
        return body(order)["order"]["id"]

    clock.set_source(lambda: datetime.now(timezone.utc) - timedelta(days=3))  # its first milestones are past due
    late = opened()
    clock.reset()
    others = [opened() for _ in range(25)]
    cancelled = api.post(f"/orders/{others[0]}/cancellation", {"reason": "cancellation"})
    assert cancelled.status_code == 200, cancelled.body

    page = open_page()
    log_in(page, live_server, garage.seller.email)
    page.get_by_role("link", name="Commandes").click()
    heading(page, "Commandes")
    rows = page.locator(".orders-table tbody tr")
    expect(rows).to_have_count(25)
    expect(rows.first).to_contain_text("En retard")
    expect(rows.first.get_by_role("link")).to_have_attribute("href", f"#/orders/{late}")
    expect(rows.first).to_have_class(re.compile(r"\boverdue\b"))
    expect(rows.last).not_to_have_class(re.compile(r"\boverdue\b"))
    look(page, "front-orders-many")
    page.get_by_role("button", name="Plus de résultats").click()
    expect(rows).to_have_count(26)
    expect(page.get_by_text("Toutes les commandes sont affichées.")).to_be_visible()

    page.get_by_label("Statut").select_option(label="Annulation en cours")
    page.get_by_role("button", name="Filtrer").click()
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"#/orders\?status=cancelling$"))
    page.get_by_label("Statut").select_option(label="Vendue")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_text("Aucune commande avec ce statut.")).to_be_visible()


def order_id(page) -> str:
    return page.locator(".orders-table tbody a").first.get_attribute("href").rsplit("/", 1)[1]
