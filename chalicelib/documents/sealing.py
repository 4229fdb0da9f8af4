"""The PAdES seal on signed proposals (SPEC F.2): any PDF reader shows whether the file changed.

Offerline seals the signed proposal with its own certificate (PAdES B-B, no timestamp server):
a certifying signature that allows no later change, covering the whole file, certificate page
included. pyHanko costs about 0.3 s to import, so it is imported inside the functions: only the
signing use case pays for it, never the cold start of app.py.
"""
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Sequence

from chalicelib.documents.seal_identity import SealIdentity
from chalicelib.settings import Settings, settings

SIGNER_NAME = "Offerline"
REASON = "Signature électronique de la proposition commerciale"
FIELD_NAME = "SceauOfferline"


def identity_from_settings(config: Settings | None = None) -> SealIdentity:
    """Production's certificate and key from settings; elsewhere the machine's development CA."""
    config = config or settings()
    if config.seal_key_pem is not None and config.seal_cert_pem is not None:
        return SealIdentity(
            cert_pem=config.seal_cert_pem.encode(),
            chain_pem=(config.seal_chain_pem or "").encode(),
            key_pem=config.seal_key_pem.get_secret_value().encode(),
        )
    from chalicelib.documents import dev_ca  # cryptography's x509 only where a development CA is used

    return dev_ca.load_or_create(Path(config.dev_ca_dir))


def seal(pdf: bytes, identity: SealIdentity | None = None) -> bytes:
    """The PDF with the seal appended as an incremental update: its bytes stay a prefix of the result."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        name=SIGNER_NAME,
        reason=REASON,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    sealed = signers.PdfSigner(metadata, _signer(identity or identity_from_settings())).sign_pdf(writer)
    return sealed.getvalue()


@lru_cache(maxsize=4)
def _signer(identity: SealIdentity):
    """Parsing the key and chain once per process and identity keeps each seal fast."""
    from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    chain = list(load_certs_from_pemder_data(identity.chain_pem)) if identity.chain_pem.strip() else []
    return signers.SimpleSigner(
        signing_cert=next(iter(load_certs_from_pemder_data(identity.cert_pem))),
        signing_key=load_private_key_from_pemder_data(identity.key_pem, passphrase=None),
        cert_registry=SimpleCertificateStore.from_certs(chain),
    )


@dataclass(frozen=True)
class SealReport:
    intact: bool
    """The covered bytes are those that were sealed."""
    valid: bool
    """The signature is mathematically valid and its certificate chains to a trusted root."""
    signer: str | None
    """The seal certificate's common name."""
    whole_file: bool
    """Nothing was added after the seal."""

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.whole_file


def validate(pdf: bytes, trust_roots: Sequence[bytes]) -> SealReport:
    """What a PDF reader trusting these roots (PEM) would say of the Offerline seal."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko.keys import load_certs_from_pemder_data
    from pyhanko_certvalidator import ValidationContext

    unsealed = SealReport(intact=False, valid=False, signer=None, whole_file=False)
    try:
        seals = [s for s in PdfFileReader(BytesIO(pdf)).embedded_signatures if s.field_name == FIELD_NAME]
        if not seals:
            return unsealed
        roots = [cert for pem in trust_roots for cert in load_certs_from_pemder_data(pem)]
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        status = validate_pdf_signature(seals[0], signer_validation_context=context)
    except (PdfError, ValueError):  # pyHanko's validation errors are ValueErrors
        # A file too damaged to read or to check is, for the customer, a file not as sealed.
        return unsealed
    return SealReport(
        intact=status.intact,
        valid=status.valid and status.trusted,
        signer=status.signing_cert.subject.native.get("common_name"),
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
    )
