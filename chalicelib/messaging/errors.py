from botocore.exceptions import BotoCoreError, ClientError

PROVIDER_ERRORS = (ClientError, BotoCoreError)


class DeliveryFailed(Exception):
    """The provider did not take the message; `reason` is safe to store and log (no PII)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    @classmethod
    def of(cls, provider: str, error: Exception) -> "DeliveryFailed":
        """The provider's error code (e.g. ses:MessageRejected), never its message, which may name the recipient."""
        code = error.response["Error"].get("Code", "error") if isinstance(error, ClientError) else type(error).__name__
        return cls(f"{provider}:{code}")
