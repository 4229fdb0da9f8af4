"""A seller works through the web front in Debian's Chromium: from a lead to a sent proposal.

Every screen is saved as a screenshot artifact and checked with axe-core (no serious or
critical problem). The customer's signature needs the portal: that test runs once
chalicelib.api.portal exists.
"""
import importlib.util
import json
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

import app as application
from chalicelib.auth import tokens
from chalicelib.documents import storage
from chalicelib.domain import clock
from chalicelib.domain.dealers import NewBranch, Staff
from chalicelib.domain.proposals.status import ProposalStatus
from chalicelib.services import dealers
from chalicelib.settings import settings
from chalicelib.store import proposals as proposal_store
from local.client import Client
from tests.browser.conftest import screenshot, serious_accessibility_problems
from tests.browser.fake_cognito import FakeCognito
from tests.offers import emails_to, offer, propose, read, token_in, with_legal
from tests.support import Api, body, tenant

DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}
CUSTOMER = "helene.martin@example.com"
TOTAL = re.compile(r"19\s049,95\s€")  # French format: narrow no-break spaces


@pytest.fixture
def garage(live_server):
    """A dealer with remote selling, its legal information (proposals need it) and a branch."""
    garage = with_legal(tenant())
    admin = Staff(dealer_id=garage.dealer.id, user_id=garage.admin.id, role=garage.admin.role)
    garage.dealer = dealers.add_branch(garage.dealer.id, NewBranch(name="Tilleuls Villeurbanne"), by=admin)
    return garage


@pytest.fixture
def open_page(chromium):
    """Pages in fresh browser contexts (one per person), closed after the test."""
    contexts = []

    def make(viewport=DESKTOP, bypass_csp=True):
        # bypass_csp lets axe-core be injected as an inline script; test_the_front_runs_under_its_policy
        # checks the front itself under its Content-Security-Policy.
        context = chromium.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport=viewport,
                                       bypass_csp=bypass_csp)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.script_errors = []
        page.on("pageerror", lambda error: page.script_errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()


def look(page, name: str) -> None:
    """A screen as the person sees it: saved as an artifact, free of serious accessibility problems."""
    page.wait_for_selector("main:not([aria-busy])")
    page.evaluate("window.scrollTo(0, 0)")  # sticky parts at their place in a full-page capture
    page.wait_for_timeout(150)  # let focus and live regions settle
    screenshot(page, name)
    assert serious_accessibility_problems(page) == [], name
    assert page.script_errors == [], name


def log_in(page, base: str, email: str, name: str | None = None) -> None:
    page.goto(f"{base}/app")
    expect(page.get_by_role("heading", name="Connexion vendeur")).to_be_visible()
    if name:
        look(page, name)
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1, name="Leads")).to_be_visible()


def heading(page, text) -> None:
    expect(page.get_by_role("heading", level=1, name=text)).to_be_visible()


