"""Email fates: the SES-id lookup written when a message is sent, the fate on the outbox item and on
the proposal, and the dealer's suppressed addresses (docs/data-model.md, "Email fates").

An SES event costs one GetItem (the lookup, which carries everything the event's writes need) and
one transaction. Every fate write is conditional on the rank of the fate already recorded, so the
transaction of a replayed or late event fails as a whole and writes nothing.
"""
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.email_events import (
    UNDELIVERED, EmailBounce, EmailEvent, Fate, FateAlreadyKnown, NewerEmailKnown, normalised,
)
from chalicelib.domain.errors import DomainError
from chalicelib.domain.model import Entity
from chalicelib.domain.outbox import OutboxMessage, ProposalRef
from chalicelib.domain.proposals.model import Proposal
from chalicelib.store import keys
from chalicelib.store.table import Check, Condition, Delete, Put, Update, all_of, if_absent, table

# SES reports a message's fate within minutes (a delayed one within its retry window, at most 14 hours);
# complaints can come weeks later. The lookup is then forgotten by the table's TTL.
LOOKUP_KEPT = timedelta(days=60)
_FATE_OF = "email_fate_of"


class SentEmail(Entity):
    """The lookup item: a sent message as SES names it, and what recording its fate needs."""
    ses_message_id: str
    dealer_id: str
    outbox_id: str
    to: str
    purpose: str
    proposal: ProposalRef | None = None
    sent_at: datetime


def sent(message: OutboxMessage, ses_message_id: str, at: datetime) -> Put:
    """Written with the outbox item's "sent" (services/outbox.py), for emails only."""
    item = SentEmail(ses_message_id=ses_message_id, dealer_id=message.dealer_id, outbox_id=message.id,
                     to=message.to, purpose=message.purpose, proposal=message.proposal, sent_at=at)
    return Put(keys.ses_message(ses_message_id),
               {**item.model_dump(mode="json"), keys.TTL: int((at + LOOKUP_KEPT).timestamp())}, if_absent())


def find(ses_message_id: str) -> SentEmail | None:
    item = table.get(keys.ses_message(ses_message_id))
    return SentEmail.model_validate(item) if item else None


def fate_recorded(email: SentEmail, event: EmailEvent) -> Update:
    """The fate on the outbox item, only if it outranks the one recorded (replays and late events: FateAlreadyKnown)."""
    fate = {"fate": event.fate.value, "fate_at": event.at.isoformat(), "fate_rank": event.rank,
            "fate_permanent": event.permanent}
    if event.bounce_type:
        fate["fate_type"] = event.bounce_type
    if event.diagnostic:
        fate["fate_diagnostic"] = event.diagnostic
    condition = Condition("attribute_exists(#pk) AND (attribute_not_exists(#rank) OR #rank < :rank)",
                          {"#pk": keys.PK, "#rank": "fate_rank"}, {":rank": event.rank})
    return Update(keys.outbox(email.dealer_id, email.outbox_id), set=fate, condition=condition,
                  error=FateAlreadyKnown())


def proposal_flag(email: SentEmail, event: EmailEvent) -> dict[str, Any]:
    """What the proposal item shows of its last email's fate: the bounce flag set, or cleared on a delivery."""
    assert email.proposal is not None and event.fate in (Fate.DELIVERED, *UNDELIVERED)
    if event.fate == Fate.DELIVERED:
        return {"set": {_FATE_OF: email.outbox_id}, "remove": ("email_bounce",)}
    bounce = EmailBounce(outbox_id=email.outbox_id, to=email.to, fate=event.fate, permanent=event.permanent,
                         at=event.at, diagnostic=event.diagnostic)
    return {"set": {_FATE_OF: email.outbox_id, "email_bounce": bounce.model_dump(mode="json")}, "remove": ()}


def _newest_fate(outbox_id: str) -> Condition:
    """Outbox ids are ULIDs: a later message sorts after an earlier one."""
    return Condition("attribute_not_exists(#fate_of) OR #fate_of <= :fate_of", {"#fate_of": _FATE_OF},
                     {":fate_of": outbox_id})


