"""One typed settings model, read once from the environment (prefix OFFERLINE_)."""
from functools import lru_cache
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OFFERLINE_", frozen=True, extra="ignore")

    stage: Literal["dev", "prod"] = "dev"
    table_name: str = "offerline-dev"
    documents_bucket: str = "offerline-dev-documents"
    sender_email: str = "ne-pas-repondre@offerline.example"
    public_base_url: str = "http://localhost:8000"
    max_body_bytes: int = 1_048_576

    # Seller tokens. Production: Cognito (RS256, keys from the JWKS URL).
    # Development: the local issuer signs HS256 with a secret only the dev stage knows.
    auth_issuer: str = "offerline-local"
    auth_audience: str = "offerline-sellers"
    auth_jwks_url: str | None = None
    local_issuer_secret: SecretStr | None = SecretStr("offerline-dev-only-secret-do-not-deploy-0001")
    token_lifetime_minutes: int = 480

    @model_validator(mode="after")
    def _production_trusts_only_cognito(self):
        if self.stage == "prod" and self.auth_jwks_url is None:
            raise ValueError("the prod stage needs OFFERLINE_AUTH_JWKS_URL (Cognito)")
        return self

    @property
    def uses_local_issuer(self) -> bool:
        return self.auth_jwks_url is None

    @property
    def dev_routes_enabled(self) -> bool:
        return self.stage == "dev"


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings()
