"""The rules of the options the customer chooses (domain/proposals/options.py): a new version per change, totals
and acompte following, refusals for a stale form, a locked or answered proposal, and what changed since sent."""
from datetime import timedelta

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.proposals.model import ProposalStatus
from chalicelib.domain.proposals.options import (
    OptionChoice, OptionsClosed, OptionsLocked, OptionsOutdated, locked, read_choice, since_sent, with_choice,
)
from tests import samples

AT = samples.AT + timedelta(hours=1)


@pytest.fixture
def sent():
    return samples.proposal().sent(samples.TO_MARIE, True, samples.AT)


def option_of(proposal) -> str:
    return next(line.id for line in proposal.lines if line.optional)


def choice(proposal, chosen=True, version=None) -> OptionChoice:
    return OptionChoice(line_id=option_of(proposal), chosen=chosen, version=version or proposal.version)


def test_taking_an_option_is_a_new_version_whose_totals_and_acompte_include_it(sent):
    taken = with_choice(sent, choice(sent), AT)
    assert (taken.version, taken.version_created_at, taken.pdf) == (sent.version + 1, AT, None)
    assert taken.totals.ttc_cents == sent.totals.ttc_cents + 59_000
    assert taken.totals.vat_cents == sent.totals.vat_cents  # the warranty is at 0 % VAT
    assert taken.deposit_cents == (taken.totals.ttc_cents + 5) // 10  # the dealer's 10 %
    assert taken.requires_no_claim_declaration and not sent.requires_no_claim_declaration


def test_the_page_shows_what_changed_since_the_version_sent(sent):
    assert since_sent(sent) is None
    taken = with_choice(sent, choice(sent), AT)
    changes = since_sent(taken)
    assert changes is not None and changes.sent_version == sent.version
    assert [line.label for line in changes.added] == ["Extension de garantie panne mécanique"] and not changes.removed
    assert (changes.old_ttc_cents, changes.new_ttc_cents) == (sent.totals.ttc_cents, taken.totals.ttc_cents)
    assert (changes.old_deposit_cents, changes.new_deposit_cents) == (sent.deposit_cents, taken.deposit_cents)
    left = with_choice(taken, choice(taken, chosen=False), AT)
    assert left.version == sent.version + 2 and since_sent(left) is None


def test_a_proposal_sent_before_the_sent_options_were_kept_compares_with_its_first_change(sent):
    older = sent.model_copy(update={"options_sent": None, "options_sent_version": None})
    taken = with_choice(older, choice(older), AT)
    assert taken.options_sent == [] and taken.options_sent_version == older.version
    assert since_sent(taken) is not None


def test_the_same_choice_again_changes_nothing(sent):
    assert with_choice(sent, choice(sent, chosen=False), AT) is sent


def test_a_form_made_for_another_version_is_refused(sent):
    with pytest.raises(OptionsOutdated):
        with_choice(sent, choice(sent, version=sent.version + 1), AT)


def test_a_locked_proposal_refuses_a_change_and_unlocked_accepts_it(sent):
    frozen = locked(sent, True)
    assert frozen.options_locked and frozen.version == sent.version
    with pytest.raises(OptionsLocked):
        with_choice(frozen, choice(frozen), AT)
    assert with_choice(locked(frozen, False), choice(sent), AT).version == sent.version + 1


@pytest.mark.parametrize("status", [ProposalStatus.ACCEPTED, ProposalStatus.DECLINED, ProposalStatus.EXPIRED,
                                    ProposalStatus.WITHDRAWN])
def test_an_answered_or_closed_proposal_refuses_a_change_and_a_lock(sent, status):
    closed = sent.moved_to(status, AT)
    with pytest.raises(OptionsClosed):
        with_choice(closed, choice(closed), AT)
    with pytest.raises(OptionsClosed):
        locked(closed, True)


def test_a_draft_may_be_locked_but_its_options_are_not_the_customer_s_yet():
    draft = samples.proposal()
    assert locked(draft, True).options_locked
    with pytest.raises(OptionsClosed):
        with_choice(draft, choice(draft), AT)


def test_a_line_that_is_no_option_is_refused(sent):
    with pytest.raises(InvalidInput):
        with_choice(sent, OptionChoice(line_id=sent.lines[0].id, chosen=False, version=sent.version), AT)


@pytest.mark.parametrize("form", [
    {}, {"line": "L1", "chosen": "yes", "version": "2"}, {"line": "L1", "chosen": "1", "version": "deux"},
    {"line": "x" * 41, "chosen": "1", "version": "2"},
])
def test_a_form_that_is_no_choice_is_refused(form):
    with pytest.raises(InvalidInput):
        read_choice(form)


def test_a_form_reads_as_a_choice():
    assert read_choice({"line": "L4", "chosen": "0", "version": "3"}) == OptionChoice(line_id="L4", chosen=False,
                                                                                      version=3)
