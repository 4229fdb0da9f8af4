"""Customer access links and what the portal shows for one.

A link's token travels only in the email and the URL; we keep its SHA-256 and find
the link by that hash as a key, so no secret is ever compared in our code.
"""
import hashlib
import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple, Sequence

from chalicelib.domain.model import Entity
from chalicelib.domain.proposals.status import ProposalStatus

# 32 random bytes: 256 bits, twice the 128 the spec asks for.
TOKEN_BYTES = 32
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_well_formed(token: str) -> bool:
    """A token we could have issued; anything else is refused before any lookup."""
    return bool(_TOKEN_SHAPE.match(token))


class LinkRefusal(StrEnum):
    EXPIRED = "expired"
    REVOKED = "revoked"


class AccessLink(Entity):
    token_hash: str
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    @classmethod
    def issue(cls, now: datetime, validity: timedelta) -> tuple[str, "AccessLink"]:
        """A new link and its token; the token is given once, to be put in the email."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        return token, cls(token_hash=hash_token(token), issued_at=now, expires_at=now + validity)

    def refusal(self, now: datetime) -> LinkRefusal | None:
        """Why the link cannot be used now, or None when it can."""
        if self.revoked_at is not None and self.revoked_at <= now:
            return LinkRefusal.REVOKED
        if now >= self.expires_at:
            return LinkRefusal.EXPIRED
        return None

    def is_usable(self, now: datetime) -> bool:
        return self.refusal(now) is None

    def revoked(self, at: datetime) -> "AccessLink":
        return self if self.revoked_at is not None else self.model_copy(update={"revoked_at": at})


class PortalState(StrEnum):
    SHOW = "show"
    ACCEPTED_VIEW = "accepted_view"
    DECLINED_VIEW = "declined_view"
    LINK_EXPIRED = "link_expired"
    PROPOSAL_EXPIRED = "proposal_expired"
    BLOCKED = "blocked"
    UNKNOWN = "unknown"

    @property
    def can_sign(self) -> bool:
        return self is PortalState.SHOW


_NEVER_SENT = (ProposalStatus.DRAFT,)
_CLOSED_BY_DEALER = (ProposalStatus.WITHDRAWN,)
_FINAL_ANSWERS = (ProposalStatus.ACCEPTED, ProposalStatus.DECLINED)


def portal_state(
    now: datetime,
    link: AccessLink | None,
    *,
    proposal_status: ProposalStatus | None,
    valid_until: datetime | None,
    blocked: bool = False,
) -> PortalState:
    """What a customer holding this link sees now (SPEC E.1-E.3).

    A missing link or proposal (or a draft's) is UNKNOWN: "lien non reconnu", nothing to renew. An
    expired proposal is said before an expired link: a new link would be of no use.
    """
    if link is None or proposal_status is None or proposal_status in _NEVER_SENT:
        return PortalState.UNKNOWN
    if blocked or proposal_status in _CLOSED_BY_DEALER:
        return PortalState.BLOCKED
    if proposal_status not in _FINAL_ANSWERS and (
        proposal_status == ProposalStatus.EXPIRED or valid_until is None or now >= valid_until
    ):
        return PortalState.PROPOSAL_EXPIRED
    if not link.is_usable(now):
        return PortalState.LINK_EXPIRED
    if proposal_status == ProposalStatus.ACCEPTED:
        return PortalState.ACCEPTED_VIEW
    if proposal_status == ProposalStatus.DECLINED:
        return PortalState.DECLINED_VIEW
    return PortalState.SHOW


# --- new links asked from the expired-link page ------------------------------------------

MAX_LINK_REQUESTS = 3
LINK_REQUESTS_WINDOW = timedelta(hours=1)


class LinkRequest(NamedTuple):
    send: bool
    recent: tuple[datetime, ...]
    """The request times to store on the proposal, this one included when it is sent."""


def admit_link_request(recent: Sequence[datetime], now: datetime) -> LinkRequest:
    """Whether to email a new link now: at most three per hour and proposal."""
    window = tuple(t for t in recent if now - t < LINK_REQUESTS_WINDOW)
    if len(window) >= MAX_LINK_REQUESTS:
        return LinkRequest(send=False, recent=window)
    return LinkRequest(send=True, recent=(*window, now))
