"""The proposal lifecycle and what may still change once it has been sent."""
import json
from datetime import date, timedelta

import pytest

from chalicelib.domain.dealers import WithdrawalDays
from chalicelib.domain.errors import InvalidInput, InvalidTransition
from chalicelib.domain.proposals.commands import ProposalChange, SellerBlock
from chalicelib.domain.customers import AccountView
from chalicelib.domain.proposals.model import (
    EventKind, ProposalLocked, check_quote_can_be_proposed, proposal_contact,
)
from chalicelib.domain.proposals.status import ProposalStatus, sources_of
from chalicelib.domain.proposals.views import email_variables
from chalicelib.domain.quotes import LineKind, VehicleDetails
from tests.samples import AT, TO_MARIE, account, contact, line, proposal, quote

S = ProposalStatus


@pytest.fixture
def draft():
    return proposal()


@pytest.fixture
def sent(draft):
    return draft.sent(TO_MARIE, True, AT)


def test_a_proposal_is_a_frozen_copy_of_the_quote_customer_seller_and_dealer(draft):
    assert (draft.status, draft.version, draft.reference, draft.quote_number) == (
        S.DRAFT, 1, "P2026-00012", "D2026-00042")
    assert draft.customer.full_name == "Marie Durand" and draft.customer.address.city == "Lyon"
    assert draft.seller.display_name == "Victor Vendeur"
    assert draft.dealer.legal.siret == "12345678900012"
    assert draft.totals == quote().totals
    assert draft.deposit_cents == 204_180
    assert draft.expires_at.isoformat() == "2026-12-24T23:00:00+00:00"


def test_sending_a_draft_makes_it_sent_and_keeps_the_recipient(sent):
    assert sent.status == S.SENT and sent.sent_at == AT and sent.recipient == TO_MARIE and sent.send_count == 1


def test_sending_again_keeps_a_viewed_proposal_viewed(sent):
    viewed = sent.moved_to(S.VIEWED, AT)
    again = viewed.sent(TO_MARIE, True, AT + timedelta(hours=1))
    assert again.status == S.VIEWED and again.sent_at == AT and again.send_count == 2


@pytest.mark.parametrize("terminal", [S.ACCEPTED, S.DECLINED, S.EXPIRED, S.WITHDRAWN])
def test_nothing_leaves_a_terminal_state(sent, terminal):
    closed = sent.moved_to(terminal, AT)
    for target in S:
        with pytest.raises(InvalidTransition):
            closed.moved_to(target, AT)
    with pytest.raises(InvalidTransition, match="ne peut plus être envoyée"):
        closed.sent(TO_MARIE, True, AT)
    with pytest.raises(InvalidTransition):
        closed.reminded(AT)


def test_a_draft_cannot_be_accepted_or_viewed_before_it_is_sent(draft):
    for target in (S.VIEWED, S.ACCEPTED, S.DECLINED):
        with pytest.raises(InvalidTransition):
            draft.moved_to(target, AT)


def test_the_lifecycle_goes_draft_sent_viewed_accepted(draft):
    accepted = draft.sent(TO_MARIE, True, AT).moved_to(S.VIEWED, AT).moved_to(S.ACCEPTED, AT)
    assert accepted.status == S.ACCEPTED and accepted.accepted_at == AT


def test_each_write_condition_lists_the_statuses_that_lead_to_the_target():
    assert set(sources_of(S.WITHDRAWN)) == {S.DRAFT, S.SENT, S.VIEWED}
    assert set(sources_of(S.ACCEPTED)) == {S.SENT, S.VIEWED}
    assert set(sources_of(S.VIEWED)) == {S.SENT}


def test_a_draft_that_was_never_sent_cannot_be_reminded(draft):
    with pytest.raises(InvalidTransition, match="pas encore été envoyée"):
        draft.reminded(AT)


def test_an_expired_proposal_cannot_be_sent(draft):
    with pytest.raises(InvalidTransition, match="a expiré"):
        draft.sent(TO_MARIE, True, draft.expires_at)


def test_a_sent_proposal_refuses_a_new_vehicle(sent):
    with pytest.raises(ProposalLocked) as refused:
        sent.edited(ProposalChange(vehicle=VehicleDetails(make="Renault", model="Clio")), None, AT)
    assert refused.value.code == "proposal_locked"
    assert "nouvelle proposition" in refused.value.message
    assert refused.value.fields == {"vehicle": "locked after send"}


