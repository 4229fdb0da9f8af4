"""What the customer portal reads and writes: the link, the proposal's aggregate, its code, its evidence.

Reads: a link is one GetItem by the hash of its token; the proposal's aggregate is one Query on
its prefix (the proposal, then its code items, its history, its evidence chain; with Limit 3 only
the proposal and its signers' codes). Writes are built here and committed by the use case in one unit of work:
each carries its condition, and a failed one raises ConcurrentChange (read again, then retry).
The proposal's chain head (`evidence_seq`, `evidence_head`) changes in the same write as each
evidence event, conditional on the seq that was read, which serialises concurrent appends.
"""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable

from chalicelib.domain.codes import SigningChallenge
from chalicelib.domain.evidence import Chain, Detail, EventKind, EvidenceEvent, append, subject_of
from chalicelib.domain.links import AccessLink
from chalicelib.domain.proposals.model import Proposal, ProposalLink, SignerRole
from chalicelib.domain.proposals.status import ProposalStatus
from chalicelib.domain.signing import ConcurrentChange, PendingSignature
from chalicelib.store import keys
from chalicelib.store import proposals as proposal_store
from chalicelib.store.table import Condition, Put, Update, if_absent, table


@dataclass(frozen=True)
class StoredLink:
    """A link item as the portal needs it: where it leads, and its use so far."""
    token_hash: str
    link: ProposalLink
    revoked_at: datetime | None = None
    opened_at: datetime | None = None
    counted_on: str | None = None
    """The last (Paris) day a view through this link was counted (confirmed by the customer's browser)."""
    opened_on: str | None = None
    """The last (Paris) day the link's page was opened (recorded as "lien ouvert")."""

    @property
    def access(self) -> AccessLink:
        return AccessLink(token_hash=self.token_hash, issued_at=self.link.issued_at,
                          expires_at=self.link.expires_at, revoked_at=self.revoked_at)


@dataclass(frozen=True)
class SignerCode:
    """One signer's code item: the challenge and the sign form it was sent for."""
    challenge: SigningChallenge | None = None
    pending: PendingSignature | None = None


@dataclass(frozen=True)
class Aggregate:
    proposal: Proposal
    challenge: SigningChallenge | None = None
    pending: PendingSignature | None = None
    evidence: list[EvidenceEvent] = field(default_factory=list)
    """Read only with `whole=True`."""
    co_holder: SignerCode = field(default_factory=SignerCode)
    """The co-holder's code item, when the proposal names one (two signers)."""

    def code_of(self, role: SignerRole) -> SignerCode:
        if role == SignerRole.CO_HOLDER:
            return self.co_holder
        return SignerCode(self.challenge, self.pending)

    @property
    def chain(self) -> Chain:
        """The chain's head as the proposal stores it (where the next event goes)."""
        start = Chain.start(subject_of(self.proposal.dealer_id, self.proposal.id))
        if not self.proposal.evidence_seq:
            return start
        return start.model_copy(update={"seq": self.proposal.evidence_seq, "head_hash": self.proposal.evidence_head})


# --- reads -----------------------------------------------------------------------------

def find_link(token_hash: str) -> StoredLink | None:
    item = table.get(keys.link(token_hash))
    if item is None:
        return None
    return StoredLink(
        token_hash=token_hash, link=ProposalLink.model_validate(item),
        revoked_at=_time(item.get("revoked_at")), opened_at=_time(item.get("opened_at")),
        counted_on=item.get("counted_on"), opened_on=item.get("opened_on"),
    )


def read(dealer_id: str, proposal_id: str, whole: bool = False) -> Aggregate | None:
    """The proposal and its signers' codes in one Query (Limit 3); `whole` also reads the evidence chain."""
    partition, prefix = keys.proposal_with_history(dealer_id, proposal_id)
    if whole:
        items = table.query_all(partition, prefix)
    else:
        items, _ = table.query(partition, prefix, limit=3)
    proposal, codes, evidence = None, {}, []
    for item in items:
        part = keys.proposal_part(proposal_id, item[keys.SK])
        if part == "proposal":
            proposal = Proposal.model_validate(item)
        elif part in ("code", "co_holder_code"):
            codes[part] = _signer_code(item)
        elif part == "evidence":
            evidence.append(EvidenceEvent.model_validate(item))
    if proposal is None:
        return None
    holder = codes.get("code", SignerCode())
    return Aggregate(proposal, holder.challenge, holder.pending, sorted(evidence, key=lambda e: e.seq),
                     codes.get("co_holder_code", SignerCode()))


