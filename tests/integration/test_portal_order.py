"""The order on the proposal's link, through the pages: steps and what is missing, a document sent from the
phone by a plain form straight to S3 and kept (or refused, deleted, nothing written) when S3 sends the browser
back, its status after the back office's review, and another link's return refused."""
import re
from datetime import timedelta
from html import unescape
from urllib.parse import urlsplit

import pytest
import requests

from chalicelib.documents import storage
from chalicelib.domain.files import MAX_BYTES
from chalicelib.domain.orders import reminders
from chalicelib.store import orders as order_store
from chalicelib.store import portal as portal_store
from tests import offers, portal
from tests.offers import emails_to
from tests.portal import LATER, SENT_AT, at, html, sign
from tests.support import Api, tenant

PDF = b"%PDF-1.7\n" + b"0" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 200
PORTAL_HEADERS = ("content-security-policy", "referrer-policy", "cache-control", "x-content-type-options",
                  "x-frame-options")
FORM = re.compile(r'<form method="post" action="(?P<url>[^"]+)" enctype="multipart/form-data">(?P<body>.*?)</form>',
                  re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def send_and_sign(seller: Api, garage, client) -> tuple[portal.Sent, portal.Customer]:
    offer = offers.offer(seller, garage.dealer.id.lower())
    proposal = offers.propose(seller, offer, seller=portal.seller_block(garage.dealer.id))
    at(SENT_AT)
    assert seller.post(f"/proposals/{proposal['id']}/send", {}).status_code == 200
    at(LATER)
    sent = portal.Sent(proposal["id"], offer.email, offers.token_in(offers.read(emails_to(offer.email)[-1])))
    customer = portal.Customer(client, sent.token)
    sign(customer, sent)
    return sent, customer


@pytest.fixture
def signed(seller, garage, client):
    return send_and_sign(seller, garage, client)


def page_text(response) -> str:
    """The page's text as read: entities decoded, French no-break spaces as plain ones."""
    return unescape(html(response)).replace("\u00a0", " ").replace("\u202f", " ")


def upload_forms(page: str) -> dict[str, tuple[str, dict]]:
    """Each upload form of the page by its file input's id: where it posts and its hidden fields."""
    forms = {}
    for match in FORM.finditer(page):
        kind = re.search(r'id="file-([a-z_]+)"', match["body"])[1]
        forms[kind] = (unescape(match["url"]), {k: unescape(v) for k, v in HIDDEN.findall(match["body"])})
    return forms


def post_to_s3(form: tuple[str, dict], content: bytes, filename: str = "photo.jpg") -> str:
    """The phone's browser posts the form to S3; returns the portal path S3 sends it back to."""
    url, fields = form
    answer = requests.post(url, data=fields, files={"file": (filename, content, "image/jpeg")},
                           allow_redirects=False, timeout=30)
    assert answer.status_code == 303, answer.text[:300]
    location = urlsplit(answer.headers["location"])
    return f"{location.path}?{location.query}"


def returned(customer: portal.Customer, path: str):
    return customer.client.http.get(path, headers={"user-agent": customer.user_agent})


def order_of(garage, sent) -> order_store.OrderAggregate:
    order_id = order_store.opened_from(garage.dealer.id, "proposal", sent.proposal_id)
    return order_store.aggregate(garage.dealer.id, order_id)


def chain_kinds(garage, sent) -> list[str]:
    return [e.kind.value for e in portal_store.read(garage.dealer.id, sent.proposal_id, whole=True).evidence]


def test_the_signed_link_leads_to_the_order_its_steps_and_what_is_missing(signed):
    sent, customer = signed
    assert 'href="' + sent.token + '/commande"' in html(customer.get())
    answer = customer.get("/commande")
    assert answer.status_code == 200
    for name in PORTAL_HEADERS:
        assert portal.header(answer, name), name
    page = page_text(answer)
    for text in ("Les étapes", "Documents validés", "Fonds reçus", "Rendez-vous de remise", "Véhicule remis",
                 "Ce qu'il reste à faire", "Extrait Kbis", "Pièce d'identité du gérant",
                 "Votre conseiller", "Proposition signée (PDF)", "Exercer mon droit de rétractation"):
        assert text in page, text
    # The upload forms post to S3: the page's CSP allows that origin, and nothing else is added.
    forms = upload_forms(page)
    assert set(forms) == {"kbis", "manager_identity", "collector_licence", "company_transfer"}
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(forms["kbis"][0]))
    assert f"form-action 'self' {origin};" in portal.header(answer, "content-security-policy")


