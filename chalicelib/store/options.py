"""The writes of the proposal's options (domain/proposals/options.py), with their conditions.

The customer's choice is a new version of the proposal: written only while it is still with the
customer, at the version and evidence chain head read, and not locked by the seller (the lock does
not make a new version, so its own condition is checked here). The seller's lock: any status but a
final one, at the version read (a customer's change meanwhile makes the seller read again).
"""
from chalicelib.domain.errors import StaleVersion
from chalicelib.domain.proposals.model import Proposal
from chalicelib.domain.proposals.status import WITH_THE_CUSTOMER, ProposalStatus
from chalicelib.domain.signing import ConcurrentChange
from chalicelib.store import proposals as proposal_store
from chalicelib.store.portal import chain_at
from chalicelib.store.table import Condition, Update, all_of

_UNLOCKED = Condition("attribute_not_exists(#options_locked) OR #options_locked = :options_unlocked",
                      {"#options_locked": "options_locked"}, {":options_unlocked": False})


def chosen(before: Proposal, after: Proposal) -> Update:
    """The customer's new version; a lost condition is a ConcurrentChange (the portal reads again)."""
    return proposal_store.update(before, after, WITH_THE_CUSTOMER, version=True,
                                 also=all_of(chain_at(before.evidence_seq), _UNLOCKED), error=ConcurrentChange())


def lock_changed(before: Proposal, after: Proposal) -> Update:
    return proposal_store.update(before, after, (ProposalStatus.DRAFT, *WITH_THE_CUSTOMER), version=True,
                                 error=StaleVersion("La proposition"))
