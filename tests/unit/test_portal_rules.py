"""The portal's rules without AWS: the sign form, the consent, the withdrawal end dates, French
typography, the pages themselves, and how the error middleware treats portal pages."""
from datetime import date, timedelta

import pytest
from chalice import Response

from chalicelib.api import middleware
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.proposals.status import ProposalStatus
from chalicelib.domain.quotes import LineKind
from chalicelib.domain.signing import SignFormInput, check_sign_form, consent_parts, periods_of
from chalicelib.portal import pages
from tests.samples import AT, TO_MARIE, line, proposal, quote, vehicle_line

IBAN = "FR76 3000 6000 0112 3456 7890 189"


@pytest.fixture
def sent():
    return proposal().sent(TO_MARIE, True, AT)


def insured():
    lines = [vehicle_line(), line(LineKind.INSURANCE, 59_000, vat=0, label="Garantie panne mécanique")]
    return proposal(quote(lines)).sent(TO_MARIE, True, AT)


def test_the_sign_form_names_every_field_to_fix_at_once(sent):
    with pytest.raises(InvalidInput) as refused:
        check_sign_form(sent, SignFormInput(full_name=" M ", iban="FR00"))
    assert set(refused.value.fields) == {"full_name", "terms", "iban"}


def test_a_full_form_gives_the_consent_with_a_masked_iban(sent):
    terms = check_sign_form(sent, SignFormInput(full_name="  Marie   Durand ", terms=True, iban=IBAN))
    assert terms.full_name == "Marie Durand" and terms.iban == "FR7630006000011234567890189"
    assert terms.iban_masked == "FR76 •••• •••• 0189"
    assert "P2026-00012 (version 1)" in terms.consent_text and "FR76 •••• •••• 0189" in terms.consent_text
    assert "0112" not in terms.consent_text and terms.iban not in repr(terms)


def test_no_iban_is_asked_when_nothing_is_paid_by_direct_debit():
    plain = proposal(quote([vehicle_line()])).sent(TO_MARIE, True, AT)
    assert not plain.requires_iban and set(consent_parts(plain)) == {"terms"}
    assert check_sign_form(plain, SignFormInput(full_name="Marie Durand", terms=True)).iban is None


def test_the_no_claim_declaration_is_needed_only_with_an_insurance_product_taken(sent):
    assert "no_claim" not in consent_parts(sent)  # the warranty is only an option there
    with pytest.raises(InvalidInput) as refused:
        check_sign_form(insured(), SignFormInput(full_name="Marie Durand", terms=True))
    assert set(refused.value.fields) == {"no_claim"}
    assert "depuis le 24/11/2026" in consent_parts(insured())["no_claim"]


def test_withdrawal_periods_end_from_the_signature_day_except_the_vehicle(sent):
    before = periods_of(sent)
    assert [p.ends_on for p in before] == [None, None, None]
    signed = sent.moved_to(ProposalStatus.ACCEPTED, AT)
    after = {p.products: p for p in periods_of(signed)}
    assert set(after) == {"Véhicule, accessoire, frais", "Contrat de service"}  # the warranty was not taken
    assert after["Contrat de service"].ends_on == date(2026, 11, 24) + timedelta(days=14)
    assert "à compter de la livraison ou de la remise du véhicule" in after["Véhicule, accessoire, frais"].text
    assert "soit jusqu'au mardi 8 décembre 2026 inclus" in after["Contrat de service"].text
    insurance = {p.products: p for p in periods_of(insured().moved_to(ProposalStatus.ACCEPTED, AT))}["Assurance"]
    assert insurance.days == 30 and insurance.ends_on == date(2026, 12, 24)


def test_french_typography_spaces_the_marks_but_not_urls_or_operators():
    assert pages.typo("Total : 12 € ; payé ? oui ! « ok »") == "Total\u00a0: 12 €\u202f; payé\u202f? oui\u202f! «\u00a0ok\u00a0»"
    assert pages.typo("https://x.example/a?b=1 {% if a != b %}") == "https://x.example/a?b=1 {% if a != b %}"
    assert pages.typo("par e-mail") == "par e\u2011mail"


def test_the_proposal_page_shows_amounts_the_french_way_and_no_script(sent):
    page = pages.render("proposal.html", nonce="N", proposal=sent, root="tok", error=None, values={},
                        csrf=lambda form: "C", periods=periods_of(sent), now=AT, state="show",
                        question_max=2000, reason_max=1000)
    assert "20\u00a0417,95\u00a0€" in page and "Acompte" in page and "arrhes" in page
    assert '<style nonce="N">' in page and "<script" not in page and "style=" not in page
    assert 'href="tok/sign"' in page and "06\u00a011\u00a022\u00a033\u00a044" in page
    assert len(page.encode()) < 30_000


# --- the error middleware on portal paths -------------------------------------------------------

class Event:
    def __init__(self, path: str, body: bytes = b""):
        self.path, self.raw_body, self.lambda_context = path, body, None


def page(status: int, message: str) -> Response:
    return Response(body=f"<p>{message}</p>", status_code=status, headers={"Content-Type": "text/html"})


@pytest.fixture
def portal_pages(monkeypatch):
    monkeypatch.setattr(middleware, "_error_pages", {"/p/": page})


def test_a_page_a_route_built_is_left_as_it_is(portal_pages):
    built = Response(body="<p>ok</p>", status_code=410, headers={"Content-Type": "text/html", "X-Own": "1"})
    answer = middleware.uniform_errors(Event("/p/{token}"), lambda event: built)
    assert answer.body == "<p>ok</p>" and answer.status_code == 410 and answer.headers["X-Own"] == "1"


def test_chalice_errors_and_failures_on_portal_paths_are_pages(portal_pages):
    def method_not_allowed(event):
        return Response(body={"Code": "MethodNotAllowedError", "Message": "no"}, status_code=405)

    def failing(event):
        raise RuntimeError("boom")

    assert middleware.uniform_errors(Event("/p/{token}"), method_not_allowed).body == "<p>Requête refusée.</p>"
    failed = middleware.uniform_errors(Event("/p/{token}/sign"), failing)
    assert (failed.status_code, failed.headers["Content-Type"]) == (500, "text/html")
    too_big = middleware.uniform_errors(Event("/p/{token}/question", b"x" * 1_100_000), failing)
    assert too_big.status_code == 413 and too_big.body.startswith("<p>")


def test_the_dealer_api_keeps_its_json_errors(portal_pages):
    answer = middleware.uniform_errors(Event("/proposals/{proposal_id}"), lambda event: Response(
        body={"Code": "MethodNotAllowedError", "Message": "no"}, status_code=405))
    assert answer.status_code == 405 and answer.body["error"]["code"] == "method_not_allowed"
