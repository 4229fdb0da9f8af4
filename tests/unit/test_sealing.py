"""The PAdES seal: a sealed proposal validates with its timestamp and embedded evidence, and any change after
sealing shows."""
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from io import BytesIO

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtensionOID

from chalicelib.documents import dev_ca
from chalicelib.documents.certificate import append_pages
from chalicelib.documents.sealing import (
    EVIDENCE_FILE, REASON, identity_from_settings, local_timestamper, seal, timestamper_from_settings,
    trust_roots_from_settings, validate,
)
from chalicelib.settings import Settings


def two_page_pdf(title: str = "Proposition commerciale") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for page in (1, 2):
        pdf.add_page()
        pdf.cell(text=f"{title} - page {page}")
    return bytes(pdf.output())


EVIDENCE = '{"format": "offerline-evidence/1", "signer": "Zoé"}'.encode()


@pytest.fixture(scope="module")
def authority():
    return dev_ca.generate_authority()


@pytest.fixture(scope="module")
def identity(authority):
    """A development CA's seal identity: its chain is the root a reader would trust."""
    return authority.seal


@pytest.fixture(scope="module")
def stamper(authority):
    """The development CA's time-stamping authority, in process."""
    return local_timestamper(authority.tsa)


@pytest.fixture(scope="module")
def original():
    return two_page_pdf()


@pytest.fixture(scope="module")
def sealed(original, identity, stamper):
    return seal(original, identity, evidence=EVIDENCE, timestamper=stamper)


def test_a_sealed_proposal_is_intact_trusted_and_signed_by_offerline(sealed, identity):
    report = validate(sealed, [identity.chain_pem])
    assert (report.intact, report.valid, report.signer, report.whole_file) == (True, True, "Offerline", True)
    assert report.ok


def test_the_seal_carries_a_valid_rfc3161_timestamp_of_now(sealed, identity):
    report = validate(sealed, [identity.chain_pem])
    assert report.timestamp_valid
    assert abs(report.timestamp - datetime.now(timezone.utc)) < timedelta(minutes=1)
    from pyhanko.pdf_utils.reader import PdfFileReader

    signed_data = PdfFileReader(BytesIO(sealed)).embedded_signatures[0].signed_data
    unsigned = signed_data["signer_infos"][0]["unsigned_attrs"].native
    assert [a["type"] for a in unsigned] == ["signature_time_stamp_token"]  # PAdES B-T


def test_poppler_shows_the_timestamp_where_it_is_installed(sealed, identity):
    """pyHanko always says it; poppler's pdfsig (Debian's poppler-utils) too where the machine has it."""
    assert validate(sealed, [identity.chain_pem]).timestamp_valid
    if shutil.which("pdfsig"):
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
            file.write(sealed)
            file.flush()
            shown = subprocess.run(["pdfsig", file.name], capture_output=True, text=True, check=True).stdout
        assert "Offerline" in shown and "timestamp" in shown.lower()


def test_a_timestamp_from_an_unknown_authority_is_not_valid(original, identity):
    strange = local_timestamper(dev_ca.generate_authority().tsa)
    report = validate(seal(original, identity, timestamper=strange), [identity.chain_pem])
    assert report.intact and report.valid and report.timestamp is not None
    assert not report.timestamp_valid and not report.ok


def test_the_evidence_is_attached_in_the_sealed_revision_as_data_of_the_document(sealed, identity):
    from pyhanko.pdf_utils.reader import PdfFileReader

    assert validate(sealed, [identity.chain_pem]).evidence == EVIDENCE
    root = PdfFileReader(BytesIO(sealed)).root
    [spec] = [s.get_object() for s in root["/AF"]]
    assert (spec["/F"], spec["/UF"], spec["/AFRelationship"]) == (EVIDENCE_FILE, EVIDENCE_FILE, "/Data")
    assert spec["/EF"]["/F"].get_object()["/Subtype"] == "/application/json"


def test_an_evidence_attached_after_the_seal_is_not_read_and_breaks_the_whole_file(sealed, identity):
    from pyhanko.pdf_utils.embed import EmbeddedFileObject, FileSpec, embed_file
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(sealed))
    forged = EmbeddedFileObject.from_file_data(writer, b'{"forged": true}', mime_type="application/json")
    embed_file(writer, FileSpec(file_spec_string=EVIDENCE_FILE, embedded_data=forged))
    out = BytesIO()
    writer.write(out)
    report = validate(out.getvalue(), [identity.chain_pem])
    assert not report.whole_file and not report.ok and report.evidence == EVIDENCE


def test_the_seal_keeps_the_original_bytes_as_the_start_of_the_file(original, sealed):
    assert sealed.startswith(original) and len(sealed) > len(original)


def test_the_seal_is_a_pades_certification_that_allows_no_change(sealed):
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import MDPPerm

    signature = PdfFileReader(BytesIO(sealed)).embedded_signatures[0]
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature.sig_object["/Reason"] == REASON
    assert signature.sig_object["/Name"] == "Offerline"
    assert signature.docmdp_level == MDPPerm.NO_CHANGES


def test_a_seal_from_an_unknown_authority_is_intact_but_not_trusted(sealed):
    report = validate(sealed, [dev_ca.generate().chain_pem])
    assert report.intact and not report.valid and not report.ok