def sell_through_the_front(page, base: str, garage, looking: bool = True, customer: str = CUSTOMER) -> str:
    """Log in, create a lead, make an offer with a vehicle, propose it and send it; returns the reference."""
    shot = look if looking else (lambda *_: None)
    log_in(page, base, garage.seller.email, "front-login" if looking else None)
    expect(page.get_by_text("Aucun lead pour l'instant.")).to_be_visible()
    shot(page, "front-leads-empty")

    page.get_by_role("link", name="Nouveau lead").first.click()
    heading(page, "Nouveau lead")
    page.get_by_label("Source").fill("Site web")
    page.get_by_role("button", name="Créer le lead").click()
    # The API names the empty contact: its message lands next to the field.
    expect(page.get_by_label("Nom complet")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-error").first).to_be_visible()
    shot(page, "front-new-lead-errors")
    page.get_by_label("Nom complet").fill("Hélène Martin")
    page.get_by_label("E-mail").fill(customer)
    page.get_by_label("Mobile").fill("06 12 34 56 78")
    page.get_by_role("button", name="Créer le lead").click()
    heading(page, "Hélène Martin")
    expect(page.locator(".lead-header")).to_contain_text("En traitement")
    expect(page.locator(".lead-header")).to_contain_text("Reste")
    shot(page, "front-lead")
    page.get_by_role("tab", name="Suivi").click()
    expect(page.get_by_role("heading", name="Échéance de contact")).to_be_visible()
    shot(page, "front-lead-follow-up")
    page.get_by_role("tab", name="Contacts").click()
    expect(page.get_by_role("tabpanel")).to_contain_text("+33612345678")
    shot(page, "front-lead-contacts")

    page.get_by_role("button", name="Offre").click()
    dialog = page.get_by_role("dialog", name="Nouvelle offre")
    expect(dialog.get_by_label("Nom", exact=True)).to_have_value("Martin")
    shot(page, "front-offer-dialog")
    dialog.get_by_role("button", name="Créer le devis").click()
    heading(page, re.compile(r"^Devis D"))
    expect(page.get_by_text("Aucune ligne")).to_be_visible()
    shot(page, "front-quote-new")

    page.get_by_role("button", name="Véhicule", exact=True).click()
    page.locator('[name="lines.0.label"]').fill("Peugeot 308 1.2 PureTech 130 Allure")
    page.locator('[name="lines.0.unit_price_cents"]').fill("15 825")
    page.locator('[name="lines.0.vehicle.make"]').fill("Peugeot")
    page.locator('[name="lines.0.vehicle.model"]').fill("308")
    page.locator('[name="lines.0.vehicle.vin"]').fill("VF3LBHNSJKS12345")  # 16 characters: refused by the API
    page.get_by_role("button", name="Accessoire", exact=True).click()
    page.locator('[name="lines.1.label"]').fill("Tapis de sol")
    page.locator('[name="lines.1.quantity"]').fill("4")
    page.locator('[name="lines.1.unit_price_cents"]').fill("12,49")
    # Live totals while typing: 15 825 € + 20 % = 18 990 €; 4 × 12,49 € + 20 % = 59,95 €.
    expect(page.locator(".totals .grand")).to_contain_text(TOTAL)
    expect(page.get_by_text("Totaux (calcul provisoire)")).to_be_visible()
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    vin = page.locator('[name="lines.0.vehicle.vin"]')
    expect(vin).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#{vin.get_attribute('aria-describedby').split()[-1]}")).to_have_text("Format invalide.")
    shot(page, "front-quote-field-error")
    vin.fill("VF3LBHNSJKS123456")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Enregistré (version 2).")).to_be_visible()
    expect(page.locator(".totals .grand")).to_contain_text(TOTAL)
    shot(page, "front-quote")
    # The API's PDF route renders the quote and gives a short-lived URL, opened in a new tab.
    pdf_url = re.compile(r"/dealers/[^/]+/quotes/[^/]+/v2\.pdf\?")
    with page.context.expect_event("request", lambda request: bool(pdf_url.search(request.url))) as pdf:
        page.get_by_role("button", name="Aperçu PDF").click()
    assert pdf.value.method == "GET"

    page.get_by_role("button", name="Créer la proposition").click()
    seller_block = page.get_by_role("dialog", name="Vos coordonnées pour le client")
    expect(seller_block.get_by_label("Nom affiché")).to_have_value("Victor Vendeur")
    seller_block.get_by_label("Téléphone").fill("06 11 22 33 44")
    shot(page, "front-seller-block-dialog")
    seller_block.get_by_role("button", name="Créer la proposition").click()
    heading(page, re.compile(r"^Proposition P"))
    expect(page.locator(".badge").first).to_have_text("Brouillon")
    shot(page, "front-proposal-draft")
    reference = page.get_by_role("heading", level=1).inner_text().removeprefix("Proposition ")

    page.get_by_role("button", name="Envoyer au client").click()
    send = page.get_by_role("dialog", name="Envoyer la proposition")
    expect(send.get_by_label("Demander la signature électronique")).to_be_checked()
    expect(send.get_by_label("Destinataire")).to_contain_text(customer)
    shot(page, "front-send-dialog")
    send.get_by_role("button", name="Envoyer", exact=True).click()
    expect(page.locator(".badge").first).to_have_text("Envoyée")
    expect(page.get_by_role("complementary", name="Historique")).to_contain_text("Envoyée par e-mail")
    shot(page, "front-proposal-sent")

    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Propositions").click()
    heading(page, "Propositions")
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Envoyée")
    expect(row).to_contain_text("Hélène Martin")
    expect(row).to_contain_text("Jamais")  # no view yet
    shot(page, "front-proposals")
    return reference


def test_a_seller_creates_a_lead_makes_an_offer_and_sends_the_proposal(live_server, garage, open_page):
    page = open_page()
    reference = sell_through_the_front(page, live_server, garage)

    sent = [read(message) for message in emails_to(CUSTOMER)]
    assert len(sent) == 1 and reference in sent[0].subject
    assert token_in(sent[0])

    navigation = page.get_by_role("navigation", name="Navigation principale")
    navigation.get_by_role("link", name="Leads").click()
    row = page.get_by_role("row").filter(has_text="Hélène Martin")
    expect(row).to_contain_text("En traitement")
    shot_name = "front-leads"
    look(page, shot_name)
    row.get_by_role("link", name="Hélène Martin").click()
    expect(page.locator(".counts")).to_contain_text("1 offre")
    expect(page.get_by_role("tabpanel")).to_contain_text("Devis D")
    look(page, "front-lead-with-offer")

    navigation.get_by_role("link", name="Devis").click()
    heading(page, "Devis")
    expect(page.get_by_role("row").filter(has_text="Hélène Martin")).to_contain_text(TOTAL)
    look(page, "front-quotes")


def test_the_customer_s_browser_counts_the_view_and_the_list_shows_it_when_opened_again(live_server, garage,
                                                                                         open_page):
    page = open_page()
    reference = sell_through_the_front(page, live_server, garage)
    # Earlier tests of this module wrote to the same customer: this proposal's email is the latest.
    sent = read(emails_to(CUSTOMER)[-1])
    customer = open_page(bypass_csp=False)  # the portal's own policy lets its image load
    with customer.expect_response(lambda answer: answer.url.endswith("/seen.svg")) as seen:
        customer.goto(f"{live_server}/p/{token_in(sent)}")
    assert seen.value.status == 200

    # The list is read again when its own link is clicked (no stale "Envoyée · 0 vue").
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Propositions").click()
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Consultée")
    row.get_by_role("link", name=reference).click()
    history = page.get_by_role("complementary", name="Historique")
    expect(history).to_contain_text("Lien ouvert")
    expect(history).to_contain_text("Consultée par le client")
    expect(history).to_contain_text("1 vue par jour")


def test_every_action_of_the_lead_page_works_from_its_dialog(live_server, garage, open_page):
    api = Api(Client(application.app), garage.token(garage.seller))
    created = api.post("/leads", {"type": "new_vehicle_sale", "source": "Showroom",
                                  "contacts": [{"name": "Paul Lefèvre", "email": "paul@example.com"}]})
    lead_id = body(created)["id"]
    page = open_page()
    log_in(page, live_server, garage.seller.email)
    page.goto(f"{live_server}/app#/leads/{lead_id}")
    heading(page, "Paul Lefèvre")
    history = page.get_by_role("complementary", name="Historique")

    def act(button: str, title: str, fill, done: str, name: str | None = None):
        page.get_by_role("group", name="Actions sur le lead").get_by_role("button", name=button).click()
        dialog = page.get_by_role("dialog", name=title)
        expect(dialog.locator(".actions")).to_be_visible()
        fill(dialog)
        if name:
            look(page, name)
        dialog.locator('button[type="submit"]').click()
        expect(page.get_by_role("status").filter(has_text=done)).to_be_visible()
        expect(dialog).to_be_hidden()

    def trade_in(d):
        d.get_by_label("Véhicule").fill("Renault Clio IV 1.5 dCi")
        d.get_by_label("Immatriculation").fill("ab-123-cd")
        d.get_by_label("Kilométrage (km)").fill("85 000")
        d.get_by_label("Valeur estimée (€)").fill("6 500,00")
    act("Reprise", "Reprise", trade_in, "Reprise ajoutée.", "front-lead-trade-in-dialog")
    expect(page.locator(".counts")).to_contain_text("1 reprise")

    def test_drive(d):
        d.get_by_label("Véhicule").fill("Peugeot 3008 Hybrid")
        d.get_by_label("N° de permis").fill("123456789012")
        d.get_by_label("J'ai vérifié le permis de conduire du client").check()
    act("Essai", "Essai routier", test_drive, "Essai enregistré.")
    expect(page.locator(".counts")).to_contain_text("1 essai")

    act("Remarque", "Remarque", lambda d: d.get_by_label("Texte").fill("Rappeler après 18 h."), "Remarque ajoutée.")

    def document(d):
        d.get_by_label("Titre").fill("Pièce d'identité")
        d.get_by_label("Fichier").set_input_files(
            files=[{"name": "identite.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 carte d'identite"}])
    act("Document", "Document", document, "Document ajouté.", "front-lead-document-dialog")
    documents = api.get(f"/leads/{lead_id}")
    stored = body(documents)["details"]["documents"][0]
    assert storage.content_type_of(stored["s3_key"]) == "application/pdf"  # the browser's PUT reached the bucket

    def email(d):
        d.get_by_label("Objet").fill("Votre visite")
        d.get_by_label("Message").fill("Bonjour, voici le document demandé.")
        d.get_by_label("Pièce jointe").select_option(label="Document : Pièce d'identité")
    act("E-mail", "E-mail au client", email, "E-mail envoyé.", "front-lead-email-dialog")
    sent = [read(m) for m in emails_to("paul@example.com")]
    assert [m.subject for m in sent] == ["Votre visite"] and sent[0].attachments == ["identite.pdf"]

    act("Tâche", "Tâche", lambda d: d.get_by_label("Titre").fill("Envoyer l'offre de reprise"), "Tâche planifiée.")
    page.get_by_role("button", name="Terminer").click()
    expect(page.get_by_role("status").filter(has_text="Tâche terminée.")).to_be_visible()

    act("Attribuer", "Attribuer le lead", lambda d: d.get_by_label("Site").select_option(label="Tilleuls Villeurbanne"),
        "Lead attribué.")
    expect(page.locator(".lead-header")).to_contain_text("Tilleuls Villeurbanne")

    page.get_by_role("tab", name="Suivi").click()
    page.get_by_role("button", name="Noter un contact").click()
    contact = page.get_by_role("dialog", name="Noter un contact")
    contact.get_by_label("Note").fill("Joint par téléphone.")
    contact.locator('button[type="submit"]').click()
    expect(page.get_by_role("tabpanel")).to_contain_text("Contact fait")

    page.get_by_role("tab", name="Contacts").click()
    page.get_by_role("button", name="Ajouter un contact").click()
    added = page.get_by_role("dialog", name="Ajouter un contact")
    added.get_by_label("Nom complet").fill("Julie Lefèvre")
    added.get_by_label("Mobile").fill("06 39 98 00 02")
    added.locator('button[type="submit"]').click()
    expect(page.get_by_role("tabpanel")).to_contain_text("Julie Lefèvre")

    def lost(d):
        d.get_by_role("radio", name="Perdue").check()
        d.get_by_label("Motif (si perdue)").fill("A acheté ailleurs.")
    act("Statut", "Statut du lead", lost, "Statut du lead : Perdue.", "front-lead-status-dialog")
    expect(page.locator(".lead-header .badge")).to_have_text("Perdue")
    expect(page.get_by_role("group", name="Actions sur le lead").get_by_role("button", name="Reprise")).to_be_disabled()
    expect(page.get_by_text("Rouvrez-le avec « Statut » pour continuer", exact=False)).to_be_visible()
    look(page, "front-lead-lost")
    for summary in ["Reprise ajoutée", "Essai", "Remarque ajoutée", "Document ajouté", "E-mail envoyé", "Tâche"]:
        expect(history).to_contain_text(summary)


def test_the_leads_list_filters_shows_overdue_leads_first_and_reads_more(live_server, garage, open_page):
    api = Api(Client(application.app), garage.token(garage.seller))
    ids = {}
    for number in range(26):
        made = api.post("/leads", {"type": "used_vehicle_sale", "source": "Site web",
                                   "contacts": [{"name": f"Client {number:02d}", "mobile": "+33639980010"}]})
        ids[number] = body(made)["id"]
    clock.set_source(lambda: datetime.now(timezone.utc) - timedelta(days=3))  # its contact deadline has passed
    late = api.post("/leads", {"type": "purchase", "source": "Téléphone",
                               "contacts": [{"name": "Hélène Retard", "email": "retard@example.com"}]})
    clock.reset()
    assert late.status_code == 201, late.body
    lost = api.post(f"/leads/{ids[3]}/status", {"status": "lost", "reason": "Injoignable"})
    assert lost.status_code == 200, lost.body

    page = open_page()
    log_in(page, live_server, garage.seller.email)
    rows = page.locator(".leads-table tbody tr")
    expect(rows).to_have_count(25)
    expect(rows.first).to_contain_text("Hélène Retard")  # overdue first
    expect(rows.first).to_contain_text("En retard de")
    look(page, "front-leads-many")
    # A next page that fails says why and keeps the button to try again.
    failing = re.compile(r".*/leads\?.*cursor=.*")
    page.route(failing, lambda route: route.fulfill(
        status=503, content_type="application/json",
        body=json.dumps({"error": {"code": "unavailable", "message": "Service momentanément indisponible.",
                                   "fields": {}}})))
    page.get_by_role("button", name="Plus de résultats").click()
    expect(page.get_by_role("alert")).to_contain_text("Service momentanément indisponible.")
    expect(rows).to_have_count(25)
    page.unroute(failing)
    page.get_by_role("button", name="Plus de résultats").click()
    expect(rows).to_have_count(27)
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_text("Tous les leads sont affichés.")).to_be_visible()

    page.get_by_label("Statut").select_option(label="Perdue")
    page.get_by_role("button", name="Filtrer").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Client 03")
    expect(page).to_have_url(re.compile(r"#/leads\?status=lost$"))

    page.get_by_role("link", name="Effacer").click()
    page.get_by_label("Recherche").fill("helene")
    page.get_by_label("Échéance").select_option(label="En retard")
    page.get_by_role("button", name="Filtrer").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Hélène Retard")

    page.get_by_label("Recherche").fill("personne")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_text("Aucun lead pour ces filtres.")).to_be_visible()
    look(page, "front-leads-no-match")


