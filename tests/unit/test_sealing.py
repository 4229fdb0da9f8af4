"""The PAdES seal: a sealed proposal validates, and any change after sealing shows."""
from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtensionOID

from chalicelib.documents import dev_ca
from chalicelib.documents.certificate import append_pages
from chalicelib.documents.sealing import REASON, identity_from_settings, seal, validate
from chalicelib.settings import Settings


def two_page_pdf(title: str = "Proposition commerciale") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for page in (1, 2):
        pdf.add_page()
        pdf.cell(text=f"{title} - page {page}")
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def identity():
    """A development CA's seal identity: its chain is the root a reader would trust."""
    return dev_ca.generate()


@pytest.fixture(scope="module")
def original():
    return two_page_pdf()


@pytest.fixture(scope="module")
def sealed(original, identity):
    return seal(original, identity)


def test_a_sealed_proposal_is_intact_trusted_and_signed_by_offerline(sealed, identity):
    report = validate(sealed, [identity.chain_pem])
    assert (report.intact, report.valid, report.signer, report.whole_file) == (True, True, "Offerline", True)
    assert report.ok


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


def test_a_sealed_proposal_cannot_be_sealed_again(sealed, identity):
    from pyhanko.sign.general import SigningError

    with pytest.raises(SigningError):
        seal(sealed, identity)


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
    first = dev_ca.load_or_create(tmp_path)
    assert dev_ca.load_or_create(tmp_path) == first
    assert (tmp_path / "seal-key.pem").stat().st_mode & 0o077 == 0
    expiry = x509.load_pem_x509_certificate(first.cert_pem).not_valid_after_utc
    renewed = dev_ca.load_or_create(tmp_path, now=expiry - timedelta(days=10))
    assert renewed != first


def test_production_seals_with_the_certificate_and_key_from_settings(identity, tmp_path):
    config = Settings(seal_key_pem=identity.key_pem.decode(), seal_cert_pem=identity.cert_pem.decode(),
                      seal_chain_pem=identity.chain_pem.decode(), dev_ca_dir=str(tmp_path))
    assert identity_from_settings(config) == identity
    assert not any(tmp_path.iterdir())


def test_without_a_seal_certificate_the_development_ca_of_the_machine_is_used(tmp_path, original):
    config = Settings(dev_ca_dir=str(tmp_path / "dev-ca"))
    identity = identity_from_settings(config)
    root = (tmp_path / "dev-ca" / "root.pem").read_bytes()
    assert identity.chain_pem == root
    assert validate(seal(original, identity), [root]).ok