def test_before_signing_the_order_page_leads_back_to_the_proposal(seller, garage, client):
    offer = offers.offer(seller, garage.dealer.id.lower())
    sent = portal.send(seller, offer)
    answer = portal.Customer(client, sent.token).get("/commande")
    assert (answer.status_code, portal.header(answer, "location")) == (303, f"../{sent.token}")


def test_a_pdf_sent_from_the_phone_is_kept_told_and_recorded(garage, signed):
    sent, customer = signed
    path = post_to_s3(upload_forms(html(customer.get("/commande")))["kbis"], PDF)
    answer = returned(customer, path)
    assert (answer.status_code, portal.header(answer, "location")) == (303, "../commande?recu=kbis")
    page = page_text(customer.get("/commande?recu=kbis"))
    assert "Document reçu : Extrait Kbis." in page
    assert "en cours de contrôle" in page
    assert "kbis" not in upload_forms(page)  # one at a time: the next form comes if it is rejected
    [document] = order_of(garage, sent).documents
    assert (document.kind, document.status, document.content_type, document.size) == \
        ("kbis", "to_review", "application/pdf", len(PDF))
    assert document.s3_key.startswith(f"dealers/{garage.dealer.id}/orders/")
    assert chain_kinds(garage, sent)[-1] == "document_uploaded"
    event = portal_store.read(garage.dealer.id, sent.proposal_id, whole=True).evidence[-1]
    assert event.user_agent == portal.PHONE and event.details["document_id"] == document.id
    # Back office (here, the admin: no back-office user) is told.
    assert any("Document reçu du client" in offers.read(m).subject for m in emails_to(garage.admin.email))
    # Loading the return again keeps one document.
    assert returned(customer, path).status_code == 303
    assert len(order_of(garage, sent).documents) == 1


@pytest.mark.parametrize("content, reason", [
    (b"GIF89a not ours" + b"0" * 50, "ni un PDF, ni une image JPEG ou PNG"),
    (b"%PDF-1.7\n" + b"0" * MAX_BYTES, "dépasse 10 Mo"),
])
def test_a_wrong_type_or_too_big_file_is_deleted_and_refused_nothing_changes(garage, signed, content, reason):
    sent, customer = signed
    path = post_to_s3(upload_forms(html(customer.get("/commande")))["kbis"], content)
    before = portal.stored_state(garage.dealer.id, sent.token)
    answer = returned(customer, path)
    assert answer.status_code == 400
    assert reason in page_text(answer)
    assert "kbis" in upload_forms(html(answer))  # another form to try again
    assert portal.stored_state(garage.dealer.id, sent.token) == before
    document_id = dict(p.split("=") for p in path.split("?")[1].split("&"))["document"]
    aggregate = order_of(garage, sent)
    assert storage.size_of(storage.order_document_key(garage.dealer.id, aggregate.order.id, document_id, "")) is None


def test_the_back_office_s_review_shows_accepted_or_rejected_with_its_reason(garage, signed, client):
    sent, customer = signed
    forms = upload_forms(html(customer.get("/commande")))
    for kind in ("kbis", "manager_identity"):
        assert returned(customer, post_to_s3(forms[kind], PNG)).status_code == 303
    aggregate = order_of(garage, sent)
    office = Api(client, garage.token(garage.admin))
    by_kind = {d.kind.value: d.id for d in aggregate.documents}
    base = f"/orders/{aggregate.order.id}/documents"
    assert office.post(f"{base}/{by_kind['kbis']}/review", {"accepted": True}).status_code == 200
    refused = office.post(f"{base}/{by_kind['manager_identity']}/review",
                          {"accepted": False, "reason": "Facture de plus de trois mois"})
    assert refused.status_code == 200, refused.body
    page = page_text(customer.get("/commande"))
    assert "Accepté le" in page
    assert "Refusé : Facture de plus de trois mois. Envoyez-en un autre." in page
    assert set(upload_forms(page)) == {"manager_identity", "collector_licence", "company_transfer"}
    # The customer's own document, through a short-lived link only.
    shown = customer.get(f"/commande/documents/{by_kind['kbis']}")
    assert shown.status_code == 303
    assert re.search(r"Expires=300\b|Expires=\d+", portal.header(shown, "location"))
    assert customer.get("/commande/documents/01JAAAAAAAAAAAAAAAAAAAAAAA").status_code == 404


