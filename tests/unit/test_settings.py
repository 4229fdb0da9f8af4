"""Production refuses to start with the development portal secrets or without a seal certificate."""
import pytest
from chalicelib.settings import DEV_CODE_HMAC_SECRET, DEV_PAYMENT_WEBHOOK_SECRET, Settings

PROD = {
    "stage": "prod",
    "auth_jwks_url": "https://cognito.example/jwks.json",
    "code_hmac_secret": "c" * 40,
    "csrf_secret": "s" * 40,
    "seal_key_pem": "-----BEGIN PRIVATE KEY-----...",
    "seal_cert_pem": "-----BEGIN CERTIFICATE-----...",
    "tsa_url": "https://tsa.example/tsr",
    "tsa_roots_pem": "-----BEGIN CERTIFICATE-----...",
    "payment_provider": "stripe",
    "stripe_secret_key": "sk_live_" + "k" * 30,
    "stripe_webhook_secret": "whsec_" + "w" * 30,
}


def test_production_starts_with_its_own_secrets_and_seal():
    Settings(**PROD)


@pytest.mark.parametrize("change", [
    {"code_hmac_secret": DEV_CODE_HMAC_SECRET},
    {"code_hmac_secret": "too-short"},
    {"csrf_secret": "too-short"},
    {"seal_key_pem": None},
    {"seal_cert_pem": None},
    {"tsa_url": None},
    {"tsa_roots_pem": None},
])
def test_production_refuses_development_or_missing_signing_secrets(change):
    with pytest.raises(ValueError):
        Settings(**(PROD | change))


def test_the_development_stage_works_out_of_the_box():
    config = Settings()
    assert config.code_hmac_secret.get_secret_value() and config.seal_key_pem is None
    assert "do-not-deploy" not in repr(config)


@pytest.mark.parametrize("change", [
    {"payment_provider": "local"},
    {"stripe_secret_key": None},
    {"stripe_secret_key": "pk_live_publishable"},
    {"stripe_webhook_secret": DEV_PAYMENT_WEBHOOK_SECRET},
    {"stripe_webhook_secret": "not-a-stripe-secret"},
])
def test_production_takes_deposits_only_through_stripe_with_its_own_secrets(change):
    with pytest.raises(ValueError):
        Settings(**(PROD | change))


def test_development_pays_deposits_on_the_local_provider_with_an_embedded_webhook_secret():
    config = Settings()
    assert config.payment_provider == "local" and config.stripe_secret_key is None
    assert config.stripe_webhook_secret.get_secret_value() == DEV_PAYMENT_WEBHOOK_SECRET
