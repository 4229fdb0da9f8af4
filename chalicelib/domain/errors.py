"""Domain errors: what went wrong in the user's terms. The API maps each to one status."""


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class InvalidInput(DomainError):
    code = "invalid_input"


class NotAuthenticated(DomainError):
    code = "not_authenticated"


class Forbidden(DomainError):
    code = "forbidden"


class RemoteSellingDisabled(Forbidden):
    code = "remote_selling_disabled"

    def __init__(self) -> None:
        super().__init__(
            "L'option vente à distance n'est pas activée pour cette concession : "
            "demandez à votre administrateur ou à votre commercial Offerline de l'activer."
        )


class NotFound(DomainError):
    code = "not_found"


class Gone(DomainError):
    """Existed, but can no longer be used (an expired or spent one-time code)."""
    code = "gone"


class Conflict(DomainError):
    code = "conflict"


class AlreadyExists(Conflict):
    code = "already_exists"


class StaleVersion(Conflict):
    code = "stale_version"

    def __init__(self, what: str = "Cet élément"):
        super().__init__(f"{what} a été modifié entre-temps : rechargez puis réessayez.")


class InvalidTransition(Conflict):
    code = "invalid_transition"


class PayloadTooLarge(DomainError):
    code = "payload_too_large"


class TooManyRequests(DomainError):
    code = "too_many_requests"
