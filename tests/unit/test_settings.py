"""Production refuses to start with the development portal secrets or without a seal certificate."""
import pytest
from pydantic import ValidationError

from chalicelib.settings import DEV_CODE_HMAC_SECRET, Settings

PROD = {
    "stage": "prod",
    "auth_jwks_url": "https://cognito.example/jwks.json",
    "code_hmac_secret": "c" * 40,
    "csrf_secret": "s" * 40,
    "seal_key_pem": "-----BEGIN PRIVATE KEY-----...",
    "seal_cert_pem": "-----BEGIN CERTIFICATE-----...",
}


def test_production_starts_with_its_own_secrets_and_seal():
    Settings(**PROD)


@pytest.mark.parametrize("change", [
    {"code_hmac_secret": DEV_CODE_HMAC_SECRET},
    {"code_hmac_secret": "too-short"},
    {"csrf_secret": "too-short"},
    {"seal_key_pem": None},
    {"seal_cert_pem": None},
])
def test_production_refuses_development_or_missing_signing_secrets(change):
    with pytest.raises(ValidationError):
        Settings(**(PROD | change))


def test_the_development_stage_works_out_of_the_box():
    config = Settings()
    assert config.code_hmac_secret.get_secret_value() and config.seal_key_pem is None
    assert "do-not-deploy" not in repr(config)