def test_the_screens_fit_a_tablet(live_server, garage, open_page):
    api = Api(Client(application.app), garage.token(garage.seller))
    lead = api.post("/leads", {"type": "used_vehicle_sale", "source": "Téléphone",
                               "contacts": [{"name": "Marie Durand", "email": "marie@example.com"}]})
    assert lead.status_code == 201, lead.body
    made = offer(api, "tablet")
    proposal = propose(api, made)
    page = open_page(TABLET)
    log_in(page, live_server, garage.seller.email)

    for name, hash_path, title in [
        ("tablet-leads", "#/leads", "Leads"),
        ("tablet-lead", f"#/leads/{body(lead)['id']}", "Marie Durand"),
        ("tablet-quote", f"#/quotes/{made.quote_id}", re.compile(r"^Devis D")),
        ("tablet-proposal", f"#/proposals/{proposal['id']}", re.compile(r"^Proposition P")),
        ("tablet-proposals", "#/proposals", "Propositions"),
        ("tablet-settings", "#/settings/notifications", "Paramètres"),
    ]:
        page.goto(f"{live_server}/app{hash_path}")
        heading(page, title)
        look(page, name)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= TABLET["width"], f"{name} scrolls sideways ({width} px)"


def test_an_admin_sets_the_dealer_up_and_sees_each_error_next_to_its_field(live_server, garage, open_page):
    page = open_page()
    log_in(page, live_server, garage.admin.email)
    navigation = page.get_by_role("navigation", name="Navigation principale")
    navigation.get_by_role("link", name="Paramètres").click()
    heading(page, "Paramètres")
    expect(page.get_by_label("Vente à distance activée", exact=False)).to_be_checked()
    look(page, "front-settings-dealer")
    page.get_by_label("Validité d'une proposition (jours)").fill("45")
    page.get_by_label("Demander un acompte par carte").check()
    page.get_by_label("Forme").select_option(label="Pourcentage du total")
    page.get_by_label("Pourcentage").fill("10")
    page.get_by_label("Véhicule").fill("10")  # the law says 14 days at least
    page.get_by_role("button", name="Enregistrer les options").click()
    expect(page.get_by_label("Véhicule")).to_have_attribute("aria-invalid", "true")
    look(page, "front-settings-dealer-error")
    page.get_by_label("Véhicule").fill("14")
    page.get_by_label("IBAN du virement").fill("FR76 3000 6000 0112 3456 7890 189")
    page.get_by_label("Proposer le paiement du solde par carte", exact=False).check()
    page.get_by_role("button", name="Enregistrer les options").click()
    expect(page.get_by_text("Options enregistrées.")).to_be_visible()
    saved = dealers.get_dealer(garage.dealer.id).settings
    assert saved.proposal_validity_days == 45 and saved.deposit.enabled and saved.deposit.percent == 10
    assert saved.balance.card_enabled and saved.balance.iban == "FR7630006000011234567890189"

    page.get_by_role("link", name="Informations légales").click()
    expect(page.get_by_label("Raison sociale")).to_have_value("Tilleuls Automobiles SAS")
    page.get_by_label("SIRET").fill("123")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_label("SIRET")).to_have_attribute("aria-invalid", "true")
    look(page, "front-settings-legal-error")
    page.get_by_label("SIRET").fill("123 456 789 00012")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Informations légales enregistrées.")).to_be_visible()
    assert dealers.get_dealer(garage.dealer.id).legal.siret == "12345678900012"

    page.get_by_role("link", name="Modèles d'e-mails").click()
    expect(page.get_by_label("Objet")).to_have_value(re.compile("proposition"))
    text = page.get_by_label("Texte")
    default = text.input_value()
    text.fill(default.replace("{{ link }}", ""))
    page.get_by_role("button", name="Enregistrer le modèle").click()
    expect(text).to_have_attribute("aria-invalid", "true")  # the link to the document cannot go
    text.fill(default)
    page.get_by_role("button", name="Aperçu").click()
    expect(page.get_by_role("heading", name="Aperçu avec des données d'exemple")).to_be_visible()
    look(page, "front-settings-templates")

    page.get_by_role("link", name="Profil vendeur").click()
    page.get_by_label("Téléphone").fill("06 39 98 00 01")
    page.get_by_role("button", name="Enregistrer le profil").click()
    expect(page.get_by_text("Profil enregistré.")).to_be_visible()
    look(page, "front-settings-profile")

    page.get_by_role("link", name="Préférences de notification").click()
    page.get_by_label("SMS", exact=False).check()
    page.get_by_label("Le client télécharge le PDF").uncheck()
    page.get_by_role("button", name="Enregistrer les préférences").click()
    expect(page.get_by_text("Préférences enregistrées.")).to_be_visible()
    look(page, "front-settings-notifications")
    saved = dealers.get_user(garage.dealer.id, garage.admin.id).notifications
    assert saved.sms and not saved.on_download and saved.on_signature


