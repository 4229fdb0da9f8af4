"""The customer withdraws online through the pages (GET/POST /p/{token}/retractation), on the local services:
within and after each product's period, the vehicle before and after its handover, another dealer's or an
unknown link, the same form sent twice at once. Every refusal leaves what is stored untouched."""
import re
import secrets
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest

from chalicelib.domain.dealers import Staff
from chalicelib.domain.orders.model import OrderSource
from chalicelib.services import orders
from chalicelib.domain.orders.commands import PaymentPlanInput
from chalicelib.store import keys
from chalicelib.store import orders as order_store
from chalicelib.store.table import table
from tests import offers, portal
from tests.offers import LINES, emails_to, read
from tests.orders_support import command
from tests.portal import PHONE, Customer, at, html, stored_state
from tests.support import Api, at_once, body, tenant

SIGNED_AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # a Tuesday: 14 days end on Tuesday 8 December
WITH_INSURANCE = [line | {"optional": False} if line["kind"] == "insurance" else line for line in LINES]


def signed_offer(client, seller, garage, lines=None) -> tuple[portal.Sent, Customer]:
    at(SIGNED_AT - timedelta(minutes=5))
    fields = {"lines": lines} if lines else {}
    sent = portal.send(seller, offers.offer(seller, garage.dealer.id.lower() + secrets.token_hex(2), **fields))
    customer = Customer(client, sent.token)
    at(SIGNED_AT)
    # An insurance product asks the customer to declare they already hold a cover (L112-10).
    signing = {**portal.SIGN_FORM, **({"no_claim": "1"} if lines == WITH_INSURANCE else {})}
    assert customer.post("/sign", signing, form="sign").status_code == 303
    assert customer.post("/code", {"code": portal.latest_code(sent.email)}, form="code").status_code == 303
    return sent, customer


def later(client, sent: portal.Sent, customer: Customer, moment: datetime) -> Customer:
    """The customer at `moment`: the first link has expired, they ask a new one and open it (the real way)."""
    at(moment)
    assert customer.post("", {}, form="new-link").status_code == 200
    renewed = [m for m in emails_to(sent.email) if "nouveau lien" in read(m).subject]
    return Customer(client, offers.token_in(read(renewed[-1])))


def field_of(page: str, label: str) -> str:
    """The checkbox name of a product, found by its label on the form."""
    found = re.search(r'name="(product-[^"]+)" value="1"><span>' + re.escape(label), page)
    assert found, f"no box for {label}"
    return found.group(1)


def withdraw(customer: Customer, *labels: str, **fields: str):
    page = unescape(html(customer.get("/retractation")))
    ticked = {field_of(page, label): "1" for label in labels}
    return customer.submit("/retractation", page, {"name": "Marie Durand", "address": "3 place Bellecour, Lyon",
                                                   **ticked, **fields}, action="/retractation")


def withdrawals_of(garage, sent) -> dict | None:
    return table.get(keys.proposal_withdrawals(garage.dealer.id, sent.proposal_id))


def acknowledgements(sent) -> list:
    return [m for m in emails_to(sent.email) if "Votre rétractation" in read(m).subject]


# --- within the period ------------------------------------------------------------------------------------

