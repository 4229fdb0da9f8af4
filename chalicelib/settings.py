"""One typed settings model, read once from the environment (prefix OFFERLINE_).

A dataclass, not pydantic-settings: `import app` (every cold start) reads the stage through it, and
pydantic-settings cost ~150 ms of CPU there (with asyncio and python-dotenv, docs/performance.md).
"""
import os
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, get_args, get_origin

if TYPE_CHECKING:
    from pydantic import SecretStr

DEV_CODE_HMAC_SECRET = "offerline-dev-only-code-secret-do-not-deploy-0001"
DEV_CSRF_SECRET = "offerline-dev-only-csrf-secret-do-not-deploy-0001"
# Signs the local payment provider's webhook events exactly as Stripe signs its own (dev stage only).
DEV_PAYMENT_WEBHOOK_SECRET = "whsec_offerline-dev-only-webhook-secret-do-not-deploy-0001"


def _secret(default: str | None) -> Any:
    """A secret field: its text, default or read, becomes a SecretStr on construction."""
    return field(default=default, metadata={"secret": True})


@dataclass(frozen=True)
class Settings:
    """Read by `settings()` from OFFERLINE_<FIELD> variables (any case); a field's type says how its text
    is read. Secrets are pydantic's SecretStr (masked in reprs), made on construction."""
    stage: Literal["dev", "prod"] = "dev"
    table_name: str = "offerline-dev"
    documents_bucket: str = "offerline-dev-documents"
    sender_email: str = "ne-pas-repondre@offerline.example"
    # Every email is sent with it so that SES publishes its fate to EventBridge (infra/resources.yaml);
    # unset locally, where local/email_events.py plays SES's mailbox simulator instead.
    ses_configuration_set: str | None = None
    public_base_url: str = "http://localhost:8000"
    max_body_bytes: int = 1_048_576

    # Seller tokens. Production: Cognito (RS256, keys from the JWKS URL).
    # Development: the local issuer signs HS256 with a secret only the dev stage knows.
    auth_issuer: str = "offerline-local"
    auth_audience: str = "offerline-sellers"
    auth_jwks_url: str | None = None
    local_issuer_secret: "SecretStr | None" = _secret("offerline-dev-only-secret-do-not-deploy-0001")
    token_lifetime_minutes: int = 480

    # The seller front's login (GET /app/config.json). Production: Cognito's hosted UI, e.g.
    # https://<domain>.auth.eu-west-3.amazoncognito.com, with the app client that may use it;
    # the redirect URI defaults to <public_base_url>/app. Unset in development: the local issuer.
    cognito_hosted_ui_url: str | None = None
    cognito_client_id: str | None = None
    cognito_redirect_uri: str | None = None

    # Customer portal secrets: one-time signing codes are stored as HMACs keyed by the first,
    # form CSRF tokens are HMACs keyed by the second. The defaults only serve the dev stage.
    code_hmac_secret: "SecretStr" = _secret(DEV_CODE_HMAC_SECRET)
    csrf_secret: "SecretStr" = _secret(DEV_CSRF_SECRET)

    # The PAdES seal. Production: the key (PEM, PKCS#8) and certificate issued for Offerline,
    # with the chain up to the root. Unset (dev stage only): a development CA is generated
    # once and kept in dev_ca_dir.
    seal_key_pem: "SecretStr | None" = _secret(None)
    seal_cert_pem: str | None = None
    seal_chain_pem: str | None = None
    dev_ca_dir: str = ".local/dev-ca"
    # The RFC 3161 timestamp on the seal (PAdES B-T). Production: the time-stamping authority's URL
    # (HTTP POST of application/timestamp-query) and its CA certificates (PEM), which verification
    # trusts beside the seal's. Unset (dev stage only): the development CA's own TSA, in process.
    tsa_url: str | None = None
    tsa_roots_pem: str | None = None
    tsa_timeout_seconds: float = 10.0

    # Deposit payment by card (docs/payments.md). "stripe" (Stripe Checkout) in production; "local",
    # the dev-only checkout page under /dev/checkout, in development. Both are confirmed by the same
    # webhook, POST /payments/webhook, whose events are signed with stripe_webhook_secret.
    payment_provider: Literal["local", "stripe"] = "local"
    stripe_secret_key: "SecretStr | None" = _secret(None)
    stripe_webhook_secret: "SecretStr" = _secret(DEV_PAYMENT_WEBHOOK_SECRET)

    def __post_init__(self) -> None:
        from pydantic import SecretStr  # the first request's models import pydantic anyway; `import app` does not

        for each in fields(self):
            value = _checked(each, getattr(self, each.name))
            if each.metadata.get("secret") and isinstance(value, str):
                object.__setattr__(self, each.name, SecretStr(value))
        self._production_trusts_only_cognito()
        self._production_has_its_own_portal_secrets()
        self._production_takes_deposits_through_stripe()

    def _production_trusts_only_cognito(self) -> None:
        if self.stage == "prod" and self.auth_jwks_url is None:
            raise ValueError("the prod stage needs OFFERLINE_AUTH_JWKS_URL (Cognito)")

    def _production_has_its_own_portal_secrets(self) -> None:
        if self.stage != "prod":
            return
        for name, dev_value in (("code_hmac_secret", DEV_CODE_HMAC_SECRET), ("csrf_secret", DEV_CSRF_SECRET)):
            value = getattr(self, name).get_secret_value()
            if value == dev_value or len(value) < 32:
                raise ValueError(f"the prod stage needs OFFERLINE_{name.upper()} (32 characters or more)")
        if self.seal_key_pem is None or self.seal_cert_pem is None:
            raise ValueError("the prod stage needs OFFERLINE_SEAL_KEY_PEM and OFFERLINE_SEAL_CERT_PEM")
        if self.tsa_url is None or not self.tsa_roots_pem:
            raise ValueError("the prod stage needs OFFERLINE_TSA_URL and OFFERLINE_TSA_ROOTS_PEM (timestamp authority)")

    def _production_takes_deposits_through_stripe(self) -> None:
        if self.stage != "prod":
            return
        if self.payment_provider != "stripe":
            raise ValueError("the prod stage needs OFFERLINE_PAYMENT_PROVIDER=stripe (the local provider is dev only)")
        key = self.stripe_secret_key.get_secret_value() if self.stripe_secret_key else ""
        if not key.startswith(("sk_", "rk_")):
            raise ValueError("the prod stage needs OFFERLINE_STRIPE_SECRET_KEY (sk_... or a restricted rk_... key)")
        webhook = self.stripe_webhook_secret.get_secret_value()
        if webhook == DEV_PAYMENT_WEBHOOK_SECRET or not webhook.startswith("whsec_"):
            raise ValueError("the prod stage needs OFFERLINE_STRIPE_WEBHOOK_SECRET (whsec_..., from Stripe)")

    @property
    def uses_local_issuer(self) -> bool:
        return self.auth_jwks_url is None


def _environment() -> dict[str, Any]:
    """The fields set by OFFERLINE_<FIELD> variables, read as their types say (numbers; text otherwise)."""
    environ = {name.upper(): text for name, text in os.environ.items()}
    found = {}
    for each in fields(Settings):
        name = f"OFFERLINE_{each.name.upper()}"
        if name in environ:
            try:
                found[each.name] = each.type(environ[name]) if each.type in (int, float) else environ[name]
            except ValueError:
                raise ValueError(f"{name} must be a number") from None
    return found


def _checked(each: Any, value: Any) -> Any:
    if get_origin(each.type) is Literal and value not in get_args(each.type):
        raise ValueError(f"OFFERLINE_{each.name.upper()} must be one of {', '.join(get_args(each.type))}")
    return value


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings(**_environment())


def dev_routes_enabled() -> bool:
    """Read before any secret (chalice package loads the app without them): the stage alone."""
    [stage] = [each for each in fields(Settings) if each.name == "stage"]
    return _checked(stage, _environment().get("stage", stage.default)) == "dev"