def test_a_seller_reads_the_dealer_options_but_cannot_change_them(live_server, garage, open_page):
    page = open_page()
    log_in(page, live_server, garage.seller.email)
    page.goto(f"{live_server}/app#/settings/dealer")
    expect(page.get_by_text("Seul un administrateur de la concession peut modifier ces réglages.")).to_be_visible()
    expect(page.get_by_label("Vente à distance activée", exact=False)).to_be_disabled()
    expect(page.get_by_role("button", name="Enregistrer les options")).to_have_count(0)


def test_without_remote_selling_the_proposals_screen_says_why(live_server, open_page):
    garage = tenant(remote_selling=False)
    page = open_page()
    log_in(page, live_server, garage.seller.email)
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Propositions").click()
    expect(page.get_by_role("heading", level=1, name="Propositions")).to_be_visible()
    expect(page.locator(".notice")).to_contain_text("vente à distance n'est pas activée")
    look(page, "front-proposals-remote-selling-off")


def test_the_front_runs_under_its_policy(live_server, garage, open_page):
    page = open_page(bypass_csp=False)
    refused = []
    page.on("console",
            lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    response = page.goto(f"{live_server}/app")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    log_in(page, live_server, garage.seller.email)
    page.get_by_role("link", name="Nouveau lead").first.click()
    heading(page, "Nouveau lead")
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Paramètres").click()
    heading(page, "Paramètres")
    assert refused == []
    assert page.script_errors == []


def test_an_expired_session_goes_back_to_the_login_screen(live_server, garage, open_page):
    page = open_page()
    log_in(page, live_server, garage.seller.email)
    page.evaluate("""() => {
        const [head, , signature] = sessionStorage.getItem("offerline.token").split(".");
        const claims = {sub: "x", exp: Math.floor(Date.now() / 1000) + 3600};
        sessionStorage.setItem("offerline.token", [head, btoa(JSON.stringify(claims)), signature].join("."));
    }""")  # a token the API refuses
    page.goto(f"{live_server}/app#/proposals")
    expect(page.get_by_role("heading", name="Connexion vendeur")).to_be_visible()
    expect(page.get_by_text("Votre session a expiré")).to_be_visible()


@pytest.fixture
def cognito(live_server, garage, monkeypatch):
    """Production's login on this machine: a fake hosted UI, and the API trusting only its RS256 keys."""
    hosted_ui = FakeCognito(client_id="front-test-client", redirect_uri=f"{live_server}/app", app_origin=live_server,
                            user={"sub": garage.seller.id, "email": garage.seller.email,
                                  "custom:dealer_id": garage.dealer.id, "custom:role": garage.seller.role.value})
    monkeypatch.setenv("OFFERLINE_COGNITO_HOSTED_UI_URL", hosted_ui.url)
    monkeypatch.setenv("OFFERLINE_COGNITO_CLIENT_ID", hosted_ui.client_id)
    monkeypatch.setenv("OFFERLINE_COGNITO_REDIRECT_URI", hosted_ui.redirect_uri)
    monkeypatch.setenv("OFFERLINE_AUTH_JWKS_URL", hosted_ui.jwks_url)
    monkeypatch.setenv("OFFERLINE_AUTH_ISSUER", hosted_ui.issuer)
    monkeypatch.setenv("OFFERLINE_AUTH_AUDIENCE", hosted_ui.client_id)  # a Cognito id token's audience
    settings.cache_clear()
    tokens._jwks_client.cache_clear()
    yield hosted_ui
    hosted_ui.close()
    settings.cache_clear()
    tokens._jwks_client.cache_clear()


def test_with_cognito_the_seller_logs_in_with_a_code_and_pkce_and_sees_the_dealers_leads(
        live_server, garage, open_page, cognito):
    api = Api(Client(application.app), None)
    lead = api.post("/leads", {"type": "purchase", "source": "Salon", "contacts": [{"name": "Hélène Cognito"}]})
    assert lead.status_code == 401  # the local issuer is gone: only the hosted UI's tokens open the API
    with_dealer_token = api.as_(cognito.id_token(cognito.user))
    made = with_dealer_token.post("/leads", {"type": "purchase", "source": "Salon",
                                             "contacts": [{"name": "Hélène Cognito", "mobile": "+33639980010"}]})
    assert made.status_code == 201, made.body

    page = open_page(bypass_csp=False)  # the code exchange runs under the front's own policy
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server}/app#/leads")
    page.get_by_role("button", name="Se connecter avec le compte de la concession").click()
    heading(page, "Leads")  # back where the seller was going, logged in
    expect(page.locator(".leads-table tbody tr")).to_have_count(1)
    expect(page.locator(".leads-table tbody tr").first).to_contain_text("Hélène Cognito")
    expect(page.locator(".who-name")).to_have_text("Victor Vendeur")

    asked = cognito.authorizations[0]
    assert asked["response_type"] == "code" and asked["client_id"] == "front-test-client"
    assert asked["redirect_uri"] == f"{live_server}/app" and asked["scope"] == "openid email profile"
    assert asked["code_challenge_method"] == "S256" and re.fullmatch(r"[A-Za-z0-9_-]{43}", asked["code_challenge"])
    assert len(asked["state"]) >= 32
    [exchange] = cognito.exchanges
    assert exchange["status"] == 200
    assert exchange["form"]["grant_type"] == "authorization_code"
    assert re.fullmatch(r"[A-Za-z0-9_-]{43,128}", exchange["form"]["code_verifier"])
    assert page.evaluate("sessionStorage.getItem('offerline.token')") == cognito.issued[0]  # the id token
    assert page.evaluate("sessionStorage.getItem('offerline.cognito')") is None  # the verifier is gone
    assert "code=" not in page.url and "state=" not in page.url
    assert refused == [] and page.script_errors == []

    page.reload()  # the code left the URL: nothing is sent again
    heading(page, "Leads")
    assert len(cognito.exchanges) == 1

    # The id token expires (here: the API refuses it): back to the login, then where the seller was.
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Propositions").click()
    heading(page, "Propositions")
    page.evaluate("""() => {
        const [head, , signature] = sessionStorage.getItem("offerline.token").split(".");
        const claims = {sub: "x", exp: Math.floor(Date.now() / 1000) + 3600};
        sessionStorage.setItem("offerline.token", [head, btoa(JSON.stringify(claims)), signature].join("."));
    }""")
    page.reload()
    expect(page.get_by_role("heading", name="Connexion vendeur")).to_be_visible()
    expect(page.get_by_text("Votre session a expiré")).to_be_visible()
    page.get_by_role("button", name="Se connecter avec le compte de la concession").click()
    heading(page, "Propositions")
    assert [e["status"] for e in cognito.exchanges] == [200, 200]
    assert refused == [] and page.script_errors == []


