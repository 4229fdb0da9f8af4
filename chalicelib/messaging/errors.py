class DeliveryFailed(Exception):
    """The provider did not take the message; `reason` is safe to store and log (no PII)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
