"""A development certificate authority for the PAdES seal: local stack and tests only.

Production seals with the certificate Offerline is issued and timestamps at the authority set
in the settings. Here a root CA issues a seal certificate and a time-stamping authority's
certificate (RFC 3161, timeStamping EKU), made with `cryptography`, in memory for tests, or once
per machine for the local stack, kept under .local/dev-ca/ so a developer can trust its root in
a PDF reader. Each is a SealIdentity whose chain is the root: one root trusts seal and timestamp.
"""
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from chalicelib.documents.seal_identity import SealIdentity

ROOT_LIFETIME = timedelta(days=3650)
SEAL_LIFETIME = timedelta(days=825)
# Renew the cached seal certificate well before a document sealed today would outlive it.
RENEW_BEFORE = timedelta(days=30)

# id-kp-documentSigning (RFC 9336): what a seal certificate is for.
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")

_FILES = {"chain_pem": "root.pem", "key_pem": "seal-key.pem", "cert_pem": "seal-cert.pem"}
_TSA_FILES = {"chain_pem": "root.pem", "key_pem": "tsa-key.pem", "cert_pem": "tsa-cert.pem"}


@dataclass(frozen=True)
class DevAuthority:
    """What one development root issued: the seal and the time-stamping authority."""
    seal: SealIdentity
    tsa: SealIdentity


def generate(now: datetime | None = None) -> SealIdentity:
    """A fresh root CA and the seal certificate it issued: `chain_pem` is the root to trust."""
    return generate_authority(now).seal


def generate_authority(now: datetime | None = None) -> DevAuthority:
    """A fresh root CA, the seal certificate and the TSA certificate it issued."""
    now = now or datetime.now(timezone.utc)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name("Offerline Development Root CA")
    root = (
        _builder(root_name, root_name, root_key.public_key(), now, ROOT_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    seal_key = ec.generate_private_key(ec.SECP256R1())
    seal = (
        _builder(_name("Offerline"), root_name, seal_key.public_key(), now, SEAL_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([DOCUMENT_SIGNING]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    # RSA: pyHanko's in-process authority (DummyTimeStamper) signs with RSA only.
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa = (
        _builder(_name("Offerline Development TSA"), root_name, tsa_key.public_key(), now, SEAL_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        # RFC 3161 §2.3: a TSA certificate has timeStamping as its only extended key usage, critical.
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    root_pem = root.public_bytes(serialization.Encoding.PEM)
    return DevAuthority(seal=_identity(seal, seal_key, root_pem), tsa=_identity(tsa, tsa_key, root_pem))


def _identity(cert: x509.Certificate, key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
              root_pem: bytes) -> SealIdentity:
    return SealIdentity(
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        chain_pem=root_pem,
        key_pem=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )


def load_or_create(directory: Path, now: datetime | None = None) -> SealIdentity:
    """The machine's development seal, made on first use and again when its certificate ages."""
    return load_or_create_authority(directory, now).seal


def load_or_create_authority(directory: Path, now: datetime | None = None) -> DevAuthority:
    """The machine's development CA (seal and TSA), made on first use and again when a certificate ages
    or a file is missing (a directory from before the TSA gets a whole new root)."""
    now = now or datetime.now(timezone.utc)
    files = {"seal": _FILES, "tsa": _TSA_FILES}
    paths = {part: {name: directory / filename for name, filename in names.items()} for part, names in files.items()}
    if all(p.exists() for part in paths.values() for p in part.values()):
        cached = DevAuthority(**{part: SealIdentity(**{name: p.read_bytes() for name, p in named.items()})
                                 for part, named in paths.items()})
        if all(x509.load_pem_x509_certificate(i.cert_pem).not_valid_after_utc - now > RENEW_BEFORE
               for i in (cached.seal, cached.tsa)):
            return cached
    fresh = generate_authority(now)
    directory.mkdir(parents=True, exist_ok=True)
    for part, named in paths.items():
        for name, path in named.items():
            path.write_bytes(getattr(getattr(fresh, part), name))
        os.chmod(named["key_pem"], 0o600)
    return fresh


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Offerline (développement)"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _builder(subject, issuer, public_key, now: datetime, lifetime: timedelta) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + lifetime)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def _key_usage(**granted: bool) -> x509.KeyUsage:
    usages = dict.fromkeys(
        ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement",
         "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"),
        False,
    )
    return x509.KeyUsage(**(usages | granted))