def test_with_cognito_a_code_is_exchanged_once(live_server, garage, open_page, cognito):
    page = open_page()
    page.goto(f"{live_server}/app")
    page.get_by_role("button", name="Se connecter avec le compte de la concession").click()
    heading(page, "Leads")
    callback = (f"{live_server}/app?code={cognito.exchanges[0]['form']['code']}"
                f"&state={cognito.authorizations[0]['state']}")

    # The same answer opened again, in a tab that did not ask for it: refused before any exchange.
    page.evaluate("sessionStorage.clear()")
    page.goto(callback)
    expect(page.get_by_role("alert")).to_contain_text("Réponse de connexion inattendue")
    assert len(cognito.exchanges) == 1
    assert page.evaluate("sessionStorage.getItem('offerline.token')") is None
    assert "code=" not in page.url

    # Even with the login's state and verifier back in place, the hosted UI refuses a used code.
    pending = {"state": cognito.authorizations[0]["state"], "verifier": cognito.exchanges[0]["form"]["code_verifier"],
               "back": "#/leads"}
    page.evaluate("pending => sessionStorage.setItem('offerline.cognito', JSON.stringify(pending))", pending)
    page.goto(callback)
    expect(page.get_by_role("alert")).to_contain_text("Le code de connexion a expiré ou a déjà servi")
    assert [e["status"] for e in cognito.exchanges] == [200, 400]
    assert cognito.exchanges[1]["answer"] == {"error": "invalid_grant"}
    assert page.evaluate("sessionStorage.getItem('offerline.token')") is None
    assert "code=" not in page.url
    look(page, "front-login-cognito-code-used")


