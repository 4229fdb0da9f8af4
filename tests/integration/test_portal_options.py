"""Options chosen by the customer on the portal, through HTTP on the local services: a form per option (no
script), a new version with its PDF, the changes shown, the seller told; an old code refused after a change;
the seller's lock; a stale page and a signed proposal refused on the page, changing nothing."""
import re
import secrets
from html import unescape
from urllib.parse import urlencode

import pytest

from chalicelib.domain.dealers import DealerSettingsChange, DepositChange, Staff
from chalicelib.services import dealers
from tests import offers, portal
from tests.offers import emails_to
from tests.portal import FORM, LATER, SENT_AT, Customer, at, html, stored_state
from tests.support import body

OPTION_FORM = re.compile(r'<form method="post" action="(?P<action>[^"]*/options)">(?P<inputs>.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="(?P<name>[^"]+)" value="(?P<value>[^"]*)">')
WARRANTY = "Extension de garantie"


@pytest.fixture
def sent(seller, garage) -> portal.Sent:
    """A proposal with an optional warranty, sent by a dealer who asks a 10 % acompte."""
    admin = Staff(dealer_id=garage.dealer.id, user_id=garage.admin.id, role=garage.admin.role)
    dealers.change_settings(garage.dealer.id, DealerSettingsChange(deposit=DepositChange(enabled=True, percent=10)),
                            by=admin)
    offer = offers.offer(seller, garage.dealer.id.lower() + secrets.token_hex(2))
    proposal = offers.propose(seller, offer, seller=portal.seller_block(offer.quote_id))
    at(SENT_AT)
    assert seller.post(f"/proposals/{proposal['id']}/send", {}).status_code == 200
    at(LATER)
    return portal.Sent(proposal["id"], offer.email, offers.token_in(offers.read(emails_to(offer.email)[-1])))


def option_forms(page: str) -> list[dict[str, str]]:
    """The page's option forms: each one's hidden fields (csrf, line, chosen, version) and its button's text."""
    forms = []
    for found in OPTION_FORM.finditer(page):
        fields = {m["name"]: unescape(m["value"]) for m in HIDDEN.finditer(found["inputs"])}
        button = unescape(re.sub(r"<[^>]+>", "", found["inputs"].split("<button", 1)[1].split(">", 1)[1]))
        forms.append({**fields, "button": button.strip()})
    return forms


def toggle(customer: Customer, form: dict[str, str]):
    fields = {name: value for name, value in form.items() if name != "button"}
    return customer.client.http.request("POST", customer.url + "/options", body=urlencode(fields).encode(),
                                        headers={"user-agent": customer.user_agent, "content-type": FORM})


def proposal_of(seller, sent) -> dict:
    return portal.proposal_view(seller, sent.proposal_id)


def text(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html(response))))


def test_the_customer_adds_an_option_a_new_version_with_its_totals_acompte_and_pdf(seller, garage, sent, customer):
    first = proposal_of(seller, sent)["proposal"]
    page = customer.get()
    [form] = option_forms(html(page))
    assert form["button"] == f"Ajouter l'option {WARRANTY}" and form["chosen"] == "1"
    assert form["version"] == str(first["version"])
    answer = toggle(customer, form)
    assert answer.status_code == 303 and portal.header(answer, "location") == f"../{sent.token}"
    view = proposal_of(seller, sent)
    after = view["proposal"]
    assert after["version"] == first["version"] + 1
    assert after["totals"]["ttc_cents"] == first["totals"]["ttc_cents"] + 59_000
    assert after["deposit_cents"] == (after["totals"]["ttc_cents"] + 5) // 10
    assert first["deposit_cents"] == (first["totals"]["ttc_cents"] + 5) // 10
    assert after["pdf"]["version"] == after["version"]
    [event] = [e for e in view["history"] if e["kind"] == "options_changed"]
    assert event["details"]["added"] == [WARRANTY] and event["details"]["removed"] == []
    assert (event["details"]["old_ttc_cents"], event["details"]["new_ttc_cents"]) == (
        first["totals"]["ttc_cents"], after["totals"]["ttc_cents"])
    subjects = [offers.read(m).subject for m in emails_to(portal.seller_block(first["quote_id"])["email"])]
    assert f"Durand Transports a modifié les options de la proposition {first['reference']}" in subjects
    shown = text(customer.get())
    assert f"Ajoutée : {WARRANTY}" in shown and "version " + str(first["version"]) in shown
    assert "→" in shown and "comprise dans le total" in shown
    [again] = option_forms(html(customer.get()))
    assert again["button"] == f"Retirer l'option {WARRANTY}" and again["chosen"] == "0"


