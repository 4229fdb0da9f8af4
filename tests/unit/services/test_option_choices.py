"""Options chosen by the customer on the portal, on the in-memory table: each change is a new version with its
PDF, its evidence and history events and the seller's notice; a stale form, a locked or a signed proposal is
refused and nothing changes; a code sent for the earlier version no longer signs."""
import hashlib

import pytest

from chalicelib.documents import storage
from chalicelib.domain.codes import CodeForAnotherVersion
from chalicelib.domain.dealers import Staff
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.proposals.model import EventKind, ProposalStatus
from chalicelib.domain import local_time
from chalicelib.domain.money import format_euros
from chalicelib.domain.notices import TEXT_MAX
from chalicelib.domain.proposals.options import (
    OptionLine, OptionsChanges, OptionsClosed, OptionsLock, OptionsLocked, OptionsOutdated, since_sent,
)
from chalicelib.domain.templates import TemplateKind, default, render
from chalicelib.domain.signing import ConcurrentChange
from chalicelib.services import notifications, options, signing, visit
from chalicelib.store import options as option_store
from chalicelib.store import proposals as store
from chalicelib.store.unit_of_work import commit
from tests import customer_side as side
from tests import samples
from tests.customer_side import PHONE, SIGN_FORM
from tests.support import tenant


@pytest.fixture
def garage(memory):
    side.at(side.NOW)
    return tenant()


@pytest.fixture
def sent(garage):
    return side.sent(garage)


def warranty(the: side.Sent) -> str:
    return next(line.id for line in the.proposal.lines if line.optional)


def take(the: side.Sent, chosen: bool = True, version: int | None = None) -> None:
    stored = side.stored(the)
    options.choose(the.token, the.form("options", line=warranty(the), chosen="1" if chosen else "0",
                                       version=str(version or stored.version)), PHONE)


def seller_of(garage) -> Staff:
    return Staff(dealer_id=garage.dealer.id, user_id=garage.seller.id, role=garage.seller.role)


def test_taking_an_option_makes_a_new_version_with_its_pdf_totals_and_acompte(memory, sent):
    before = side.stored(sent)
    side.later(1)
    memory.calls.clear()
    options.choose(sent.token, sent.form("options", line=warranty(sent), chosen="1", version=str(before.version)),
                   PHONE)
    assert dict(memory.calls) == {"GetItem": 1, "Query": 1, "TransactWriteItems": 1}
    after = side.stored(sent)
    assert after.version == before.version + 1 and after.version_created_at == side.NOW.replace(minute=16)
    assert after.totals.ttc_cents == before.totals.ttc_cents + 59_000
    assert after.deposit_cents == round((before.totals.ttc_cents + 59_000) / 10)
    assert after.pdf is not None and after.pdf.version == after.version
    assert hashlib.sha256(storage.get(after.pdf.s3_key)).hexdigest() == after.pdf.sha256
    changes = since_sent(after)
    assert changes is not None and [line.label for line in changes.added] == ["Extension de garantie panne mécanique"]
    assert (changes.old_ttc_cents, changes.new_ttc_cents) == (before.totals.ttc_cents, after.totals.ttc_cents)


def test_an_option_change_is_in_the_evidence_the_history_and_the_sellers_notice(memory, sent):
    before = side.stored(sent)
    take(sent)
    assert side.evidence(sent) == ["options_changed"]
    [details] = [e.details for e in store.get_with_history(before.dealer_id, before.id).history
                 if e.kind == EventKind.OPTIONS_CHANGED]
    assert details["added"] == ["Extension de garantie panne mécanique"] and details["removed"] == []
    assert (details["from_version"], details["version"]) == (before.version, before.version + 1)
    assert details["new_ttc_cents"] - details["old_ttc_cents"] == 59_000
    assert details["ip"] == PHONE.ip
    assert side.seller_notices(memory) == ["modifié les options de"]


def test_the_seller_s_notice_names_the_options_taken_or_left_and_the_new_total(memory, sent):
    take(sent)
    taken = side.stored(sent)
    [notice] = side.queued(memory, "seller_notification")
    total = format_euros(taken.totals.ttc_cents)
    assert notice["notice"]["sms_text"] == (
        f"Offerline : {taken.customer.company_name or taken.customer.full_name} a modifié les options de la "
        f"proposition {taken.reference} ({local_time.format_moment(side.NOW)}) : ajoutée : Extension de garantie "
        f"panne mécanique ; nouveau total TTC {total}.")
    assert notice["variables"]["options"].splitlines() == [
        f"Ajoutée : Extension de garantie panne mécanique (+ {format_euros(59_000)})",
        f"Total TTC : {format_euros(sent.proposal.totals.ttc_cents)} → {total}",
        f"Acompte : {format_euros(sent.proposal.deposit_cents)} → {format_euros(taken.deposit_cents)}",
    ]
    email = render(default(TemplateKind.SELLER_NOTIFICATION), notice["variables"])
    assert "Ses choix :\nAjoutée : Extension de garantie panne mécanique" in email.text
    assert "Ses choix :<br>\nAjoutée : Extension de garantie panne mécanique" in email.html
    side.later(1)
    take(sent, chosen=False)
    [left] = [n for n in side.queued(memory, "seller_notification") if n["id"] != notice["id"]]
    assert "retirée : Extension de garantie panne mécanique ; nouveau total TTC " \
        f"{format_euros(sent.proposal.totals.ttc_cents)}." in left["notice"]["sms_text"]