def test_the_customer_withdraws_from_the_service_contract_on_the_page(client, seller, garage):
    sent, customer = signed_offer(client, seller, garage)
    signed_page = unescape(html(customer.get()))
    assert 'href="' + sent.token + '/retractation"' in signed_page  # "Exercer mon droit de rétractation"
    customer = later(client, sent, customer, SIGNED_AT + timedelta(days=3))
    page = unescape(html(customer.get("/retractation")))
    assert "Formulaire de rétractation" in page and "Annexe à l'article R221-1" in page
    assert "jusqu'au 8 décembre 2026 inclus" in page

    answer = withdraw(customer, "Contrat d'entretien 36 mois")

    assert portal.follow(answer, customer.url + "/retractation") == customer.url + "/retractation"
    done = unescape(html(customer.get("/retractation")))
    assert "Rétractation enregistrée" in done and "Rétracté" in done
    [ack] = acknowledgements(sent)
    assert "11/12/2026" in read(ack).text  # refund within 14 days
    assert portal.attachment_of(ack).startswith(b"%PDF")
    stored = withdrawals_of(garage, sent)
    [record] = stored["records"]
    assert record["user_agent"] == PHONE
    statuses = {p["label"]: p["status"] for p in stored["products"]}
    assert statuses["Contrat d'entretien 36 mois"] == "withdrawn"
    assert statuses["Peugeot 308 1.2 PureTech 130 Allure"] == "taken"
    evidence = table.query_all(*keys.proposal_with_history(garage.dealer.id, sent.proposal_id))
    assert [e for e in evidence if e.get("kind") == "withdrawal" and e.get("user_agent") == PHONE]
    told = {offers.recipients(m)[0] for m in offers.sent_emails() if "Rétractation du client" in read(m).subject}
    assert len(told) == 2  # the seller and back office (the admin, without back office users)


@pytest.mark.parametrize("product, days, open_", [
    ("Contrat d'entretien 36 mois", 14, True),   # Tuesday 8 December, its last day
    ("Contrat d'entretien 36 mois", 15, False),
    ("Extension de garantie", 30, True),         # 24 December
    ("Extension de garantie", 31, False),
])
def test_each_product_has_its_own_period_and_after_it_the_form_says_when_it_ended(client, seller, garage,
                                                                                 product, days, open_):
    sent, customer = signed_offer(client, seller, garage, WITH_INSURANCE)
    customer = later(client, sent, customer, SIGNED_AT + timedelta(days=days, hours=10))
    page = unescape(html(customer.get("/retractation")))
    if open_:
        assert withdraw(customer, product).status_code == 303
        assert {p["label"]: p["status"] for p in withdrawals_of(garage, sent)["products"]}[product] == "withdrawn"
        return
    ended = {"Contrat d'entretien 36 mois": "8 décembre 2026", "Extension de garantie": "24 décembre 2026"}
    assert f"Le délai de rétractation a pris fin le {ended[product]}." in page
    assert f'value="1"><span>{product}' not in page  # no box to tick any more
    before = stored_state(garage.dealer.id, customer.token)
    refused = customer.post("/retractation", {"name": "Marie Durand", "address": "Lyon",
                                              f"product-{_line_id(garage, sent, product)}": "1"}, form="withdrawal")
    assert refused.status_code == 400
    assert "a pris fin le" in unescape(html(refused)) and 'role="alert"' in html(refused)
    assert stored_state(garage.dealer.id, customer.token) == before


def _line_id(garage, sent, label: str) -> str:
    proposal = table.get(keys.proposal(garage.dealer.id, sent.proposal_id))
    return next(line["id"] for line in proposal["lines"] if line["label"] == label)


def test_a_form_without_a_product_ticked_says_so_and_changes_nothing(client, seller, garage):
    sent, customer = signed_offer(client, seller, garage)
    before = stored_state(garage.dealer.id, customer.token)
    refused = withdraw(customer)
    assert refused.status_code == 400
    assert "Cochez le ou les produits dont vous vous rétractez." in unescape(html(refused))
    assert stored_state(garage.dealer.id, customer.token) == before


# --- the vehicle ------------------------------------------------------------------------------------------

