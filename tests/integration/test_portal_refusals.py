"""What the portal refuses, on the local services: each refusal is said on the page and changes nothing stored."""
import secrets
from datetime import timedelta
from html import unescape

import pytest

from chalicelib.domain import local_time
from chalicelib.domain.links import hash_token
from chalicelib.store import keys
from chalicelib.store.table import table
from tests import offers, portal
from tests.offers import LINES, emails_to
from tests.portal import Customer, LATER, NOW, SENT_AT, at, html, stored_state
from tests.support import Api, body, tenant

INSURED = [{**line, "optional": False} if line["kind"] == "insurance" else line for line in LINES]






def sent_proposal(seller, garage, **quote_fields) -> portal.Sent:
    offer = offers.offer(seller, garage.dealer.id.lower() + secrets.token_hex(2), **quote_fields)
    proposal = offers.propose(seller, offer, seller=portal.seller_block(offer.quote_id))
    at(SENT_AT)
    sent = seller.post(f"/proposals/{proposal['id']}/send", {})
    assert sent.status_code == 200, sent.body
    token = offers.token_in(offers.read(emails_to(offer.email)[-1]))
    at(LATER)
    return portal.Sent(proposal["id"], offer.email, token)


@pytest.fixture
def sent(seller, garage) -> portal.Sent:
    return sent_proposal(seller, garage)




def with_code(customer: Customer, sent: portal.Sent) -> str:
    started = customer.post("/sign", portal.SIGN_FORM, form="sign")
    assert started.status_code == 303, html(started)
    return portal.latest_code(sent.email)


def unchanged(garage, sent):
    """A context manager asserting that nothing stored for the dealer (or the link) changed inside it."""
    class Same:
        def __enter__(self):
            self.before = stored_state(garage.dealer.id, sent.token)
            self.emails = len(emails_to(sent.email))

        def __exit__(self, *failure):
            if failure[0] is None:
                assert stored_state(garage.dealer.id, sent.token) == self.before
                assert len(emails_to(sent.email)) == self.emails
    return Same()


def status_of_proposal(garage, sent) -> str:
    return table.get(keys.proposal(garage.dealer.id, sent.proposal_id))["status"]


# --- closed links ------------------------------------------------------------------------------

def test_an_expired_link_offers_a_new_one_with_the_dealer_the_reference_and_the_seller(seller, garage, sent,
                                                                                      customer):
    at(SENT_AT + timedelta(hours=24, seconds=1))
    with unchanged(garage, sent):
        page = customer.get()
        asked = customer.post("/question", {"question": "Encore là ?"}, form="question")
        signed = customer.post("/sign", portal.SIGN_FORM, form="sign")
    assert page.status_code == 410
    text = unescape(html(page))
    assert "Ce lien d'accès a expiré" in text and "Recevoir un nouveau lien par e\u2011mail" in text
    reference = body(seller.get(f"/proposals/{sent.proposal_id}"))["proposal"]["reference"]
    assert "Garage des Tilleuls" in text and reference in text
    assert "Victor Vendeur" in text and "06\u00a011\u00a022\u00a033\u00a044" in text
    for secret in ("Durand", "Peugeot", sent.token):  # the customer and the offer stay behind the link
        assert secret not in text
    assert (asked.status_code, portal.header(asked, "location")) == (303, f"../{sent.token}")
    assert signed.status_code == 303
    assert status_of_proposal(garage, sent) == "sent"


def test_every_form_and_the_pdf_of_an_expired_link_lead_back_to_its_page_and_change_nothing(garage, sent, customer):
    code = with_code(customer, sent)
    at(SENT_AT + timedelta(hours=24, seconds=1))
    posts = [("/question", {"question": "Encore là ?"}, "question", "../"), ("/decline", {}, "decline", "../"),
             ("/sign", portal.SIGN_FORM, "sign", "../"), ("/code", {"code": code}, "code", "../"),
             ("/code/resend", {}, "resend", "../../"), ("/deposit", {}, "deposit", "../")]
    with unchanged(garage, sent):
        for path, fields, form, up in posts:
            answer = customer.post(path, fields, form=form)
            assert (answer.status_code, portal.header(answer, "location")) == (303, f"{up}{sent.token}"), path
        pdf = customer.get("/document.pdf")
        assert (pdf.status_code, portal.header(pdf, "location")) == (303, f"../{sent.token}")
    assert status_of_proposal(garage, sent) == "sent"