def test_one_changed_byte_in_the_sealed_range_breaks_the_seal(sealed, identity):
    where = sealed.index(b"stream") + 20
    tampered = sealed[:where] + bytes([sealed[where] ^ 0x01]) + sealed[where + 1:]
    report = validate(tampered, [identity.chain_pem])
    assert not report.intact and not report.ok


def test_a_page_appended_after_sealing_is_detected(sealed, identity):
    extended = append_pages(sealed, two_page_pdf("Page ajoutée"))
    report = validate(extended, [identity.chain_pem])
    assert report.intact and not report.whole_file and not report.ok


def test_a_sealed_proposal_cannot_be_sealed_again(sealed, identity, stamper):
    from pyhanko.sign.general import SigningError

    with pytest.raises(SigningError):
        seal(sealed, identity, timestamper=stamper)


@pytest.mark.parametrize("pdf", [b"", b"%PDF-1.7 garbage", b"not a pdf"])
def test_a_file_that_is_not_a_readable_pdf_is_reported_unsealed(pdf, identity):
    assert validate(pdf, [identity.chain_pem]).ok is False


def test_an_unsealed_pdf_is_reported_unsealed(original, identity):
    report = validate(original, [identity.chain_pem])
    assert (report.intact, report.valid, report.signer, report.whole_file) == (False, False, None, False)


def test_the_seal_certificate_is_for_signing_documents_and_issued_by_the_root(identity):
    seal_cert = x509.load_pem_x509_certificate(identity.cert_pem)
    root = x509.load_pem_x509_certificate(identity.chain_pem)
    usage = seal_cert.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    extended = seal_cert.extensions.get_extension_for_oid(ExtensionOID.EXTENDED_KEY_USAGE).value
    assert dev_ca.DOCUMENT_SIGNING in extended
    assert seal_cert.issuer == root.subject
    seal_cert.verify_directly_issued_by(root)


def test_no_private_key_shows_in_a_repr(identity):
    assert b"PRIVATE" in identity.key_pem
    assert "PRIVATE" not in repr(identity)


def test_the_local_stack_keeps_its_development_ca_and_renews_it_before_it_expires(tmp_path):
    first = dev_ca.load_or_create_authority(tmp_path)
    assert dev_ca.load_or_create_authority(tmp_path) == first and dev_ca.load_or_create(tmp_path) == first.seal
    assert (tmp_path / "seal-key.pem").stat().st_mode & 0o077 == 0
    assert (tmp_path / "tsa-key.pem").stat().st_mode & 0o077 == 0
    expiry = x509.load_pem_x509_certificate(first.seal.cert_pem).not_valid_after_utc
    renewed = dev_ca.load_or_create_authority(tmp_path, now=expiry - timedelta(days=10))
    assert renewed.seal != first.seal and renewed.tsa != first.tsa


def test_a_development_ca_from_before_the_timestamps_gets_a_whole_new_root(tmp_path):
    first = dev_ca.load_or_create_authority(tmp_path)
    (tmp_path / "tsa-cert.pem").unlink()
    again = dev_ca.load_or_create_authority(tmp_path)
    assert again.seal.chain_pem != first.seal.chain_pem and again.tsa.chain_pem == again.seal.chain_pem


def test_the_timestamp_authority_certificate_is_for_time_stamping_only(authority):
    tsa = x509.load_pem_x509_certificate(authority.tsa.cert_pem)
    extended = tsa.extensions.get_extension_for_oid(ExtensionOID.EXTENDED_KEY_USAGE)
    assert extended.critical and list(extended.value) == [x509.oid.ExtendedKeyUsageOID.TIME_STAMPING]
    tsa.verify_directly_issued_by(x509.load_pem_x509_certificate(authority.tsa.chain_pem))


def test_production_seals_with_the_certificate_and_key_from_settings(identity, tmp_path):
    config = Settings(seal_key_pem=identity.key_pem.decode(), seal_cert_pem=identity.cert_pem.decode(),
                      seal_chain_pem=identity.chain_pem.decode(), dev_ca_dir=str(tmp_path))
    assert identity_from_settings(config) == identity
    assert not any(tmp_path.iterdir())


def test_without_a_seal_certificate_the_development_ca_of_the_machine_is_used(tmp_path, original):
    config = Settings(dev_ca_dir=str(tmp_path / "dev-ca"))
    identity = identity_from_settings(config)
    root = (tmp_path / "dev-ca" / "root.pem").read_bytes()
    assert identity.chain_pem == root and trust_roots_from_settings(config) == [root]
    assert validate(seal(original, identity, timestamper=timestamper_from_settings(config)), [root]).ok


def test_production_trusts_the_seal_s_chain_and_the_timestamp_authority_s_roots(identity, authority):
    config = Settings(seal_key_pem=identity.key_pem.decode(), seal_cert_pem=identity.cert_pem.decode(),
                      seal_chain_pem=identity.chain_pem.decode(), tsa_url="https://tsa.example/tsr",
                      tsa_roots_pem=authority.tsa.chain_pem.decode())
    assert trust_roots_from_settings(config) == [identity.chain_pem, authority.tsa.chain_pem]
    assert type(timestamper_from_settings(config)).__name__ == "HttpTimeStamper"

