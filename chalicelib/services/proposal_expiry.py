"""What the expiry schedules do: proposals past their validity, access links past theirs.

expire-proposals reads kind `proposal_expiry` (the proposal item, due at the end of its
validity day in Paris, from creation on, so drafts never sent expire too). An open
proposal (draft, sent, viewed) becomes expired in one transaction with its history event
and the seller's alert, on condition that this sweep still holds the claim, that the
status still allows it and that the version is the one read. A proposal that reached
another end meanwhile (accepted, declined, withdrawn) is left alone.

sweep-links reads kind `link_expiry` (the link item, due at its `expires_at`). The portal
already refuses an expired link on read; the sweep records `link_expired` in the
proposal's history while the proposal is still with the customer (sent or viewed), and
takes the link out of the index in the same transaction. The link item itself stays until
its `ttl`: the portal still finds it to offer a new link to the recorded address.
"""
from chalicelib.domain import clock
from chalicelib.domain.errors import NotFound
from chalicelib.domain.proposals.model import EventKind, Proposal, ProposalLink
from chalicelib.domain.proposals.status import WITH_THE_CUSTOMER, ProposalStatus
from chalicelib.services import due_work, proposals, staff_alerts
from chalicelib.store import due
from chalicelib.store import leads as lead_store
from chalicelib.store import outbox as outbox_store
from chalicelib.store import proposals as store
from chalicelib.store.unit_of_work import UnitOfWork, commit

SYSTEM = "system"


def expire_due() -> int:
    """The expire-proposals schedule. Returns how many due proposals this run claimed."""
    return due_work.sweep(store.EXPIRY, _expire)


def sweep_links() -> int:
    """The sweep-links schedule. Returns how many expired links this run claimed."""
    return due_work.sweep(store.LINK_EXPIRY, _link_expired)


def _expire(claimed: due.Claimed) -> None:
    now = clock.now()
    proposal = Proposal.model_validate(claimed.item)
    if proposal.terminal:
        commit(due.finished(claimed))
        return
    if now < proposal.expires_at:
        commit(due.postponed(claimed, store.EXPIRY, proposal.expires_at))
        return
    alert = staff_alerts.proposal_expired(proposal, now)
    event = store.record_event(proposal.dealer_id, proposal.id, EventKind.EXPIRED, now, {
        "from": proposal.status.value, "valid_until": proposal.valid_until.isoformat(), "seller_told": alert.told,
    }, by=SYSTEM)
    expired = store.transition(proposal, ProposalStatus.EXPIRED, now, expect_version=proposal.version)
    work = UnitOfWork(due.holding(claimed, expired), event, [outbox_store.new(m) for m in alert.messages],
                      lead_store.proposal_touched(proposal, EventKind.EXPIRED, now))
    proposals.unlisted(work, proposal)
    work.commit()


def _link_expired(claimed: due.Claimed) -> None:
    link = ProposalLink.model_validate(claimed.item)
    if clock.now() < link.expires_at:
        commit(due.postponed(claimed, store.LINK_EXPIRY, link.expires_at))
        return
    work = UnitOfWork(due.finished(claimed))
    try:
        proposal = store.get(link.dealer_id, link.proposal_id)
    except NotFound:
        proposal = None
    if proposal is not None and proposal.status in WITH_THE_CUSTOMER:
        work.add(store.record_event(link.dealer_id, link.proposal_id, EventKind.LINK_EXPIRED, link.expires_at, {
            "purpose": link.purpose, "to": link.recipient, "issued_at": link.issued_at.isoformat(),
            "version": link.proposal_version,
        }, by=SYSTEM))
    work.commit()
