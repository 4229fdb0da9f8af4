"""One-time signing codes: six digits sent by email, kept only as an HMAC (SPEC E.5, Non-functional).

A proposal has at most one live code, held by its SigningChallenge. A new code replaces the
previous one; the challenge remembers when the last codes were issued so that no more than
three go out in fifteen minutes. Every check returns a new challenge for the caller to store,
refusals included, so that wrong attempts are counted even though the request fails.
"""
import hashlib
import hmac
import math
import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from pydantic import Field, SecretStr

from chalicelib.domain.errors import Conflict, DomainError, Gone, InvalidInput, TooManyRequests
from chalicelib.domain.ids import new_id
from chalicelib.domain.model import Entity

CODE_DIGITS = 6
CODE_VALIDITY = timedelta(minutes=10)
MAX_WRONG_ATTEMPTS = 5
MAX_CODES_PER_WINDOW = 3
CODES_WINDOW = timedelta(minutes=15)

_CODE_SHAPE = re.compile(rf"^[0-9]{{{CODE_DIGITS}}}$")


class MalformedCode(InvalidInput):
    code = "malformed_code"

    def __init__(self) -> None:
        super().__init__("Le code de sécurité comporte 6 chiffres.", {"code": "6 digits expected"})


class WrongCode(InvalidInput):
    code = "wrong_code"

    def __init__(self, remaining: int):
        message = (
            f"Code incorrect : il vous reste {remaining} essai{'s' if remaining > 1 else ''}." if remaining
            else "Code incorrect. Ce code n'est plus valable : demandez un nouveau code."
        )
        super().__init__(message, {"code": "wrong code"})
        self.remaining = remaining


class CodeExpired(Gone):
    code = "code_expired"

    def __init__(self) -> None:
        super().__init__("Ce code a expiré (il est valable 10 minutes) : demandez un nouveau code.")


class CodeLocked(Gone):
    code = "code_locked"

    def __init__(self) -> None:
        super().__init__("Trop d'essais incorrects : ce code n'est plus valable, demandez un nouveau code.")


class CodeAlreadyUsed(Gone):
    code = "code_used"

    def __init__(self) -> None:
        super().__init__("Ce code a déjà été utilisé.")


class CodeForAnotherVersion(Conflict):
    code = "code_wrong_version"

    def __init__(self) -> None:
        super().__init__(
            "La proposition a été modifiée depuis l'envoi de ce code : relisez-la, puis demandez un nouveau code."
        )


class NoActiveCode(Gone):
    code = "no_code"

    def __init__(self) -> None:
        super().__init__("Aucun code en cours pour cette proposition : demandez un code.")


class TooManyCodes(TooManyRequests):
    code = "too_many_codes"

    def __init__(self, wait: timedelta):
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        super().__init__(
            f"Vous avez déjà reçu {MAX_CODES_PER_WINDOW} codes en 15 minutes : "
            f"réessayez dans {minutes} minute{'s' if minutes > 1 else ''}."
        )
        self.wait = wait


class Outcome(StrEnum):
    VERIFIED = "verified"
    WRONG = "wrong"
    EXPIRED = "expired"
    LOCKED = "locked"
    USED = "used"
    WRONG_VERSION = "wrong_version"


class Verification(NamedTuple):
    outcome: Outcome
    challenge: "SigningChallenge"

    @property
    def error(self) -> DomainError | None:
        """The refusal to show the customer, None when the code is accepted."""
        match self.outcome:
            case Outcome.VERIFIED:
                return None
            case Outcome.WRONG:
                return WrongCode(self.challenge.remaining_attempts)
            case Outcome.EXPIRED:
                return CodeExpired()
            case Outcome.LOCKED:
                return CodeLocked()
            case Outcome.USED:
                return CodeAlreadyUsed()
            case Outcome.WRONG_VERSION:
                return CodeForAnotherVersion()


def read_code(raw: str) -> str:
    """The code as typed, without the spaces or dashes a phone keyboard or a copy adds."""
    code = re.sub(r"[\s-]", "", raw or "")
    if not _CODE_SHAPE.match(code):
        raise MalformedCode()
    return code


class SigningChallenge(Entity):
    proposal_id: str
    proposal_version: int
    challenge_id: str
    # Never shown: a leaked HMAC and secret would let anyone try the million codes offline.
    code_hmac: str = Field(repr=False)
    issued_at: datetime
    expires_at: datetime
    wrong_attempts: int = 0
    used_at: datetime | None = None
    recent_issues: tuple[datetime, ...] = ()

    @classmethod
    def issue(
        cls,
        secret: SecretStr,
        proposal_id: str,
        proposal_version: int,
        now: datetime,
        previous: "SigningChallenge | None" = None,
    ) -> tuple[str, "SigningChallenge"]:
        """A new code for this version of the proposal, replacing any previous one.

        Returns the code, to be emailed and then forgotten, and the challenge to store.
        """
        window = tuple(t for t in (previous.recent_issues if previous else ()) if now - t < CODES_WINDOW)
        if len(window) >= MAX_CODES_PER_WINDOW:
            raise TooManyCodes(window[0] + CODES_WINDOW - now)
        code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
        challenge_id = new_id()
        challenge = cls(
            proposal_id=proposal_id,
            proposal_version=proposal_version,
            challenge_id=challenge_id,
            code_hmac=_mac(secret, challenge_id, proposal_id, proposal_version, code),
            issued_at=now,
            expires_at=now + CODE_VALIDITY,
            recent_issues=(*window, now),
        )
        return code, challenge

    @property
    def remaining_attempts(self) -> int:
        return max(MAX_WRONG_ATTEMPTS - self.wrong_attempts, 0)

    def verify(self, secret: SecretStr, raw_code: str, proposal_version: int, now: datetime) -> Verification:
        """Checks a typed code against this challenge; a malformed code is refused without counting."""
        code = read_code(raw_code)
        if self.used_at is not None:
            return Verification(Outcome.USED, self)
        if proposal_version != self.proposal_version:
            return Verification(Outcome.WRONG_VERSION, self)
        if self.wrong_attempts >= MAX_WRONG_ATTEMPTS:
            return Verification(Outcome.LOCKED, self)
        if now >= self.expires_at:
            return Verification(Outcome.EXPIRED, self)
        expected = _mac(secret, self.challenge_id, self.proposal_id, self.proposal_version, code)
        if not hmac.compare_digest(expected, self.code_hmac):
            return Verification(Outcome.WRONG, self.model_copy(update={"wrong_attempts": self.wrong_attempts + 1}))
        return Verification(Outcome.VERIFIED, self.model_copy(update={"used_at": now}))


def _mac(secret: SecretStr, challenge_id: str, proposal_id: str, proposal_version: int, code: str) -> str:
    # The challenge id makes every stored HMAC unique, even for the same code twice.
    message = f"{challenge_id}:{proposal_id}:{proposal_version}:{code}".encode()
    return hmac.new(secret.get_secret_value().encode(), message, hashlib.sha256).hexdigest()
