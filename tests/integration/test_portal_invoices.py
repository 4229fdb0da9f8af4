"""The signed proposal's invoices on the customer portal: listed with number, date and amount, each downloaded
through a portal link that redirects to a short-lived URL; another proposal's invoice is not found."""
import urllib.request

import pytest

from chalicelib.documents import storage
from chalicelib.domain.invoices import Invoice
from chalicelib.services import invoices
from chalicelib.store import keys
from chalicelib.store import proposals as proposal_store
from chalicelib.store.table import Update, table
from tests import offers, portal
from tests.invoices_support import proposal_item
from tests.offers import emails_to
from tests.portal import LATER, SENT_AT, at, html, sign

PORTAL_HEADERS = ("content-security-policy", "referrer-policy", "cache-control", "x-content-type-options")


@pytest.fixture
def sent(seller, garage) -> portal.Sent:
    offer = offers.offer(seller, garage.dealer.id.lower())
    proposal = offers.propose(seller, offer, seller=portal.seller_block(garage.dealer.id))
    at(SENT_AT)
    assert seller.post(f"/proposals/{proposal['id']}/send", {}).status_code == 200
    at(LATER)
    return portal.Sent(proposal["id"], offer.email, offers.token_in(offers.read(emails_to(offer.email)[-1])))


def deposit_invoice(dealer_id: str, proposal_id: str, invoiced_as: str | None = None) -> Invoice:
    """The facture d'acompte of the proposal's paid acompte (what deposits will call once wired)."""
    p = proposal_store.get(dealer_id, proposal_id)
    return invoices.deposit_paid(dealer_id, invoiced_as or p.id, p.reference, p.customer, p.lines, 50_000, LATER)


def test_once_signed_the_portal_lists_its_invoice_and_downloads_it(garage, sent, customer):
    assert "Vos factures" not in html(customer.get())
    sign(customer, sent)
    assert "Vos factures" not in html(customer.get())
    mine = deposit_invoice(garage.dealer.id, sent.proposal_id)

    page = html(customer.get())
    assert "Vos factures" in page
    assert f'href="{sent.token}/invoices/{mine.number}"' in page
    assert mine.number in page and "500,00" in page

    answer = customer.get(f"/invoices/{mine.number}")
    assert answer.status_code == 303
    for name in PORTAL_HEADERS:
        assert portal.header(answer, name), name
    with urllib.request.urlopen(portal.header(answer, "location")) as download:
        pdf = download.read()
    assert pdf == storage.get(storage.invoice_pdf_key(garage.dealer.id, mine.number))


def test_the_signed_page_shows_its_invoices_in_three_calls_as_every_portal_page(garage, sent, customer, monkeypatch):
    sign(customer, sent)
    mine = deposit_invoice(garage.dealer.id, sent.proposal_id)
    calls = portal.table_calls(monkeypatch)
    page = html(customer.fetch())  # the page's own request (its image is another)
    assert mine.number in page and "500,00" in page
    # Then the outbox's delivery of the view's seller notice, which the local stack runs after the response.
    assert calls[:3] == ["get_item", "query", "transact_write_items"] and "batch_get_item" not in calls, calls


def test_a_proposal_invoiced_before_its_list_was_kept_still_shows_its_invoices(garage, sent, customer, monkeypatch):
    sign(customer, sent)
    mine = deposit_invoice(garage.dealer.id, sent.proposal_id)
    table.write(Update(keys.proposal(garage.dealer.id, sent.proposal_id), remove=("invoices",)))
    calls = portal.table_calls(monkeypatch)
    page = html(customer.get())
    assert f'href="{sent.token}/invoices/{mine.number}"' in page and "500,00" in page
    assert "batch_get_item" in calls


def test_another_proposal_s_invoice_is_not_found_on_this_link(garage, sent, customer):
    sign(customer, sent)
    proposal_item(garage.dealer.id, "01OTHERPROPOSAL0000000000")
    other = deposit_invoice(garage.dealer.id, sent.proposal_id, invoiced_as="01OTHERPROPOSAL0000000000")
    answer = customer.get(f"/invoices/{other.number}")
    assert answer.status_code == 404
    assert portal.header(answer, "location") is None
    assert customer.get("/invoices/F999999").status_code == 404


def test_before_signing_an_invoice_link_goes_back_to_the_proposal(garage, sent, customer):
    mine = deposit_invoice(garage.dealer.id, sent.proposal_id)
    answer = customer.get(f"/invoices/{mine.number}")
    assert (answer.status_code, portal.header(answer, "location")) == (303, f"../../{sent.token}")


def test_a_refund_s_credit_note_is_listed_negative_and_downloads_another_proposal_s_does_not(garage, sent, customer):
    sign(customer, sent)
    mine = deposit_invoice(garage.dealer.id, sent.proposal_id)
    note = invoices.refunded(garage.dealer.id, sent.proposal_id, "01REFUND00000000000000000", 20_000, "Rétractation")
    proposal_item(garage.dealer.id, "01OTHERPROPOSAL0000000000")
    deposit_invoice(garage.dealer.id, sent.proposal_id, invoiced_as="01OTHERPROPOSAL0000000000")
    other = invoices.refunded(garage.dealer.id, "01OTHERPROPOSAL0000000000", "01REFUND00000000000000001", 10_000,
                              "Annulation")

    page = html(customer.get())
    assert f'href="{sent.token}/invoices/{mine.number}"' in page
    assert f'href="{sent.token}/invoices/{note.number}"' in page
    assert "Avoir" in page and "-200,00" in page
    assert other.number not in page

    answer = customer.get(f"/invoices/{note.number}")
    assert answer.status_code == 303
    with urllib.request.urlopen(portal.header(answer, "location")) as download:
        pdf = download.read()
    assert pdf == storage.get(storage.invoice_pdf_key(garage.dealer.id, note.number))
    assert customer.get(f"/invoices/{other.number}").status_code == 404