def proposal_flagged(email: SentEmail, event: EmailEvent) -> Update:
    """The flag on the proposal, unless a newer email's fate is already there (NewerEmailKnown)."""
    assert email.proposal is not None
    flag = proposal_flag(email, event)
    condition = all_of(Condition("attribute_exists(#pk)", {"#pk": keys.PK}), _newest_fate(email.outbox_id))
    return Update(keys.proposal(email.dealer_id, email.proposal.proposal_id), set=flag["set"],
                  remove=flag["remove"], condition=condition, error=NewerEmailKnown())


def flag_applies(proposal_item: dict[str, Any], email: SentEmail) -> bool:
    """Whether this email's fate may change the proposal's flag (the evidence path decides it on a read)."""
    return proposal_item.get(_FATE_OF, "") <= email.outbox_id


def fate_of_item(proposal_item: dict[str, Any]) -> Condition:
    """The proposal's last-email marker as read (the evidence path's write is conditional on it)."""
    read = proposal_item.get(_FATE_OF)
    if read is None:
        return Condition("attribute_not_exists(#fate_of)", {"#fate_of": _FATE_OF})
    return Condition("#fate_of = :fate_of_read", {"#fate_of": _FATE_OF}, {":fate_of_read": read})


def with_flag(head: Update, email: SentEmail, event: EmailEvent, proposal_item: dict[str, Any]) -> Update:
    """The evidence path's proposal write, also carrying the flag, on condition of the last-email marker as read."""
    assert head.condition is not None  # the chain head's condition
    change = proposal_flag(email, event)
    return replace(head, set=head.set | change["set"], remove=head.remove + change["remove"],
                   condition=all_of(head.condition, fate_of_item(proposal_item)))


def read_proposal(dealer_id: str, proposal_id: str) -> tuple[Proposal, dict[str, Any]] | None:
    """The proposal and its raw item (for the evidence chain's head and the last-email marker)."""
    item = table.get(keys.proposal(dealer_id, proposal_id))
    return (Proposal.model_validate(item), item) if item else None


# --- suppressed addresses ---------------------------------------------------------------

class Suppression(Entity):
    email: str
    fate: Fate
    at: datetime
    outbox_id: str


def suppressed(email: SentEmail, event: EmailEvent) -> Put:
    """The address is not written to again until a seller confirms it (unconditional: the latest reason wins)."""
    entry = Suppression(email=normalised(email.to), fate=event.fate, at=event.at, outbox_id=email.outbox_id)
    return Put(keys.suppressed_address(email.dealer_id, email.to),
               {**entry.model_dump(mode="json"), "dealer_id": email.dealer_id})


def suppression(dealer_id: str, address: str) -> Suppression | None:
    item = table.get(keys.suppressed_address(dealer_id, address))
    return Suppression.model_validate(item) if item else None


def not_suppressed(dealer_id: str, address: str, error: DomainError) -> Check:
    """The address is not suppressed, checked by the transaction that writes to it (instead of a read before)."""
    return Check(keys.suppressed_address(dealer_id, address), if_absent(), error=error)


def lifted(dealer_id: str, address: str) -> Delete:
    return Delete(keys.suppressed_address(dealer_id, address))


def fates(ses_message_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The recorded fate (fate, fate_at, fate_diagnostic...) of each sent message, by SES id: two batched
    reads (lookups, then outbox items). For the dev outbox page."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ses_message_ids), 100):
        lookups = [SentEmail.model_validate(i)
                   for i in table.batch_get([keys.ses_message(m) for m in ses_message_ids[start:start + 100]])]
        if not lookups:
            continue
        by_key = {(keys.outbox(e.dealer_id, e.outbox_id)[keys.SK], e.dealer_id): e.ses_message_id for e in lookups}
        for item in table.batch_get([keys.outbox(e.dealer_id, e.outbox_id) for e in lookups]):
            ses_id = by_key[(item[keys.SK], item["dealer_id"])]
            found[ses_id] = {k: v for k, v in item.items() if k.startswith("fate")}
    return found