def test_with_cognito_an_answer_to_another_login_is_refused_without_exchanging_its_code(
        live_server, garage, open_page, cognito):
    page = open_page()
    page.goto(f"{live_server}/app#/proposals")
    expect(page.get_by_role("button", name="Se connecter avec le compte de la concession")).to_be_visible()
    look(page, "front-login-cognito")
    cognito.answer_state = "forged"  # a code meant for another login (login CSRF)
    page.get_by_role("button", name="Se connecter avec le compte de la concession").click()
    expect(page.get_by_role("alert")).to_contain_text("Réponse de connexion inattendue : recommencez la connexion.")
    assert cognito.exchanges == []
    assert page.evaluate("sessionStorage.getItem('offerline.token')") is None
    assert page.evaluate("sessionStorage.getItem('offerline.cognito')") is None
    assert "code=" not in page.url
    look(page, "front-login-cognito-refused")

    cognito.answer_state, cognito.deny = None, True  # the seller cancels on the hosted UI
    page.get_by_role("button", name="Se connecter avec le compte de la concession").click()
    expect(page.get_by_role("alert")).to_contain_text("La connexion a été refusée ou annulée")
    assert cognito.exchanges == [] and "error=" not in page.url

    cognito.deny = False  # and tries again
    page.get_by_role("button", name="Se connecter avec le compte de la concession").click()
    heading(page, "Propositions")
    assert [e["status"] for e in cognito.exchanges] == [200]