def test_another_dealer_s_link_cannot_claim_this_upload(garage, signed, client):
    sent, customer = signed
    path = post_to_s3(upload_forms(html(customer.get("/commande")))["kbis"], PDF)
    other_garage = offers.with_legal(tenant("Garage du Port"))
    other_seller = Api(client, other_garage.token(other_garage.seller))
    other_sent, other_customer = send_and_sign(other_seller, other_garage, client)
    before = portal.stored_state(garage.dealer.id, sent.token) + \
        portal.stored_state(other_garage.dealer.id, other_sent.token)
    answer = returned(other_customer, path.replace(sent.token, other_sent.token))
    assert answer.status_code == 403
    assert portal.stored_state(garage.dealer.id, sent.token) + \
        portal.stored_state(other_garage.dealer.id, other_sent.token) == before
    assert order_of(other_garage, other_sent).documents == []


def test_a_return_with_a_tampered_kind_is_refused(garage, signed):
    sent, customer = signed
    path = post_to_s3(upload_forms(html(customer.get("/commande")))["kbis"], PDF)
    assert returned(customer, path.replace("kind=kbis", "kind=driving_licence")).status_code == 403
    assert order_of(garage, sent).documents == []


DEALER_IBAN = "FR76 3000 6000 0112 3456 7890 189"


def test_the_balance_by_transfer_shows_the_dealer_s_full_iban_and_a_received_payment_shows(garage, signed,
                                                                                             client):
    sent, customer = signed
    page = page_text(customer.get("/commande"))
    assert "Régler le solde" in page and "Votre conseiller vous indique comment régler le solde." in page
    admin = Api(client, garage.token(garage.admin))
    refused = admin.send("PATCH", "/dealer/settings", {"balance": {"iban": "FR76 3000 6000 0112 3456 7890 188"}})
    assert refused.status_code == 400
    saved = admin.send("PATCH", "/dealer/settings", {"balance": {"iban": DEALER_IBAN, "bic": "BNPAFRPP",
                                                                 "account_holder": "Garage des Tilleuls SAS"}})
    assert saved.status_code == 200, saved.body
    reference = portal.proposal_view(admin, sent.proposal_id)["proposal"]["reference"]
    page = page_text(customer.get("/commande"))
    assert "FR76 3000 6000 0112 3456 7890 189" in page  # in full: the customer pays to it
    assert "BNPAFRPP" in page and f"SOLDE {reference}" in page and "Garage des Tilleuls SAS" in page
    aggregate = order_of(garage, sent)
    total = aggregate.order.total_ttc_cents
    assert "48 heures avant le rendez-vous" in page
    # The back office records the transfer: the page shows it, nothing is left to pay, the chain has it.
    order_path = f"/orders/{aggregate.order.id}"
    assert admin.send("PUT", f"{order_path}/payment-plan", {"method": "transfer"}).status_code == 200
    paid = admin.post(f"{order_path}/payments", {"amount_cents": total})
    assert paid.status_code == 201, paid.body
    page = page_text(customer.get("/commande"))
    assert "Régler le solde" not in page
    assert "✓ Fonds reçus" in page and "reçu le" in page
    assert chain_kinds(garage, sent)[-1] == "payment"


def test_the_reminders_reach_the_customer_once_each_through_the_schedule(garage, signed, client):
    sent, customer = signed
    order = order_of(garage, sent).order
    planned = {p.reminder: p.at for p in reminders.plan(order)}
    event = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                            resources=[])

    def reminded_at(moment) -> list[str]:
        at(moment)
        for _ in range(2):  # EventBridge delivers at least once
            client.lambda_.invoke("order-milestones", event)
        return [offers.read(m).text for m in emails_to(sent.email) if "rappel" in offers.read(m).subject]

    assert reminded_at(planned[reminders.CustomerReminder.DOCUMENTS_D5] - timedelta(minutes=1)) == []
    [d5] = reminded_at(planned[reminders.CustomerReminder.DOCUMENTS_D5])
    assert reminded_at(planned[reminders.CustomerReminder.DOCUMENTS_D5] + timedelta(minutes=10)) == [d5]
    assert "il nous manque encore" in d5 and "/commande" in d5
    assert len(reminded_at(planned[reminders.CustomerReminder.DOCUMENTS_D3])) == 2
    [*_, eve] = reminded_at(planned[reminders.CustomerReminder.APPOINTMENT])
    assert "demain" in eve
    assert len(reminded_at(order.handover_at + timedelta(days=2))) == 3
