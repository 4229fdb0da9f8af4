"""A signed proposal's withdrawal state: one item (keys.proposal_withdrawals), written on the version read.

The first withdrawal creates it (if absent), each next one replaces it on the version read: of two
submits at once, one is written and the other's condition fails (AlreadyWithdrawn).
"""
from chalicelib.domain.orders.withdrawal import AlreadyWithdrawn, Withdrawals
from chalicelib.store import keys
from chalicelib.store.table import Put, if_absent, if_version, table


def get(dealer_id: str, proposal_id: str) -> Withdrawals | None:
    item = table.get(keys.proposal_withdrawals(dealer_id, proposal_id))
    return Withdrawals.model_validate(item) if item else None


def saved(withdrawals: Withdrawals) -> Put:
    condition = if_absent() if withdrawals.version == 1 else if_version(withdrawals.version - 1)
    return Put(keys.proposal_withdrawals(withdrawals.dealer_id, withdrawals.proposal_id),
               withdrawals.model_dump(mode="json"), condition, AlreadyWithdrawn())