def test_the_seller_edits_reminds_and_withdraws_a_proposal(live_server, garage, open_page):
    api = Api(Client(application.app), garage.token(garage.seller))
    made = offer(api, "actions")
    proposal = propose(api, made)
    page = open_page()
    log_in(page, live_server, garage.seller.email)
    page.goto(f"{live_server}/app#/proposals/{proposal['id']}")
    heading(page, re.compile(r"^Proposition P"))

    page.get_by_role("button", name="Modifier les lignes").click()  # a draft's lines may still change
    lines = page.get_by_role("dialog", name="Modifier les lignes du brouillon")
    lines.locator('[name="lines.1.quantity"]').fill("2")
    expect(lines.locator(".totals .grand")).to_contain_text(re.compile(r"20\s387,98"))  # 2 mats, not 4
    lines.locator('button[type="submit"]').click()
    expect(page.locator(".lead-title-row")).to_contain_text("version 2")

    page.get_by_role("button", name="Envoyer au client").click()
    send = page.get_by_role("dialog", name="Envoyer la proposition")
    send.get_by_label("Destinataire").select_option(label="Paul Durand <paul-actions@example.com>")
    send.get_by_label("Joindre le PDF à l'e-mail").check()
    send.locator('button[type="submit"]').click()
    expect(page.locator(".badge").first).to_have_text("Envoyée")
    assert read(emails_to("paul-actions@example.com")[-1]).attachments  # to the other contact, PDF attached

    page.get_by_role("button", name="Modifier").click()
    edit = page.get_by_role("dialog", name="Modifier la proposition")
    expect(edit.get_by_text("seuls l'e-mail et le mobile du client et le bloc vendeur")).to_be_visible()
    expect(edit.get_by_label("Prénom")).to_have_count(0)  # the name can no longer change
    edit.get_by_label("E-mail", exact=True).first.fill("marie.durand@example.com")
    look(page, "front-proposal-edit-dialog")
    edit.locator('button[type="submit"]').click()
    expect(page.locator(".lead-title-row")).to_contain_text("version 3")
    expect(page.get_by_role("region", name="Client")).to_contain_text("marie.durand@example.com")

    page.get_by_role("button", name="Relancer par e-mail").click()
    remind = page.get_by_role("dialog", name="Relancer le client")
    remind.get_by_label("Message personnel (facultatif)").fill("Avez-vous pu regarder ?")
    remind.locator('button[type="submit"]').click()
    expect(page.get_by_role("complementary", name="Historique")).to_contain_text("Relance envoyée")
    expect(page.locator(".counts")).to_contain_text("1 relance")

    page.get_by_role("button", name="Retirer").click()
    withdraw = page.get_by_role("dialog", name="Retirer la proposition")
    withdraw.get_by_role("button", name="Retirer la proposition").click()
    expect(page.locator(".badge").first).to_have_text("Retirée")
    expect(page.get_by_text("le lien du client ne fonctionne plus")).to_be_visible()
    expect(page.get_by_role("button", name="Relancer par e-mail")).to_have_count(0)
    look(page, "front-proposal-withdrawn")


def test_a_quote_with_unsaved_changes_asks_before_the_seller_leaves_it(live_server, garage, open_page):
    api = Api(Client(application.app), garage.token(garage.seller))
    made = offer(api, "unsaved")
    page = open_page()
    log_in(page, live_server, garage.seller.email)
    page.goto(f"{live_server}/app#/quotes/{made.quote_id}")
    heading(page, re.compile(r"^Devis D"))
    page.locator('[name="lines.1.quantity"]').fill("5")
    expect(page.get_by_text("Modifications non enregistrées.")).to_be_visible()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    with page.expect_event("dialog"):  # the router asks after the click returns: wait for it, not for the heading
        page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Leads").click()
    heading(page, re.compile(r"^Devis D"))  # stayed, the change still there
    assert asked and "ne sont pas enregistrées" in asked[0]
    expect(page.locator('[name="lines.1.quantity"]')).to_have_value("5")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Leads").click()
    heading(page, "Leads")


def test_an_accepted_proposal_shows_the_signer_banner_and_links_to_the_proofs(live_server, garage, open_page):
    """Without the portal: a proposal moved to accepted in the table, as the portal will do."""
    api = Api(Client(application.app), garage.token(garage.seller))
    proposal = propose(api, offer(api, "accepted"))
    assert api.post(f"/proposals/{proposal['id']}/send", {}).status_code == 200
    sent = proposal_store.get(garage.dealer.id, proposal["id"])
    proposal_store.changed(sent, sent.moved_to(ProposalStatus.ACCEPTED, clock.now()), (sent.status,), [])

    page = open_page()
    log_in(page, live_server, garage.seller.email)
    page.goto(f"{live_server}/app#/proposals/{proposal['id']}")
    expect(page.locator(".badge").first).to_have_text("Acceptée")
    banner = page.get_by_role("region", name="Proposition acceptée et signée")
    expect(banner).to_contain_text("Signée")
    expect(page.get_by_role("button", name="Relancer par e-mail")).to_have_count(0)  # nothing left to do but read
    look(page, "front-proposal-accepted-banner")
    links = {label: banner.get_by_role("link", name=label).get_attribute("href")
             for label in ("Proposition signée (PDF)", "Fichier de preuves (JSON)")}
    assert links == {"Proposition signée (PDF)": f"{live_server}/proposals/{proposal['id']}/proofs/signed.pdf",
                     "Fichier de preuves (JSON)": f"{live_server}/proposals/{proposal['id']}/proofs/evidence.json"}
    if importlib.util.find_spec("chalicelib.api.portal") is None:  # the proofs routes come with the portal
        banner.get_by_role("link", name="Proposition signée (PDF)").click()
        expect(banner.get_by_role("alert")).to_be_visible()