def test_a_notice_of_many_long_options_keeps_the_new_total_within_the_sms_and_bell_limit():
    proposal = samples.proposal()
    many = [OptionLine(id=f"L{n}", label=f"Option {n} " + "très longue " * 12, ttc_cents=10_000) for n in range(6)]
    change = OptionsChanges(added=many[:4], removed=many[4:], old_ttc_cents=1_000_000, new_ttc_cents=1_020_000,
                            old_deposit_cents=0, new_deposit_cents=0)
    text = notifications.seller_notice(proposal, EventKind.OPTIONS_CHANGED, samples.AT, options=change).notice.sms_text
    assert len(text) <= notifications.SMS_LIMIT and len(text) <= TEXT_MAX
    assert "ajoutée : Option 0 très longue" in text and "…" in text
    assert text.endswith(f" ; nouveau total TTC {format_euros(1_020_000)}.")


def test_leaving_the_option_again_is_one_more_version_and_nothing_changed_since_sent(memory, sent):
    take(sent)
    take(sent, chosen=False)
    after = side.stored(sent)
    assert after.version == sent.proposal.version + 2
    assert after.totals.ttc_cents == sent.proposal.totals.ttc_cents and since_sent(after) is None
    assert side.evidence(sent) == ["options_changed", "options_changed"]


def test_the_same_choice_posted_twice_from_one_page_is_refused_the_second_time(memory, sent):
    version = side.stored(sent).version
    take(sent, version=version)
    before = side.snapshot(memory)
    with pytest.raises(OptionsOutdated):
        take(sent, version=version)
    assert memory.items == before


def test_a_locked_proposal_refuses_a_change_and_nothing_changes(memory, garage, sent):
    options.lock(garage.dealer.id, sent.proposal.id, OptionsLock(locked=True), by=seller_of(garage))
    before = side.snapshot(memory)
    with pytest.raises(OptionsLocked):
        take(sent)
    assert memory.items == before
    options.lock(garage.dealer.id, sent.proposal.id, OptionsLock(locked=False), by=seller_of(garage))
    take(sent)
    assert side.stored(sent).version == sent.proposal.version + 1
    assert [k for k in side.history(sent) if k.value.startswith("options_")] == [
        EventKind.OPTIONS_LOCKED, EventKind.OPTIONS_UNLOCKED, EventKind.OPTIONS_CHANGED]


def test_a_lock_written_between_the_read_and_the_write_wins(memory, garage, sent):
    read = side.stored(sent)
    options.lock(garage.dealer.id, sent.proposal.id, OptionsLock(locked=True), by=seller_of(garage))
    chosen = read.model_copy(update={"version": read.version + 1})
    with pytest.raises(ConcurrentChange):
        commit(option_store.chosen(read, chosen))


@pytest.mark.parametrize("status", [ProposalStatus.ACCEPTED, ProposalStatus.DECLINED])
def test_an_answered_proposal_refuses_a_change(memory, garage, status):
    answered = side.sent(garage, status=status)
    before = side.snapshot(memory)
    with pytest.raises(OptionsClosed):
        options.choose(answered.token, answered.form("options", line=warranty(answered), chosen="1",
                                                     version=str(answered.proposal.version)), PHONE)
    assert memory.items == before
    with pytest.raises(OptionsClosed):
        options.lock(garage.dealer.id, answered.proposal.id, OptionsLock(locked=True), by=seller_of(garage))


def test_a_code_sent_for_the_earlier_version_no_longer_signs(memory, sent):
    signing.start(sent.token, sent.form("sign", **SIGN_FORM), PHONE)
    code = side.latest_code(memory)
    take(sent)
    before = side.snapshot(memory)
    with pytest.raises(CodeForAnotherVersion):
        signing.confirm(sent.token, sent.form("code", code=code), PHONE)
    assert memory.items == before and side.stored(sent).status != ProposalStatus.ACCEPTED
    with pytest.raises(signing.NeedsForm):
        signing.resend(sent.token, sent.form("resend"), PHONE)
    # The warranty taken is insurance: the sign form now asks for the no-claim declaration too.
    signing.start(sent.token, sent.form("sign", **SIGN_FORM, no_claim="1"), PHONE)
    signing.confirm(sent.token, sent.form("code", code=side.latest_code(memory)), PHONE)
    signed = side.stored(sent)
    assert signed.status == ProposalStatus.ACCEPTED and signed.signature.proposal_version == signed.version
    assert signed.signature.shown_pdf.sha256 == signed.pdf.sha256
    assert visit.open_link(sent.token).proposal.totals.ttc_cents == sent.proposal.totals.ttc_cents + 59_000


def test_a_form_that_is_no_choice_changes_nothing(memory, sent):
    before = side.snapshot(memory)
    for fields in ({"line": warranty(sent), "chosen": "yes", "version": "1"},
                   {"line": sent.proposal.lines[0].id, "chosen": "0", "version": str(sent.proposal.version)}):
        with pytest.raises(InvalidInput):
            options.choose(sent.token, sent.form("options", **fields), PHONE)
    assert memory.items == before
