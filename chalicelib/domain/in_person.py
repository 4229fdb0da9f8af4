"""In-person signing on the seller's tablet: the session's rules and what the tablet sends and reads
(services/in_person.py runs it; docs/signing.md, "In-person signing")."""
from datetime import datetime, timedelta

from pydantic import Field

from chalicelib.domain.errors import Gone
from chalicelib.domain.model import Command, Entity
from chalicelib.domain.proposals.model import SignerRole

SESSION_VALIDITY = timedelta(minutes=30)
# The link item stays a little after its end, so that a late tap says "expired" rather than "unknown".
KEPT_AFTER_END = timedelta(days=1)


class SessionExpired(Gone):
    code = "session_expired"

    def __init__(self) -> None:
        super().__init__("La session de signature a expiré (30 minutes) : ouvrez-en une nouvelle.")


class InPersonSigner(Entity):
    role: SignerRole
    label: str
    name: str
    mobile_masked: str | None
    signed: bool


class InPersonState(Entity):
    """Who signs and who has signed; accepted once the last awaited signature is in."""
    signers: list[InPersonSigner]
    accepted: bool


class InPersonSession(InPersonState):
    """What the tablet's page needs: the session (its token, for this seller's screen only), the document shown
    (a short-lived URL of this version's PDF) and who signs."""
    session: str
    expires_at: datetime
    reference: str
    version: int
    document_url: str
    ttc_cents: int
    consent: dict[str, str] = Field(description="the sentences the signer agrees to, by form field (terms, "
                                                "no_claim, iban): shown beside each box")


SESSION = Field(min_length=1, max_length=100, description="the token open_session returned")
SIGNER = Field(default=None, description="holder (default) or co_holder")


class InPersonSign(Command):
    session: str = SESSION
    signer: SignerRole | None = SIGNER
    full_name: str = Field(default="", max_length=200)
    terms: bool = False
    no_claim: bool = False
    iban: str = Field(default="", max_length=50)


class InPersonCode(Command):
    session: str = SESSION
    signer: SignerRole | None = SIGNER
    code: str = Field(default="", max_length=20)


class InPersonResend(Command):
    session: str = SESSION
    signer: SignerRole | None = SIGNER