def test_an_unknown_token_says_lien_non_reconnu_without_a_new_link_button(client, garage, sent):
    unknown, malformed = Customer(client, secrets.token_urlsafe(32)), Customer(client, "pas-un-jeton")
    with unchanged(garage, sent):
        pages = [unknown.get(), malformed.get(), unknown.post("", {}, form="new-link")]
    assert [p.status_code for p in pages] == [404, 404, 404]
    assert len({portal.without_nonce_and_csrf(html(p)) for p in pages}) == 1
    text = unescape(html(pages[0]))
    assert "Lien non reconnu" in text and "depuis l'e\u2011mail reçu" in text
    assert "<form" not in text and "nouveau lien" not in text and "Garage des Tilleuls" not in text


def test_an_expired_proposal_says_the_legal_time_has_passed_with_the_seller_contact(seller, garage):
    today = local_time.paris_date(NOW)
    sent = sent_proposal(seller, garage, valid_until=today.isoformat())
    customer = Customer(seller.client, sent.token)
    at(local_time.end_of_day(today) + timedelta(minutes=1))
    with unchanged(garage, sent):
        page = customer.get()
        signed = customer.post("/sign", portal.SIGN_FORM, form="sign")
        pdf = customer.get("/document.pdf")
    assert page.status_code == 410
    text = unescape(html(page))
    assert "Le délai pour finaliser cette proposition est dépassé" in text
    assert "Victor Vendeur" in text and "06\u00a011\u00a022\u00a033\u00a044" in text and "@tilleuls.example" in text
    assert signed.status_code == 303 and pdf.status_code == 303
    assert portal.header(pdf, "location") == f"../{sent.token}"


def test_a_withdrawn_proposal_is_blocked_and_cannot_be_signed(seller, garage, sent, customer):
    code = with_code(customer, sent)
    assert seller.post(f"/proposals/{sent.proposal_id}/withdraw").status_code == 200
    with unchanged(garage, sent):
        page = customer.get()
        confirmed = customer.post("/code", {"code": code}, form="code")
        new_link = customer.post("", {}, form="new-link")
    assert page.status_code == 410 and "n'est plus accessible" in unescape(html(page))
    assert "Victor Vendeur" in html(page)
    assert confirmed.status_code == 303
    assert new_link.status_code == 410 and "n'est plus accessible" in unescape(html(new_link))  # nothing to renew
    assert status_of_proposal(garage, sent) == "withdrawn"


# --- codes --------------------------------------------------------------------------------------

def test_after_five_wrong_codes_the_right_one_is_refused(garage, sent, customer):
    code = with_code(customer, sent)
    wrong = "000000" if code != "000000" else "111111"
    for remaining in (4, 3, 2, 1, 0):
        refused = customer.post("/code", {"code": wrong}, form="code")
        assert refused.status_code == 400
        expected = (f"il vous reste {remaining} essai" if remaining else "Ce code n'est plus valable")
        assert expected in unescape(html(refused))
    with unchanged(garage, sent):
        locked = customer.post("/code", {"code": code}, form="code")
    assert locked.status_code == 410 and "Trop d'essais incorrects" in unescape(html(locked))
    assert status_of_proposal(garage, sent) == "sent"
    stored = table.get(keys.proposal_code(garage.dealer.id, sent.proposal_id))
    assert stored["wrong_attempts"] == 5 and code not in str(stored)


def test_a_fourth_code_within_fifteen_minutes_is_refused(garage, sent, customer):
    for minute in range(3):
        at(LATER + timedelta(minutes=minute))
        with_code(customer, sent)
    at(LATER + timedelta(minutes=14))
    with unchanged(garage, sent):
        again = customer.post("/sign", portal.SIGN_FORM, form="sign")
        resent = customer.post("/code/resend", {}, form="resend")
    assert again.status_code == 429 and resent.status_code == 429
    assert "réessayez dans 1 minute" in unescape(html(again))
    at(LATER + timedelta(minutes=15))
    assert customer.post("/code/resend", {}, form="resend").status_code == 303


def test_a_code_cannot_be_used_twice(garage, sent, customer):
    code = with_code(customer, sent)
    assert customer.post("/code", {"code": code}, form="code").status_code == 303
    assert status_of_proposal(garage, sent) == "accepted"
    with unchanged(garage, sent):
        replayed = customer.post("/code", {"code": code}, form="code")
    assert replayed.status_code == 410
    text = unescape(html(replayed))
    assert "Ce code a déjà été utilisé" in text and "Proposition acceptée et signée" in text