def _signer_code(item: dict) -> SignerCode:
    pending = PendingSignature.model_validate(item["pending"]) if item.get("pending") else None
    return SignerCode(SigningChallenge.model_validate(item), pending)


# --- writes (to put in one transaction) ---------------------------------------------------

def evidence(proposal: Proposal, event: EvidenceEvent) -> Put:
    item = {**event.model_dump(mode="json"), "dealer_id": proposal.dealer_id, "proposal_id": proposal.id}
    return Put(keys.evidence_event(proposal.dealer_id, proposal.id, event.seq), item, if_absent(),
               error=ConcurrentChange())


def appended(before: Proposal, after: Proposal, kind: EventKind, at: datetime,
             details: dict[str, Detail]) -> tuple[Proposal, Put]:
    """A seller's or the system's action as an evidence event (the send, a reminder, the payment): `after` with
    the chain's new head, and the event's write. The caller's write of the proposal carries
    `chain_at(before.evidence_seq)`, so a concurrent append (a customer's view) makes it fail and read again."""
    chain, event = append(Aggregate(before).chain, kind, at, details=details)
    evidenced = after.evidenced(chain.seq, chain.head_hash)
    return evidenced, evidence(evidenced, event)


def proposal_change(before: Proposal, after: Proposal, *, allowed: Iterable[ProposalStatus] | None = None,
                    version: bool = False) -> Update:
    """`after`, as the domain made it with the chain's new head, replaces `before` (store/proposals.update,
    as for the seller's actions), if the proposal is still as read: status, chain head (and version)."""
    return proposal_store.update(before, after, allowed, version=version, also=chain_at(before.evidence_seq),
                                 error=ConcurrentChange())


def view_counted(stored: StoredLink, day: str) -> Update:
    """Marks the link's view as counted for this day, once: the condition says so."""
    return _daily(stored, "counted_on", day, {})


def link_opened(stored: StoredLink, day: str, at: datetime) -> Update:
    """Marks the link as opened this day (and its first opening), once: the condition says so."""
    return _daily(stored, "opened_on", day, {} if stored.opened_at else {"opened_at": at.isoformat()})


def _daily(stored: StoredLink, marker: str, day: str, also: dict[str, str]) -> Update:
    """A daily marker on the link: at most one write a day per marker, so a link's holder cannot grow the
    proposal's partition by fetching its page again and again."""
    condition = Condition("attribute_not_exists(#marker) OR #marker <> :day", {"#marker": marker}, {":day": day})
    return Update(keys.link(stored.token_hash), set={marker: day, **also}, condition=condition,
                  error=ConcurrentChange())


def link_revoked(stored: StoredLink, at: datetime) -> Update:
    condition = Condition("attribute_not_exists(#revoked)", {"#revoked": "revoked_at"})
    return Update(keys.link(stored.token_hash), set={"revoked_at": at.isoformat()}, condition=condition,
                  error=ConcurrentChange())


def code(proposal: Proposal, challenge: SigningChallenge, pending: PendingSignature | None,
         read_as: SigningChallenge | None, role: SignerRole = SignerRole.HOLDER) -> Put:
    """A signer's challenge as it now stands, if it is still the one that was read (none: absent)."""
    item = {**challenge.model_dump(mode="json"), "dealer_id": proposal.dealer_id}
    if pending is not None:
        item["pending"] = pending.model_dump(mode="json")
    if read_as is None:
        condition = if_absent()
    else:
        condition = Condition(
            "#challenge = :challenge AND #wrong = :wrong AND attribute_not_exists(#used)",
            {"#challenge": "challenge_id", "#wrong": "wrong_attempts", "#used": "used_at"},
            {":challenge": read_as.challenge_id, ":wrong": read_as.wrong_attempts},
        )
    key = keys.proposal_code(proposal.dealer_id, proposal.id, co_holder=role == SignerRole.CO_HOLDER)
    return Put(key, item, condition, error=ConcurrentChange())


def chain_at(seq: int) -> Condition:
    """The proposal's evidence chain is still at `seq` (as read)."""
    if seq == 0:
        return Condition("attribute_not_exists(#eseq) OR #eseq = :eseq", {"#eseq": "evidence_seq"}, {":eseq": 0})
    return Condition("#eseq = :eseq", {"#eseq": "evidence_seq"}, {":eseq": seq})


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