def hand_over(garage, sent, when: datetime) -> str:
    at(when)
    order_id = order_store.opened_from(garage.dealer.id, OrderSource.PROPOSAL.value, sent.proposal_id)
    seller = Staff(dealer_id=garage.dealer.id, user_id=garage.seller.id, role=garage.seller.role)
    office = Staff(dealer_id=garage.dealer.id, user_id=garage.admin.id, role=garage.admin.role)
    orders.set_payment_plan(garage.dealer.id, order_id, command(PaymentPlanInput, method="credit", lender="Cetelem",
                                                                financed_cents=1_000_000), by=seller)
    orders.approve_credit(garage.dealer.id, order_id, by=seller)
    for code in ("documents_validated", "handover_documents"):
        orders.check_milestone(garage.dealer.id, order_id, code, by=office)
    orders.hand_over(garage.dealer.id, order_id, by=seller)
    return order_id


def test_withdrawing_the_vehicle_before_its_handover_asks_for_the_cancellation(client, seller, garage):
    sent, customer = signed_offer(client, seller, garage)
    assert withdraw(customer, "Peugeot 308 1.2 PureTech 130 Allure").status_code == 303
    order_id = order_store.opened_from(garage.dealer.id, OrderSource.PROPOSAL.value, sent.proposal_id)
    order = body(seller.get(f"/orders/{order_id}"))["order"]
    assert order["status"] == "cancelling" and order["cancellation"]["reason"] == "withdrawal"
    statuses = {p["kind"]: p["status"] for p in withdrawals_of(garage, sent)["products"]}
    assert statuses == {"vehicle": "withdrawn", "accessory": "ended", "service_contract": "ended", "fee": "ended"}
    page = unescape(html(customer.get("/retractation")))
    assert "Résilié de plein droit (art. L221-27)" in page and "Formulaire de rétractation" not in page


def test_the_vehicle_period_runs_from_its_handover_then_ends(client, seller, garage):
    sent, customer = signed_offer(client, seller, garage)
    hand_over(garage, sent, datetime(2026, 11, 27, 15, tzinfo=UTC))  # Friday: +14 is Friday 11 December
    customer = later(client, sent, customer, datetime(2026, 12, 12, 9, tzinfo=UTC))
    page = unescape(html(customer.get("/retractation")))
    assert "Le délai de rétractation a pris fin le 11 décembre 2026." in page
    assert "Formulaire de rétractation" not in page  # the service contract ended on 8 December too


# --- links and races --------------------------------------------------------------------------------------

def test_another_dealers_form_and_an_unknown_link_change_nothing(client, seller, garage):
    other = offers.with_legal(tenant("Autre Garage"))
    other_seller = Api(client, other.token(other.seller))
    sent, customer = signed_offer(client, seller, garage)
    other_sent, other_customer = signed_offer(client, other_seller, other)
    before = stored_state(garage.dealer.id, customer.token)
    line = _line_id(garage, sent, "Contrat d'entretien 36 mois")
    crossed = customer.post("/retractation", {"name": "Marie", "address": "Lyon", f"product-{line}": "1"},
                            form="withdrawal", csrf=other_customer.csrf("withdrawal"))
    assert crossed.status_code == 403
    unknown = Customer(client, secrets.token_urlsafe(32))
    assert unknown.get("/retractation").status_code == 303  # to the link's page: "lien expiré"
    stranger = unknown.post("/retractation", {"name": "Marie", "address": "Lyon", f"product-{line}": "1"},
                            form="withdrawal")
    assert stranger.status_code in (303, 403)
    assert stored_state(garage.dealer.id, customer.token) == before
    assert withdrawals_of(other, other_sent) is None


def test_the_same_form_sent_twice_at_once_is_one_withdrawal(client, seller, garage):
    sent, customer = signed_offer(client, seller, garage)
    page = unescape(html(customer.get("/retractation")))
    fields = {"name": "Marie Durand", "address": "Lyon", field_of(page, "Contrat d'entretien 36 mois"): "1"}
    answers = at_once(lambda: customer.submit("/retractation", page, fields, action="/retractation"))
    assert {a.status_code for a in answers} == {303}
    assert len(withdrawals_of(garage, sent)["records"]) == 1
    assert len(acknowledgements(sent)) == 1
