"""What seals a document: a certificate, the CAs that issued it, and its private key.

Its own module so that the seal (sealing.py) and the development CA that can issue one
(dev_ca.py) both depend on it, and not on each other. The development time-stamping authority
is the same shape: a certificate (with the timeStamping extended key usage), its chain, its key.
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SealIdentity:
    """The seal certificate, the CAs that issued it, and its private key (PEM)."""
    cert_pem: bytes
    chain_pem: bytes
    key_pem: bytes = field(repr=False)
