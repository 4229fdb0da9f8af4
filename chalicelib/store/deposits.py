"""The deposit payment's writes: on the proposal item (`deposit_payment`) and one marker per event.

Each write carries its condition; the use case sends them in one transaction with the history
event and the outbox messages. Reads need nothing new: the proposal item (portal Query, or
GetItem for the webhook) carries the payment.
"""
from datetime import datetime
from typing import Any

from chalicelib.domain.deposits import AlreadySettled, DepositPayment, DepositStatus
from chalicelib.domain.errors import Conflict
from chalicelib.domain.proposals.model import Proposal
from chalicelib.domain.proposals.status import ProposalStatus
from chalicelib.domain.signing import ConcurrentChange
from chalicelib.store import keys
from chalicelib.store.portal import chain_at
from chalicelib.store.table import Condition, Put, Update, all_of, if_absent, if_exists, if_status, table


class AlreadyProcessed(Conflict):
    """This provider event was handled before (a retry or a replay)."""
    code = "payment_event_already_processed"

    def __init__(self) -> None:
        super().__init__("Cet événement de paiement a déjà été traité.")


class AlreadyPaid(Conflict):
    """The acompte was already recorded as paid (by another event)."""
    code = "deposit_already_paid"

    def __init__(self) -> None:
        super().__init__("L'acompte est déjà réglé.")


_NAMES = {"#dp": "deposit_payment", "#dps": "status"}


def _not_paid() -> Condition:
    return Condition("attribute_not_exists(#dp) OR #dp.#dps <> :paid", _NAMES, {":paid": DepositStatus.PAID.value})


def _as_read(payment: DepositPayment | None) -> Condition:
    """The payment is still the one read: no payment, or the same attempt."""
    if payment is None:
        return Condition("attribute_not_exists(#dp)", {"#dp": "deposit_payment"})
    return Condition("#dp.#dpa = :attempt AND #dp.#dps = :dpstatus",
                     {"#dp": "deposit_payment", "#dpa": "attempt", "#dps": "status"},
                     {":attempt": payment.attempt, ":dpstatus": payment.status.value})


def item(payment: DepositPayment) -> dict[str, Any]:
    """The stored form: everything, the checkout's address included (never serialised elsewhere)."""
    return {**payment.model_dump(mode="json"), "checkout_url": payment.checkout_url}


def checkout_opened(proposal: Proposal, payment: DepositPayment) -> Update:
    """The new checkout, if the proposal is still signed and its payment as read."""
    condition = all_of(if_status(ProposalStatus.ACCEPTED.value), _as_read(proposal.deposit_payment))
    return Update(keys.proposal(proposal.dealer_id, proposal.id), set={"deposit_payment": item(payment)},
                  condition=condition, error=ConcurrentChange())


def return_saved(proposal: Proposal, reference_hash: str, kept_until: datetime, purpose: str = "deposit") -> Put:
    """Where a checkout's return reference leads, and what it paid (the acompte, or an order's balance: the
    return page says which); the same for a retried start: written again, unchanged."""
    return Put(keys.deposit_return(reference_hash), {"dealer_id": proposal.dealer_id, "proposal_id": proposal.id,
                                                      "purpose": purpose, keys.TTL: int(kept_until.timestamp())})


def returning_to(reference_hash: str) -> tuple[str, str, str] | None:
    """(dealer_id, proposal_id, purpose) of a return reference, None when unknown or forgotten."""
    item = table.get(keys.deposit_return(reference_hash))
    return (item["dealer_id"], item["proposal_id"], item.get("purpose", "deposit")) if item else None


def event_processed(proposal: Proposal, event_id: str, event_type: str, at: datetime) -> Put:
    """The marker of a handled provider event: written once, a replay finds it."""
    return Put(keys.payment_event(proposal.dealer_id, proposal.id, event_id),
               {"dealer_id": proposal.dealer_id, "proposal_id": proposal.id, "event_id": event_id,
                "event_type": event_type, "processed_at": at.isoformat()},
               if_absent(), error=AlreadyProcessed())


def processed(proposal: Proposal, event_id: str) -> bool:
    """Whether this provider event was handled already (its marker is there)."""
    return table.get(keys.payment_event(proposal.dealer_id, proposal.id, event_id)) is not None


def payment_received(proposal: Proposal, payment: DepositPayment, evidenced: Proposal) -> Update:
    """The acompte paid and the evidence chain's new head (`evidenced`, store/portal.appended), if the proposal is
    signed, not already paid and its chain as read. A chain moved meanwhile also raises AlreadyPaid: the webhook
    then reads again and judges anew (services/deposits._completed)."""
    condition = all_of(if_status(ProposalStatus.ACCEPTED.value), _not_paid(), chain_at(proposal.evidence_seq))
    return Update(keys.proposal(proposal.dealer_id, proposal.id), set={
        "deposit_payment": item(payment), "evidence_seq": evidenced.evidence_seq,
        "evidence_head": evidenced.evidence_head}, condition=condition, error=AlreadyPaid())


def checkout_closed(proposal: Proposal, payment: DepositPayment, session_id: str) -> Update:
    """Back to payable after the provider closed this checkout unpaid, if it is still the open one."""
    condition = Condition("#dp.#dps = :pending AND #dp.#dpsid = :session",
                          {"#dp": "deposit_payment", "#dps": "status", "#dpsid": "session_id"},
                          {":pending": DepositStatus.PENDING.value, ":session": session_id})
    return Update(keys.proposal(proposal.dealer_id, proposal.id), set={"deposit_payment": item(payment)},
                  condition=condition, error=ConcurrentChange())


def anomalies_counted(proposal: Proposal, delta: int) -> Update:
    """The proposal's count of unsettled payment anomalies (the list's acompte column), as an ADD: an
    anomaly recorded (+1) or settled (-1) never races another one's count."""
    return Update(keys.proposal(proposal.dealer_id, proposal.id), add={"open_payment_anomalies": delta},
                  condition=if_exists())


def anomaly_settled(proposal: Proposal, anomaly_id: str, by: str, at: datetime) -> Put:
    """The marker of a settled anomaly: a second settlement of the same one is refused."""
    return Put(keys.anomaly_settled(proposal.dealer_id, proposal.id, anomaly_id),
               {"dealer_id": proposal.dealer_id, "proposal_id": proposal.id, "anomaly_id": anomaly_id,
                "settled_by": by, "settled_at": at.isoformat()},
               if_absent(), error=AlreadySettled())
