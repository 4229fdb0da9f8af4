"""The PAdES seal on signed proposals (SPEC F.2): the PDF is the proof on its own.

Offerline seals the signed proposal with its own certificate: a certifying signature that allows
no later change, covering the whole file, certificate page included, and (issue 16) the evidence
JSON embedded as an attached file (`evidence.json`, AFRelationship /Data: the certificate page is
drawn from it) in the same revision as the seal, so the seal covers it. The seal carries an RFC 3161
timestamp (PAdES B-T) from the authority in the settings, or in development the development CA's
own TSA, in process. pyHanko costs about 0.3 s to import, so it is imported inside the functions:
only the signing and verifying use cases pay for it, never the cold start of app.py.
"""
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any, Sequence

from chalicelib.documents.seal_identity import SealIdentity
from chalicelib.settings import Settings, settings

SIGNER_NAME = "Offerline"
REASON = "Signature électronique de la proposition commerciale"
FIELD_NAME = "SceauOfferline"
EVIDENCE_FILE = "evidence.json"
EVIDENCE_DESCRIPTION = "Preuves de la signature (chaîne d'événements horodatés et chaînés)"


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


def timestamper_from_settings(config: Settings | None = None):
    """The time-stamping authority: production's over HTTP; elsewhere the development CA's, in process."""
    config = config or settings()
    if config.tsa_url is not None:
        return _http_timestamper(config.tsa_url, config.tsa_timeout_seconds)
    from chalicelib.documents import dev_ca

    return local_timestamper(dev_ca.load_or_create_authority(Path(config.dev_ca_dir)).tsa)


def trust_roots_from_settings(config: Settings | None = None) -> list[bytes]:
    """The CA certificates (PEM) a verification trusts: the seal's chain and the TSA's."""
    config = config or settings()
    if config.seal_cert_pem is not None:
        return [pem.encode() for pem in (config.seal_chain_pem or config.seal_cert_pem, config.tsa_roots_pem) if pem]
    from chalicelib.documents import dev_ca

    return [dev_ca.load_or_create_authority(Path(config.dev_ca_dir)).seal.chain_pem]


@lru_cache(maxsize=4)
def local_timestamper(tsa: SealIdentity):
    """An RFC 3161 authority in this process (pyHanko's DummyTimeStamper) with a TSA certificate: tests
    and the local stack timestamp offline."""
    from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
    from pyhanko.sign.timestamps import DummyTimeStamper

    return DummyTimeStamper(
        tsa_cert=next(iter(load_certs_from_pemder_data(tsa.cert_pem))),
        tsa_key=load_private_key_from_pemder_data(tsa.key_pem, passphrase=None),
    )


@lru_cache(maxsize=2)
def _http_timestamper(url: str, timeout: float):
    """RFC 3161 over HTTP with the standard library (pyHanko's own HTTP client needs aiohttp)."""
    import asyncio
    import urllib.request

    from asn1crypto import tsp
    from pyhanko.sign.timestamps import TimeStamper, TimestampRequestError

    class HttpTimeStamper(TimeStamper):
        async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
            def post() -> bytes:
                request = urllib.request.Request(url, data=req.dump(), method="POST", headers={
                    "Content-Type": "application/timestamp-query", "Accept": "application/timestamp-reply"})
                try:
                    with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (URL from settings)
                        if answer.headers.get("Content-Type") != "application/timestamp-reply":
                            raise TimestampRequestError("the timestamp authority's answer is not a timestamp reply")
                        return answer.read()
                except OSError as error:
                    raise TimestampRequestError("the timestamp authority cannot be reached") from error

            return tsp.TimeStampResp.load(await asyncio.to_thread(post))

    return HttpTimeStamper()


def seal(pdf: bytes, identity: SealIdentity | None = None, *, evidence: bytes | None = None,
         timestamper: Any = None, at: datetime | None = None) -> bytes:
    """The PDF with `evidence` (JSON) attached and the timestamped seal appended, as one incremental update:
    its bytes stay a prefix of the result. `identity` and `timestamper` default to the settings'."""
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
    if evidence is not None:
        _attach(writer, EVIDENCE_FILE, evidence, EVIDENCE_DESCRIPTION, at)
    signer = signers.PdfSigner(metadata, _signer(identity or identity_from_settings()),
                               timestamper=timestamper or timestamper_from_settings())
    return signer.sign_pdf(writer).getvalue()


def _attach(writer, name: str, data: bytes, description: str, at: datetime | None) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.embed import EmbeddedFileObject, EmbeddedFileParams, FileSpec, embed_file

    stream = EmbeddedFileObject.from_file_data(
        writer, data, mime_type="application/json",
        params=EmbeddedFileParams(creation_date=at, modification_date=at),
    )
    embed_file(writer, FileSpec(file_spec_string=name, file_name=name, embedded_data=stream,
                                description=description, af_relationship=generic.pdf_name("/Data")))


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
    timestamp: datetime | None = None
    """The time the RFC 3161 timestamp on the seal certifies, when there is one."""
    timestamp_valid: bool = False
    """That timestamp is intact, covers this seal, and its authority chains to a trusted root."""
    evidence: bytes | None = None
    """The embedded `evidence.json` as sealed (read from the sealed revision), when there is one."""

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.whole_file and self.timestamp_valid


def validate(pdf: bytes, trust_roots: Sequence[bytes]) -> SealReport:
    """What a PDF reader trusting these roots (PEM) would say of the Offerline seal and its timestamp."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko.keys import load_certs_from_pemder_data
    from pyhanko_certvalidator import ValidationContext

    unsealed = SealReport(intact=False, valid=False, signer=None, whole_file=False)
    try:
        reader = PdfFileReader(BytesIO(pdf))
        seals = [s for s in reader.embedded_signatures if s.field_name == FIELD_NAME]
        if not seals:
            return unsealed
        roots = [cert for pem in trust_roots for cert in load_certs_from_pemder_data(pem)]
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        status = validate_pdf_signature(seals[0], signer_validation_context=context)
        evidence = _embedded(reader.get_historical_root(seals[0].signed_revision), EVIDENCE_FILE)
    except (PdfError, ValueError, KeyError, TypeError):  # pyHanko's validation errors are ValueErrors
        # A file too damaged to read or to check is, for the customer, a file not as sealed.
        return unsealed
    stamp = status.timestamp_validity
    return SealReport(
        intact=status.intact,
        valid=status.valid and status.trusted,
        signer=status.signing_cert.subject.native.get("common_name"),
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        timestamp=stamp.timestamp if stamp is not None else None,
        timestamp_valid=stamp is not None and stamp.intact and stamp.valid and stamp.trusted,
        evidence=evidence,
    )


def _embedded(root, name: str) -> bytes | None:
    """The data of the embedded file `name` in a flat EmbeddedFiles name tree (as `embed_file` writes it)."""
    names_dict = root.get("/Names")
    tree = names_dict.get_object().get("/EmbeddedFiles") if names_dict is not None else None
    names = tree.get_object().get("/Names") if tree is not None else None
    if names is None:
        return None
    names = names.get_object()
    for index in range(0, len(names) - 1, 2):
        if str(names[index].get_object()) == name:
            return names[index + 1].get_object()["/EF"]["/F"].get_object().data
    return None