@pytest.mark.parametrize("change", [
    {"last_name": "Martin"}, {"first_name": "Anne"}, {"civility": "M."}, {"company_name": "Durand SARL"},
    {"address": {"line1": "1 rue Neuve", "postal_code": "75001", "city": "Paris"}},
    {"valid_until": "2026-12-31"}, {"notes": "autre"},
    {"lines": [{"kind": "fee", "label": "Frais", "unit_price_cents": 1, "vat_rate": 20}]},
    {"email": "a@example.com", "last_name": "Martin"},
])
def test_after_sending_the_name_address_vehicle_and_lines_are_locked(sent, change):
    with pytest.raises(ProposalLocked) as refused:
        sent.edited(ProposalChange.model_validate_json(json.dumps(change)), None, AT)
    assert set(refused.value.fields) == set(change) - {"email", "mobile", "seller"}


def test_after_sending_the_customer_email_and_mobile_change_in_a_new_version(sent):
    edited = sent.edited(ProposalChange(email="marie.durand@example.com", mobile="07 11 22 33 44"), None,
                         AT + timedelta(hours=2))
    assert edited.version == 2 and edited.version_created_at == AT + timedelta(hours=2)
    assert edited.customer.email == "marie.durand@example.com" and edited.customer.mobile == "+33711223344"
    assert edited.recipient.email == "marie.durand@example.com"
    assert edited.customer.last_name == "Durand" and edited.lines == sent.lines


def test_after_sending_the_seller_block_changes_in_a_new_version(sent):
    block = SellerBlock(display_name="Nina Vendeuse", phone="+33622334455", email="nina@tilleuls.example")
    edited = sent.edited(ProposalChange(seller=block), None, AT)
    assert edited.seller.display_name == "Nina Vendeuse" and edited.version == 2


def test_the_same_values_again_make_no_new_version(sent):
    assert sent.edited(ProposalChange(email="marie@example.com"), None, AT) is sent


def test_a_draft_may_still_change_its_customer_name_and_vehicle(draft):
    edited = draft.edited(ProposalChange(last_name="Durand-Martin",
                                         vehicle=VehicleDetails(make="Peugeot", model="308 SW")), None, AT)
    assert edited.customer.last_name == "Durand-Martin" and edited.version == 2
    assert next(ln for ln in edited.lines if ln.kind == LineKind.VEHICLE).vehicle.model == "308 SW"


def test_a_signed_proposal_changes_no_more(sent):
    accepted = sent.moved_to(S.ACCEPTED, AT)
    with pytest.raises(ProposalLocked, match="acceptée"):
        accepted.edited(ProposalChange(email="x@example.com"), None, AT)


def test_an_empty_change_is_refused(sent):
    with pytest.raises(InvalidInput):
        sent.edited(ProposalChange(), None, AT)


def test_a_quote_without_a_contact_goes_to_the_account_s_only_one_and_asks_among_several():
    only = contact()
    assert proposal_contact(quote(contact_id=None), AccountView(account=account(), contacts=[only])) == only
    other = only.model_copy(update={"id": "C2", "first_name": "Paul"})
    with pytest.raises(InvalidInput) as no_contact:
        proposal_contact(quote(contact_id=None), AccountView(account=account(), contacts=[only, other]))
    assert "contact_id" in no_contact.value.fields
    chosen = quote(contact_id="C2")
    assert proposal_contact(chosen, AccountView(account=account(), contacts=[only, other])) == other


def test_a_quote_without_lines_or_validity_cannot_become_a_proposal():
    today = date(2026, 11, 24)
    with pytest.raises(InvalidInput):
        check_quote_can_be_proposed(quote([line(optional=True)]), today)
    with pytest.raises(InvalidInput, match="expiré"):
        check_quote_can_be_proposed(quote(valid_until=date(2026, 11, 23)), today)


def test_insurance_needs_a_no_claim_declaration_and_direct_debit_an_iban(draft):
    assert draft.requires_iban is True  # the service contract is paid by direct debit
    assert draft.requires_no_claim_declaration is False  # the warranty is only offered
    chosen = proposal(quote([line(LineKind.INSURANCE, 59_000, vat=0)]))
    assert chosen.requires_no_claim_declaration is True and chosen.requires_iban is False


def test_withdrawal_terms_come_from_the_dealer_settings_frozen_in_the_proposal(draft):
    assert draft.withdrawal_days == WithdrawalDays()
    assert {t.days for t in draft.withdrawal} == {14, 30}


def test_emails_greet_the_customer_and_show_euros(sent):
    variables = email_variables(sent)
    assert variables["customer_name"] == "Madame Durand"
    assert variables["total"] == "20 417,95 €".replace(" ", "\u00a0")
    assert variables["valid_until"] == "24/12/2026"


def test_history_kinds_cover_every_step_the_spec_names():
    assert {"email_sent", "viewed", "downloaded", "reminder_sent", "question_asked", "signature_started",
            "code_sent", "code_verified", "accepted", "payment_received"} <= {k.value for k in EventKind}


def test_a_person_has_no_company_name(draft):
    with pytest.raises(InvalidInput):
        draft.edited(ProposalChange(company_name="Durand SARL"), None, AT)
