"""Production refuses to start with the development portal secrets or without a seal certificate."""
import pytest
from chalicelib.settings import DEV_CODE_HMAC_SECRET, DEV_PAYMENT_WEBHOOK_SECRET, Settings, dev_routes_enabled, settings

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


@pytest.fixture
def fresh_settings():
    settings.cache_clear()
    yield settings
    settings.cache_clear()


def test_the_environment_is_read_by_each_field_s_type(monkeypatch, fresh_settings):
    monkeypatch.setenv("OFFERLINE_MAX_BODY_BYTES", "2048")
    monkeypatch.setenv("OFFERLINE_TSA_TIMEOUT_SECONDS", "2.5")
    monkeypatch.setenv("OFFERLINE_CSRF_SECRET", "s" * 40)
    monkeypatch.setenv("offerline_sender_email", "ventes@garage.example")
    config = fresh_settings()
    assert (config.max_body_bytes, config.tsa_timeout_seconds) == (2048, 2.5)
    assert config.csrf_secret.get_secret_value() == "s" * 40 and "s" * 40 not in repr(config)
    assert config.sender_email == "ventes@garage.example"


@pytest.mark.parametrize("name, value", [("OFFERLINE_STAGE", "staging"), ("OFFERLINE_MAX_BODY_BYTES", "1 Mo")])
def test_a_value_its_field_cannot_take_is_refused_naming_the_variable(monkeypatch, fresh_settings, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        fresh_settings()


def test_the_stage_alone_decides_the_dev_routes_and_is_checked(monkeypatch):
    monkeypatch.setenv("OFFERLINE_STAGE", "prod")  # without the prod secrets: only the stage is read
    assert dev_routes_enabled() is False
    monkeypatch.setenv("OFFERLINE_STAGE", "staging")
    with pytest.raises(ValueError, match="OFFERLINE_STAGE"):
        dev_routes_enabled()