def test_a_code_sent_before_the_seller_changed_the_proposal_is_refused(seller, garage, sent, customer):
    code = with_code(customer, sent)
    edited = seller.send("PATCH", f"/proposals/{sent.proposal_id}", {"email": "marie.durand@example.com"})
    assert edited.status_code == 200 and body(edited)["proposal"]["version"] == 2
    with unchanged(garage, sent):
        refused = customer.post("/code", {"code": code}, form="code")
    assert refused.status_code == 409
    assert "La proposition a été modifiée depuis l'envoi de ce code" in unescape(html(refused))


def test_a_code_page_without_a_code_sends_to_the_sign_form(garage, sent, customer):
    with unchanged(garage, sent):
        typed = customer.post("/code", {"code": "123456"}, form="code")
        page = customer.get("/code")
    assert typed.status_code == 410 and "Aucun code en cours" in unescape(html(typed))
    assert (page.status_code, portal.header(page, "location")) == (303, "sign")


# --- the seller's proofs -----------------------------------------------------------------------------

def test_another_dealer_gets_404_for_the_proofs_of_a_signed_proposal(client, garage, sent, customer):
    code = with_code(customer, sent)
    assert customer.post("/code", {"code": code}, form="code").status_code == 303
    other = tenant("Autre Garage")
    intruder = Api(client, other.token(other.seller))
    with unchanged(garage, sent):
        for path in ("proofs/signed.pdf", "proofs/evidence.json", ""):
            answer = intruder.get(f"/proposals/{sent.proposal_id}/{path}".rstrip("/"))
            assert answer.status_code == 404, path
            assert "Marie" not in answer.body.decode()


def test_proofs_of_a_proposal_not_yet_signed_are_404(seller, garage, sent):
    with unchanged(garage, sent):
        answer = seller.get(f"/proposals/{sent.proposal_id}/proofs/evidence.json")
    assert answer.status_code == 404 and "n'a pas été signée" in body(answer)["error"]["message"]


# --- malformed forms -----------------------------------------------------------------------------------

def test_a_form_without_its_csrf_token_or_with_another_link_s_is_refused(client, garage, sent, customer):
    other = Customer(client, secrets.token_urlsafe(32))
    with unchanged(garage, sent):
        missing = customer.post("/question", {"question": "Bonjour ?"})
        borrowed = customer.post("/question", {"question": "Bonjour ?"}, form="question", csrf=other.csrf("question"))
        other_form = customer.post("/sign", portal.SIGN_FORM, form="sign", csrf=customer.csrf("question"))
    for refused in (missing, borrowed, other_form):
        assert refused.status_code == 403
        assert "Ce formulaire n'est plus valable" in unescape(html(refused))


def test_the_sign_form_needs_a_name_and_the_terms_read(garage, sent, customer):
    with unchanged(garage, sent):
        refused = customer.post("/sign", {"full_name": " ", "iban": portal.IBAN}, form="sign")
    assert refused.status_code == 400
    text = unescape(html(refused))
    assert "Indiquez vos prénom et nom." in text
    assert "Cochez la case pour confirmer" in text
    assert 'aria-invalid="true"' in text and portal.IBAN in text


def test_a_wrong_iban_is_refused_with_what_to_fix(garage, sent, customer):
    with unchanged(garage, sent):
        refused = customer.post("/sign", {**portal.SIGN_FORM, "iban": "FR76 3000 6000 0112 3456 7890 188"}, form="sign")
        missing = customer.post("/sign", {**portal.SIGN_FORM, "iban": ""}, form="sign")
    assert refused.status_code == missing.status_code == 400
    assert "clé de contrôle incorrecte" in unescape(html(refused))
    assert "Saisissez l'IBAN du compte à prélever" in unescape(html(missing))


def test_the_no_claim_declaration_is_required_when_an_insurance_product_is_included(seller, garage):
    sent = sent_proposal(seller, garage, lines=INSURED)
    customer = Customer(seller.client, sent.token)
    assert "aucun sinistre" in unescape(html(customer.get("/sign")))
    with unchanged(garage, sent):
        refused = customer.post("/sign", portal.SIGN_FORM, form="sign")
    assert refused.status_code == 400
    assert "Confirmez que le véhicule n'a subi aucun sinistre" in unescape(html(refused))
    assert customer.post("/sign", {**portal.SIGN_FORM, "no_claim": "1"}, form="sign").status_code == 303