def test_an_old_code_is_refused_after_a_change_and_the_sign_form_is_needed_again(seller, garage, sent, customer):
    page = html(customer.get())
    assert customer.post("/sign", portal.SIGN_FORM, form="sign").status_code == 303
    old_code = portal.latest_code(sent.email)
    [form] = option_forms(page)
    assert toggle(customer, form).status_code == 303
    before = stored_state(garage.dealer.id, sent.token)
    refused = customer.post("/code", {"code": old_code}, form="code")
    assert refused.status_code == 409 and stored_state(garage.dealer.id, sent.token) == before
    shown = text(refused)
    assert "modifiée depuis l'envoi de ce code" in shown and "Accepter et signer" in shown
    assert 'action="../' + sent.token + '/sign"' in html(refused)
    assert proposal_of(seller, sent)["proposal"]["status"] != "accepted"
    assert portal.header(customer.get("/code"), "location") == "sign"
    again = customer.post("/sign", {**portal.SIGN_FORM, "no_claim": "1"}, form="sign")  # the warranty is insurance
    assert again.status_code == 303
    new_code = portal.latest_code(sent.email)
    assert customer.post("/code", {"code": new_code}, form="code").status_code == 303
    signed = proposal_of(seller, sent)["proposal"]
    assert signed["status"] == "accepted" and signed["signature"]["proposal_version"] == signed["version"]
    assert signed["signature"]["shown_pdf"]["sha256"] == signed["pdf"]["sha256"]


def test_a_page_read_before_another_change_is_refused_on_the_page_with_the_new_version(seller, garage, sent,
                                                                                        customer):
    asked = customer.post("/question", {"question": "La garantie couvre-t-elle la boîte de vitesses ?"},
                          form="question")
    assert asked.status_code == 303
    [stale] = option_forms(html(customer.get()))
    other_tab = Customer(customer.client, sent.token)
    assert toggle(other_tab, stale).status_code == 303
    before = stored_state(garage.dealer.id, sent.token)
    refused = toggle(customer, stale)
    assert refused.status_code == 409
    shown = text(refused)
    assert "La proposition a changé entre-temps" in shown and f"Retirer l'option {WARRANTY}" in shown
    assert "Vos questions" in shown and "boîte de vitesses" in shown  # the page as the link shows it
    assert stored_state(garage.dealer.id, sent.token) == before


def test_the_seller_locks_the_options_the_page_shows_them_read_only_and_refuses_a_change(seller, garage, sent,
                                                                                         customer):
    [form] = option_forms(html(customer.get()))
    locked = seller.send("PUT", f"/proposals/{sent.proposal_id}/options-lock", {"locked": True})
    assert locked.status_code == 200 and body(locked)["proposal"]["options_locked"] is True
    assert body(locked)["history"][-1]["kind"] == "options_locked"
    page = customer.get()
    assert option_forms(html(page)) == [] and "a figé les options" in text(page)
    before = stored_state(garage.dealer.id, sent.token)
    refused = toggle(customer, form)
    assert refused.status_code == 409 and "a figé les options" in text(refused)
    assert stored_state(garage.dealer.id, sent.token) == before
    assert seller.send("PUT", f"/proposals/{sent.proposal_id}/options-lock", {"locked": False}).status_code == 200
    assert toggle(customer, form).status_code == 303


def test_a_signed_proposal_refuses_a_change_on_its_page_and_its_lock(seller, garage, sent, customer):
    [form] = option_forms(html(customer.get()))
    portal.sign(customer, sent)
    before = stored_state(garage.dealer.id, sent.token)
    refused = toggle(customer, form)
    assert refused.status_code == 409 and "ses options ne peuvent plus changer" in text(refused)
    assert stored_state(garage.dealer.id, sent.token) == before
    answer = seller.send("PUT", f"/proposals/{sent.proposal_id}/options-lock", {"locked": True})
    assert answer.status_code == 409 and body(answer)["error"]["code"] == "options_closed"


def test_a_forged_options_form_is_refused_and_changes_nothing(seller, garage, sent, customer):
    [form] = option_forms(html(customer.get()))
    before = stored_state(garage.dealer.id, sent.token)
    assert toggle(customer, {**form, "csrf": "forged"}).status_code == 403
    assert toggle(customer, {**form, "chosen": "maybe"}).status_code == 400
    assert stored_state(garage.dealer.id, sent.token) == before
    assert customer.get("/options").status_code == 303


def test_an_unknown_or_withdrawn_link_takes_no_option_and_changes_nothing(client, seller, garage, sent, customer):
    [form] = option_forms(html(customer.get()))
    unknown = toggle(portal.Customer(client, "A" * 43), form)
    assert unknown.status_code == 303 and portal.header(unknown, "location") == "../" + "A" * 43
    assert seller.post(f"/proposals/{sent.proposal_id}/withdraw", {}).status_code == 200
    before = stored_state(garage.dealer.id, sent.token)
    refused = toggle(customer, form)
    assert refused.status_code == 303 and portal.header(refused, "location") == f"../{sent.token}"
    assert stored_state(garage.dealer.id, sent.token) == before
