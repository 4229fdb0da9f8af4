"""The dealer's terms on the customer portal, through HTTP on the local services (issue 16 item 1): the page
lists the terms the version includes (kind, title, version), and those an option not chosen would bring, each
read on its own through a portal link that redirects to a short-lived URL of the version the proposal took. A
kind the proposal has none of, another proposal's terms, a closed link: nothing is read, nothing is written."""
import re
import secrets
import urllib.request
from html import unescape

import pytest

from tests import offers, portal
from tests.offers import emails_to
from tests.portal import LATER, SENT_AT, Customer, at, html, sign, stored_state
from tests.support import Api, body, tenant
from tests.terms_support import terms_pdf, upload

VEHICLE_TERMS = terms_pdf("CGV VEHICULES", pages=1)
INSURANCE_TERMS = terms_pdf("CG ASSURANCE", pages=1)


@pytest.fixture
def admin(client, garage) -> Api:
    return Api(client, garage.token(garage.admin))


def uploaded(admin: Api, data: bytes, kind: str, title: str) -> dict:
    answer = upload(admin, data, kind=kind, title=title)
    assert answer.status_code == 201, answer.body
    return body(answer)


def sent_to(seller: Api, garage) -> portal.Sent:
    offer = offers.offer(seller, garage.dealer.id.lower() + secrets.token_hex(2))
    proposal = offers.propose(seller, offer, seller=portal.seller_block(offer.quote_id))
    at(SENT_AT)
    assert seller.post(f"/proposals/{proposal['id']}/send", {}).status_code == 200
    at(LATER)
    return portal.Sent(proposal["id"], offer.email, offers.token_in(offers.read(emails_to(offer.email)[-1])))


def text(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html(response))))


def read(customer: Customer, kind: str) -> bytes:
    answer = customer.get(f"/conditions/{kind}")
    assert answer.status_code == 303, html(answer)[:300]
    assert portal.header(answer, "content-security-policy")
    with urllib.request.urlopen(portal.header(answer, "location")) as download:
        return download.read()


def test_the_page_lists_the_terms_and_each_reads_the_version_the_proposal_took(client, garage, admin, seller):
    uploaded(admin, VEHICLE_TERMS, "vehicle", "CGV véhicules d'occasion")
    uploaded(admin, INSURANCE_TERMS, "insurance", "CG extension de garantie")
    sent = sent_to(seller, garage)
    customer = Customer(client, sent.token)

    page = customer.get()
    shown = text(page)
    assert "Conditions générales" in shown
    assert "Annexées à cette proposition, à la fin de son PDF : Véhicule : CGV véhicules d'occasion, version 1" \
        in shown
    # The warranty is an option not chosen: its terms are not in the document, but may be read before choosing it.
    assert "Si vous ajoutez une option, ses conditions s'ajoutent à la proposition : Assurance : " \
           "CG extension de garantie, version 1" in shown
    assert f'href="{sent.token}/conditions/vehicle"' in html(page)
    assert f'href="{sent.token}/conditions/insurance"' in html(page)

    # The sign form, whose consent names them, links to them too.
    sign_page = customer.get("/sign")
    assert "Lire les conditions générales annexées : Véhicule, version 1 (PDF)" in text(sign_page)
    assert f'href="../{sent.token}/conditions/vehicle"' in html(sign_page)

    before = stored_state(garage.dealer.id, sent.token)
    assert read(customer, "vehicle") == VEHICLE_TERMS
    assert read(customer, "insurance") == INSURANCE_TERMS
    assert stored_state(garage.dealer.id, sent.token) == before  # reading the terms writes nothing

    # New terms uploaded after the send: the proposal keeps the version it took.
    uploaded(admin, terms_pdf("CGV VEHICULES 2027", pages=1), "vehicle", "CGV 2027")
    assert read(customer, "vehicle") == VEHICLE_TERMS
    assert "CGV 2027" not in text(customer.get())

    # Once signed: the terms of the signed copy, still readable.
    sign(customer, sent)
    signed = text(customer.get())
    assert "Annexées à votre exemplaire signé : Véhicule : CGV véhicules d'occasion, version 1" in signed
    assert "Si vous ajoutez une option" not in signed
    assert read(customer, "vehicle") == VEHICLE_TERMS


def test_a_kind_the_proposal_has_no_terms_for_and_another_proposal_s_terms_are_not_found(client, garage, admin,
                                                                                         seller):
    early = sent_to(seller, garage)  # sent before the dealer had terms: it took none
    uploaded(admin, VEHICLE_TERMS, "vehicle", "CGV véhicules d'occasion")
    later = sent_to(seller, garage)
    other = offers.with_legal(tenant("Autre Garage"))
    other_seller = Api(client, other.token(other.seller))
    elsewhere = sent_to(other_seller, other)
    assert read(Customer(client, later.token), "vehicle") == VEHICLE_TERMS
    assert "Conditions générales" not in text(Customer(client, early.token).get())

    before = stored_state(garage.dealer.id, early.token, later.token)
    for token, kind in [(early.token, "vehicle"), (elsewhere.token, "vehicle"), (later.token, "service_contract"),
                        (later.token, "boat"), (later.token, "VEHICLE"), (later.token, "..")]:
        answer = Customer(client, token).get(f"/conditions/{kind}")
        assert answer.status_code == 404, (token == later.token, kind)
        assert "Page introuvable" in text(answer) and "amazonaws" not in html(answer)
        assert "s3" not in (portal.header(answer, "location") or "")
    assert stored_state(garage.dealer.id, early.token, later.token) == before


def test_a_closed_or_unknown_link_reads_no_terms(client, garage, admin, seller):
    uploaded(admin, VEHICLE_TERMS, "vehicle", "CGV véhicules d'occasion")
    sent = sent_to(seller, garage)
    unknown = Customer(client, "A" * 43).get("/conditions/vehicle")
    assert unknown.status_code == 303 and portal.header(unknown, "location") == "../../" + "A" * 43
    assert seller.post(f"/proposals/{sent.proposal_id}/withdraw", {}).status_code == 200
    closed = Customer(client, sent.token).get("/conditions/vehicle")
    assert closed.status_code == 303 and portal.header(closed, "location") == f"../../{sent.token}"