def test_a_form_in_another_format_too_large_or_unreadable_is_refused(garage, sent, customer):
    fields = {"question": "Bonjour ?", "csrf": customer.csrf("question")}
    with unchanged(garage, sent):
        as_json = customer.post("/question", raw=b'{"question": "Bonjour"}', content_type="application/json")
        too_long = customer.post("/question", {"question": "x" * 2001}, form="question")
        too_large = customer.post("/question", raw=b"question=" + b"x" * 20_000)
        huge = customer.post("/question", raw=b"question=" + b"x" * 1_100_000)
        not_utf8 = customer.post("/question", raw=b"question=%FF%FE&csrf=" + fields["csrf"].encode())
        twice = customer.post("/question", raw=b"question=a&question=b&csrf=" + fields["csrf"].encode())
        empty = customer.post("/question", {"question": "   "}, form="question")
    assert as_json.status_code == 415 and too_long.status_code == 400
    assert too_large.status_code == 413 and huge.status_code == 413
    assert not_utf8.status_code == twice.status_code == empty.status_code == 400
    for refused in (as_json, too_long, too_large, huge, not_utf8, twice, empty):
        assert portal.header(refused, "content-type").startswith("text/html")
        assert "default-src 'none'" in portal.header(refused, "content-security-policy")
    assert "2000 caractères au plus" in unescape(html(too_long))
    assert "Écrivez votre question." in unescape(html(empty))


# --- new links -------------------------------------------------------------------------------------------

def test_new_link_requests_are_limited_to_three_an_hour_and_answer_the_same(client, garage, sent, customer):
    at(SENT_AT + timedelta(hours=25))
    answers = []
    for _ in range(3):
        answers.append(customer.post("", {}, form="new-link"))
    assert len([m for m in emails_to(sent.email) if "nouveau lien" in offers.read(m).subject]) == 3
    with unchanged(garage, sent):
        limited = customer.post("", {}, form="new-link")
    pages = {portal.without_nonce_and_csrf(html(a)) for a in [*answers, limited]}
    assert len(pages) == 1 and {a.status_code for a in [*answers, limited]} == {200}
    assert "un nouveau lien a été envoyé à l'adresse enregistrée" in unescape(pages.pop())
    assert table.get(keys.link(hash_token(sent.token)))["revoked_at"]


# --- declined, and failures ----------------------------------------------------------------------------

def test_a_declined_proposal_takes_no_more_questions_and_leads_back_to_its_page(garage, sent, customer):
    assert customer.post("/decline", {"reason": ""}, form="decline").status_code == 303
    with unchanged(garage, sent):
        form = customer.get("/question")
        asked = customer.post("/question", {"question": "Et finalement ?"}, form="question")
        page = customer.get()
    assert (form.status_code, portal.header(form, "location")) == (303, f"../{sent.token}")
    assert (asked.status_code, portal.header(asked, "location")) == (303, f"../{sent.token}")
    assert page.status_code == 200 and "Et finalement" not in html(page)
    assert status_of_proposal(garage, sent) == "declined"


def test_an_unexpected_failure_is_an_error_page_with_the_portal_headers_and_no_detail(monkeypatch, garage, sent,
                                                                                     customer):
    def broken(*args, **kwargs):
        raise RuntimeError("table offerline-dev unreachable")

    monkeypatch.setattr("chalicelib.services.portal.view", broken)
    monkeypatch.setattr("chalicelib.services.portal.ask", broken)
    with unchanged(garage, sent):
        failures = [customer.get(), customer.post("/question", {"question": "Bonjour ?"}, form="question")]
    for failed in failures:
        assert failed.status_code == 500
        assert portal.header(failed, "content-type").startswith("text/html")
        assert "nonce-" in portal.header(failed, "content-security-policy")
        assert portal.header(failed, "cache-control") == "no-store" and portal.header(failed, "x-request-id")
        text = unescape(html(failed))
        assert "Une erreur est survenue" in text
        assert "offerline-dev" not in text and "RuntimeError" not in text and "Traceback" not in text


def test_the_order_pages_of_an_unsigned_or_unknown_link_lead_back_to_its_page_and_change_nothing(client, garage, sent,
                                                                                               customer):
    unknown = Customer(client, secrets.token_urlsafe(32))
    with unchanged(garage, sent):
        for who in (customer, unknown):
            answers = [who.get("/commande"), who.get("/retractation"),
                       who.post("/commande/solde", {}, form="balance"),
                       who.post("/retractation", {"name": "Marie Durand", "address": "1 rue des Lilas"},
                                form="withdrawal")]
            for answer in answers:
                assert answer.status_code == 303, who.token
            assert {portal.header(a, "location") for a in answers} == {f"../{who.token}", f"../../{who.token}"}
    assert status_of_proposal(garage, sent) == "sent"
