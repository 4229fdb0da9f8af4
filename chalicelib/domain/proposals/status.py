"""A proposal's statuses and the one table of the transitions between them (SPEC D.2).

Lifecycle: draft → sent → viewed → accepted | declined | expired | withdrawn.
No transition leaves a terminal state.
"""
from enum import StrEnum


class ProposalStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    VIEWED = "viewed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


S = ProposalStatus


# Sent and not yet answered: what the customer may still sign or decline, and the seller remind.
WITH_THE_CUSTOMER = (S.SENT, S.VIEWED)


TERMINAL = (S.ACCEPTED, S.DECLINED, S.EXPIRED, S.WITHDRAWN)


TRANSITIONS: dict[ProposalStatus, tuple[ProposalStatus, ...]] = {
    S.DRAFT: (S.SENT, S.EXPIRED, S.WITHDRAWN),
    S.SENT: (S.VIEWED, S.ACCEPTED, S.DECLINED, S.EXPIRED, S.WITHDRAWN),
    S.VIEWED: (S.ACCEPTED, S.DECLINED, S.EXPIRED, S.WITHDRAWN),
}


STATUS_LABELS = {
    S.DRAFT: "brouillon", S.SENT: "envoyée", S.VIEWED: "consultée", S.ACCEPTED: "acceptée",
    S.DECLINED: "refusée", S.EXPIRED: "expirée", S.WITHDRAWN: "retirée",
}


# When each terminal status was reached is kept in <status>_at.
STATUS_TIMES = {S.ACCEPTED: "accepted_at", S.DECLINED: "declined_at", S.EXPIRED: "expired_at",
                S.WITHDRAWN: "withdrawn_at"}


def sources_of(target: ProposalStatus) -> tuple[ProposalStatus, ...]:
    """The statuses a proposal may be in for `target` to be reached (the write's condition)."""
    return tuple(source for source, targets in TRANSITIONS.items() if target in targets)