def test_the_customer_signs_and_the_seller_sees_the_signer_and_downloads_the_proofs(live_server, garage, open_page):
    pytest.importorskip("chalicelib.api.portal")
    signer = "helene.signature@example.com"  # the local outbox also lists other tests' emails
    seller = open_page()
    reference = sell_through_the_front(seller, live_server, garage, looking=False, customer=signer)

    # The customer, on a phone, opens the link of the email the local outbox captured.
    customer = open_page(PHONE)
    customer.goto(f"{live_server}/dev/outbox")
    sent = customer.locator("article").filter(has_text=signer).filter(has_text=reference)
    link = sent.locator('a[href*="/p/"]').first.get_attribute("href")
    customer.goto(f"{live_server}{urlsplit(link).path}")  # the link names the public URL; the test serves elsewhere
    expect(customer.get_by_text(reference).first).to_be_visible()
    screenshot(customer, "portal-proposal")
    assert serious_accessibility_problems(customer) == []
    customer.get_by_role("link", name="Accepter et signer").click()
    customer.get_by_label(re.compile(r"prénom et nom", re.I)).fill("Hélène Martin")
    for box in customer.get_by_role("checkbox").all():
        box.check()
    customer.get_by_role("button", name=re.compile(r"code", re.I)).click()
    from tests.portal import latest_code  # the portal's test helpers land with it

    customer.get_by_label(re.compile(r"code", re.I)).first.fill(latest_code(signer))
    customer.get_by_role("button", name=re.compile(r"valider", re.I)).click()
    expect(customer.get_by_role("heading", level=1, name=re.compile(r"acceptée", re.I))).to_be_visible()
    screenshot(customer, "portal-accepted")
    assert serious_accessibility_problems(customer) == []

    # The seller sees it accepted, who signed and when, and downloads the proofs.
    seller.get_by_role("link", name=reference).click()
    expect(seller.locator(".badge").first).to_have_text("Acceptée")
    banner = seller.get_by_role("region", name="Proposition acceptée et signée")
    expect(banner).to_contain_text("Hélène Martin")
    look(seller, "front-proposal-accepted")
    for label, file in [("Proposition signée (PDF)", "signed.pdf"), ("Fichier de preuves (JSON)", "evidence.json")]:
        proof = banner.get_by_role("link", name=label)
        assert proof.get_attribute("href").endswith(f"/proposals/{seller.url.rsplit('/', 1)[-1]}/proofs/{file}")
        with seller.expect_response(re.compile(rf"/proofs/{re.escape(file)}$")) as answer:
            proof.click()
        assert answer.value.status == 200
    expect(banner.get_by_role("alert")).to_be_hidden()


def test_a_quote_s_vehicle_line_is_chosen_from_the_stock(live_server, garage, open_page):
    api = Api(Client(application.app), garage.token(garage.seller))
    made = offer(api, "stock")
    admin = Staff(dealer_id=garage.dealer.id, user_id=garage.admin.id, role=garage.admin.role)
    branch = dealers.add_branch(garage.dealer.id, NewBranch(name="Lyon"), by=admin).branches[-1]
    car = api.post("/vehicles", {"vin": "VF1RFB00X56789012", "make": "Renault", "model": "Clio", "version": "TCe 90",
                                 "registration": "EF-456-GH", "first_registration": "2021-03-15",
                                 "mileage_km": 42_000, "kind": "used", "price_cents": 1_499_000,
                                 "vat_regime": "margin", "branch_id": branch.id})
    assert car.status_code == 201, car.body
    page = open_page()
    log_in(page, live_server, garage.seller.email)
    page.goto(f"{live_server}/app#/quotes/{made.quote_id}")
    heading(page, re.compile(r"^Devis D"))
    page.get_by_role("button", name="Choisir dans le stock").first.click()
    picker = page.get_by_role("dialog", name="Choisir un véhicule du stock")
    expect(picker.get_by_label("Véhicule disponible")).to_contain_text("Renault Clio TCe 90")
    picker.get_by_role("button", name="Choisir").click()
    expect(page.locator('[name="lines.0.vehicle.vin"]')).to_have_value("VF1RFB00X56789012")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text(re.compile(r"Enregistré \(version 2\)"))).to_be_visible()
    saved = body(api.get(f"/quotes/{made.quote_id}"))["lines"][0]
    assert saved["vehicle_id"] == body(car)["id"] and saved["vehicle"]["registration"] == "EF-456-GH"


def test_a_quote_of_a_customer_with_one_contact_becomes_a_proposal_without_asking_for_the_contact(
        live_server, garage, open_page):
    api = Api(Client(application.app), garage.token(garage.seller))
    account = body(api.post("/accounts", {"kind": "person", "contact": {
        "civility": "Mme", "first_name": "Hélène", "last_name": "Seule", "email": "helene.seule@example.com"}}))
    lines = [{"kind": "accessory", "label": "Tapis de sol", "quantity": 4, "unit_price_cents": 1_249, "vat_rate": 20}]
    quote = body(api.post("/quotes", {"account_id": account["account"]["id"], "origin": "quote_list",
                                      "lines": lines}))
    page = open_page()
    log_in(page, live_server, garage.seller.email)
    page.goto(f"{live_server}/app#/quotes/{quote['id']}")
    heading(page, re.compile(r"^Devis D"))
    contact = page.get_by_label("Contact destinataire")
    expect(contact).to_have_value("Hélène Seule <helene.seule@example.com>")
    expect(contact).to_have_attribute("readonly", "")
    expect(page.get_by_role("combobox", name="Contact destinataire")).to_have_count(0)
    look(page, "front-quote-one-contact")

    page.get_by_role("button", name="Créer la proposition").click()
    seller_block = page.get_by_role("dialog", name="Vos coordonnées pour le client")
    seller_block.get_by_label("Téléphone").fill("06 11 22 33 44")
    seller_block.get_by_role("button", name="Créer la proposition").click()
    heading(page, re.compile(r"^Proposition P"))
    page.get_by_role("button", name="Envoyer au client").click()
    expect(page.get_by_role("dialog", name="Envoyer la proposition").get_by_label("Destinataire")).to_contain_text(
        "helene.seule@example.com")
