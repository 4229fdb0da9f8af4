"""The proposal-reminders schedule: automatic reminders on the dealer's reminder days.

Reads kind `proposal_reminder`: the proposal's reminder item (`keys.proposal_reminder`),
written by the send's unit of work and due at the next reminder (rules: domain/reminders.py).
A due reminder is the seller's "remind" use case with `by="system"` (reminder template, a
new link, a `reminder_sent` event), committed in one unit of work with the move of the
reminder item to its next day, or its deletion after the last one. The proposal's write
holds only while it is sent or viewed and at the version read, so a proposal that was
accepted, declined, withdrawn or expired meanwhile is never reminded; the item of such a
proposal is deleted when it comes due. An address that bounced for good or complained
(services/email_events.py) is skipped that day: the schedule moves on without sending.
"""
from datetime import datetime

from chalicelib.domain import clock, reminders
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.proposals.commands import RemindProposal
from chalicelib.domain.proposals.model import Proposal
from chalicelib.domain.proposals.status import WITH_THE_CUSTOMER
from chalicelib.domain.reminders import ReminderSchedule
from chalicelib.services import due_work
from chalicelib.services import proposals as proposal_service
from chalicelib.store import dealers as dealer_store
from chalicelib.store import due
from chalicelib.store import email_events as email_store
from chalicelib.store import proposals as store
from chalicelib.store.unit_of_work import Write, commit

SYSTEM = "system"


def send_due() -> int:
    """Returns how many due reminder items this run claimed (sent, left out or ended)."""
    return due_work.sweep(store.REMINDER_KIND, _remind)


def _remind(claimed: due.Claimed) -> None:
    now = clock.now()
    schedule = ReminderSchedule.model_validate(claimed.item)
    try:
        dealer = dealer_store.get(schedule.dealer_id)
        proposal = store.get(schedule.dealer_id, schedule.proposal_id)
    except NotFound:
        commit(due.dropped(claimed))
        return
    if not dealer.settings.remote_selling or proposal.status not in WITH_THE_CUSTOMER or now >= proposal.expires_at:
        commit(due.dropped(claimed))
        return
    decision = reminders.decide(schedule, dealer.settings.reminder_days, now, _last_contact(proposal),
                                until=proposal.expires_at)
    then = (due.postponed(claimed, store.REMINDER_KIND, decision.next.at, done_day=decision.day)
            if decision.next else due.dropped(claimed))
    if not decision.send:
        commit(then)
        return
    reminder = proposal_service.reminder_of(dealer, proposal, RemindProposal(), now, by=SYSTEM,
                                            details={"automatic": True, "day": decision.day})
    try:
        reminder.committed(proposal).add(then, *_sendable(proposal)).commit()
    except _Suppressed:
        commit(then)  # a suppressed address gets no reminder until the seller confirms or corrects it


class _Suppressed(Conflict):
    code = "address_suppressed"


def _sendable(proposal: Proposal) -> list[Write]:
    """The address is not suppressed: checked in the reminder's transaction, not read before it (one call less)."""
    address = proposal.recipient.email if proposal.recipient else proposal.customer.email
    if not address:
        return []
    return [email_store.not_suppressed(proposal.dealer_id, address, _Suppressed("Adresse bloquée : pas de relance."))]


def _last_contact(proposal: Proposal) -> datetime | None:
    times = [t for t in (proposal.last_sent_at, proposal.last_reminded_at) if t is not None]
    return max(times) if times else None
