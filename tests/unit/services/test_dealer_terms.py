"""The dealer's terms on the in-memory table (moto's S3): an admin uploads them per product kind, a new upload
is a new version, a proposal's shown PDF appends those of the kinds it includes, the welcome email attaches
them; what is refused stores nothing."""
import hashlib
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.documents import storage
from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound
from chalicelib.domain.proposals.commands import NewProposal, ProposalChange, SendProposal
from chalicelib.domain.quotes import LineKind
from chalicelib.domain.terms import NewTerms
from chalicelib.services import proposals, signing, terms
from chalicelib.store import keys
from tests import customer_side as side
from tests import desk
from tests.desk import admin, command, seller
from tests.offers import SELLER_BLOCK, with_legal
from tests.support import Tenant, at, tenant
from tests.terms_support import encrypted, pages_text, terms_pdf

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def garage(memory) -> Tenant:
    at(NOW)
    return with_legal(tenant())


def uploaded(garage: Tenant, data: bytes, kind: str = "vehicle", title: str = "CGV véhicules"):
    """The form asked, the file posted to S3 as the browser does: the upload waiting for its confirmation."""
    form = terms.request_upload(garage.dealer.id, command(
        NewTerms, kind=kind, title=title, filename="cgv.pdf", content_type="application/pdf"), by=admin(garage))
    storage.put(form.document.s3_key, data, "application/pdf")
    return form.document


def given(garage: Tenant, data: bytes | None = None, kind: str = "vehicle", title: str = "CGV véhicules"):
    upload = uploaded(garage, data or terms_pdf(title.upper().replace("É", "E")), kind, title)
    return terms.confirm_upload(garage.dealer.id, upload.id, by=admin(garage))


def terms_items(memory) -> dict:
    return {k: dict(v) for k, v in memory.items.items() if v[keys.SK].startswith(("TERMS#", "TERMSUPLOAD#"))}


def s3_keys(prefix: str) -> list[str]:
    from chalicelib.clients import client
    from chalicelib.settings import settings
    listed = client("s3").list_objects_v2(Bucket=settings().documents_bucket, Prefix=prefix)
    return [o["Key"] for o in listed.get("Contents", [])]


# --- uploading ---------------------------------------------------------------------------------

def test_an_admin_s_upload_becomes_the_kind_s_terms_in_force(memory, garage):
    data = terms_pdf("CGV VEHICULES", pages=3)
    version = given(garage, data)
    assert (version.kind, version.version, version.pages, version.size_bytes) == (LineKind.VEHICLE, 1, 3, len(data))
    assert version.sha256 == hashlib.sha256(data).hexdigest() and version.uploaded_at == NOW
    assert version.s3_key.startswith(f"dealers/{garage.dealer.id}/terms/")
    listed = terms.listed(garage.dealer.id)
    assert listed.of(LineKind.VEHICLE).current == version
    assert [k.kind for k in listed.kinds] == list(LineKind) and listed.of(LineKind.FEE).current is None
    assert not [k for k in terms_items(memory) if k[1].startswith("TERMSUPLOAD#")]  # the form is spent


def test_a_new_upload_replaces_the_terms_and_keeps_the_earlier_version(garage):
    first = given(garage, terms_pdf("CGV 2026"))
    second = given(garage, terms_pdf("CGV 2027"), title="CGV véhicules 2027")
    kind = terms.listed(garage.dealer.id).of(LineKind.VEHICLE)
    assert (kind.current, [v.version for v in kind.versions]) == (second, [2, 1])
    assert second.s3_key != first.s3_key and storage.get(first.s3_key) == terms_pdf("CGV 2026")
    from chalicelib.clients import client
    from chalicelib.settings import settings
    assert client("s3").get_object_tagging(Bucket=settings().documents_bucket, Key=second.s3_key)["TagSet"] == [
        {"Key": "upload", "Value": "confirmed"}]  # out of reach of the lifecycle rule on upload=pending


def test_every_seller_reads_and_downloads_the_terms_for_five_minutes(garage):
    version = given(garage)
    link = terms.download(garage.dealer.id, "vehicle", 1)
    assert link.expires_at == NOW + timedelta(seconds=300) and version.s3_key in link.url
    with pytest.raises(NotFound):
        terms.download(garage.dealer.id, "vehicle", 2)
    with pytest.raises(NotFound):
        terms.download(garage.dealer.id, "boat", 1)


def test_a_seller_may_not_upload_confirm_or_remove_terms_and_nothing_changes(memory, garage):
    upload = uploaded(garage, terms_pdf())
    before = terms_items(memory)
    with pytest.raises(Forbidden):
        terms.request_upload(garage.dealer.id, command(NewTerms, kind="vehicle", title="CGV", filename="c.pdf",
                                                        content_type="application/pdf"), by=seller(garage))
    with pytest.raises(Forbidden):
        terms.confirm_upload(garage.dealer.id, upload.id, by=seller(garage))
    assert terms_items(memory) == before
    terms.confirm_upload(garage.dealer.id, upload.id, by=admin(garage))
    kept = terms_items(memory)
    with pytest.raises(Forbidden):
        terms.remove(garage.dealer.id, "vehicle", by=seller(garage))
    assert terms_items(memory) == kept


def test_another_dealer_s_upload_is_not_found(garage):
    upload = uploaded(garage, terms_pdf())
    other = with_legal(tenant("Garage du Port"))
    with pytest.raises(NotFound):
        terms.confirm_upload(other.dealer.id, upload.id, by=admin(other))
    assert terms.listed(other.dealer.id).of(LineKind.VEHICLE).current is None


@pytest.mark.parametrize("data", [PNG, b"%PDF-1.7 not really a pdf", encrypted(terms_pdf())],
                         ids=["an image", "a broken PDF", "an encrypted PDF"])
def test_a_file_we_cannot_append_is_refused_and_nothing_is_stored(memory, garage, data):
    upload = uploaded(garage, data)
    with pytest.raises(InvalidInput):
        terms.confirm_upload(garage.dealer.id, upload.id, by=admin(garage))
    assert terms_items(memory) == {} and s3_keys(f"dealers/{garage.dealer.id}/terms/") == []


def test_an_image_cannot_even_be_announced(memory, garage):
    with pytest.raises(InvalidInput):
        terms.request_upload(garage.dealer.id, command(NewTerms, kind="vehicle", title="CGV", filename="c.png",
                                                        content_type="image/png"), by=admin(garage))
    assert terms_items(memory) == {}


def test_removed_terms_stop_applying_and_their_versions_stay(garage):
    version = given(garage)
    terms.remove(garage.dealer.id, "vehicle", by=admin(garage))
    kind = terms.listed(garage.dealer.id).of(LineKind.VEHICLE)
    assert (kind.current, kind.versions) == (None, [version])
    assert terms.in_force(garage.dealer.id) == []
    with pytest.raises(NotFound):
        terms.remove(garage.dealer.id, "vehicle", by=admin(garage))


# --- in the proposal ---------------------------------------------------------------------------

def draft(garage: Tenant):
    quote = desk.quote(garage)
    return proposals.create(garage.dealer.id, command(NewProposal, quote_id=quote.id, seller=SELLER_BLOCK),
                            by=seller(garage)).proposal


def send(garage: Tenant, proposal_id: str):
    return proposals.send(garage.dealer.id, proposal_id, command(SendProposal), by=seller(garage)).proposal


def test_the_shown_pdf_appends_the_terms_of_the_kinds_it_includes(garage):
    given(garage, terms_pdf("CGV VEHICULES", pages=2))
    given(garage, terms_pdf("CG ASSURANCE", pages=1), kind="insurance", title="CG assurance")
    given(garage, terms_pdf("CG ENTRETIEN", pages=1), kind="service_contract", title="CG entretien")
    sent = send(garage, draft(garage).id)
    shown = storage.get(sent.pdf.s3_key)
    assert hashlib.sha256(shown).hexdigest() == sent.pdf.sha256
    pages = pages_text(shown)
    # The insurance is an option not chosen (tests/offers.LINES): its terms are not part of this version.
    assert [p for p in pages if "ARTICLE" in p] == [
        "CGV VEHICULES - ARTICLE 1", "CGV VEHICULES - ARTICLE 2", "CG ENTRETIEN - ARTICLE 1"]
    assert [t.kind for t in sent.pdf.terms] == [LineKind.VEHICLE, LineKind.SERVICE_CONTRACT]
    assert {t.kind for t in sent.terms} == {LineKind.VEHICLE, LineKind.SERVICE_CONTRACT, LineKind.INSURANCE}


def test_terms_uploaded_after_the_preview_are_in_the_pdf_sent(garage):
    proposal = draft(garage)
    preview = proposals.document(garage.dealer.id, proposal.id)
    given(garage)
    sent = send(garage, proposal.id)
    assert sent.pdf.sha256 != preview.sha256
    assert any("CGV VEHICULES" in p for p in pages_text(storage.get(sent.pdf.s3_key)))


def test_a_proposal_sent_before_terms_existed_keeps_its_pdf_and_an_edit_takes_them(garage):
    sent = send(garage, draft(garage).id)
    given(garage)
    again = send(garage, sent.id)
    assert (again.pdf, again.terms) == (sent.pdf, [])
    edited = proposals.edit(garage.dealer.id, sent.id, command(ProposalChange, seller={
        **SELLER_BLOCK, "phone": "+33699887766"}), by=seller(garage)).proposal
    assert [t.kind for t in edited.terms] == [LineKind.VEHICLE] and not edited.pdf_is_current()
    document = proposals.document(garage.dealer.id, sent.id)
    assert any("CGV VEHICULES" in p for p in pages_text(storage.get(document.s3_key)))


def test_terms_replaced_after_sending_leave_the_version_sent_as_it_was(garage):
    given(garage, terms_pdf("CGV 2026"))
    sent = send(garage, draft(garage).id)
    given(garage, terms_pdf("CGV 2027"))
    again = send(garage, sent.id)
    assert again.pdf == sent.pdf and [t.version for t in again.pdf.terms] == [1]


# --- signed: the welcome email ----------------------------------------------------------------------

def test_the_welcome_email_carries_the_signed_contract_and_the_terms_it_included(memory, garage):
    version = given(garage, terms_pdf("CGV VEHICULES"))
    sent = send(garage, draft(garage).id)
    [email] = side.queued(memory, "proposal_sent")
    the = side.Sent(sent, email["variables"]["link"].rsplit("/", 1)[1])
    signing.start(the.token, the.form("sign", **side.SIGN_FORM), side.PHONE)
    signing.confirm(the.token, the.form("code", code=side.latest_code(memory)), side.PHONE)
    signature = side.stored(the).signature
    assert "conditions générales de vente annexées (véhicule, v1)" in signature.consent_text
    assert signature.shown_pdf.terms == [version.ref()]
    [welcome] = side.queued(memory, "signature_ack")
    assert [(a["filename"], a["s3_key"]) for a in welcome["attachments"]] == [
        (f"proposition-{sent.reference}-v1-signee.pdf", signature.signed_pdf.s3_key),
        ("conditions-generales-vehicle-v1.pdf", version.s3_key)]
    assert welcome["variables"]["terms"] == "Véhicule : CGV véhicules (version 1)"
    signed = storage.get(signature.signed_pdf.s3_key)
    assert signed[:signature.shown_pdf.size] == storage.get(signature.shown_pdf.s3_key)
    assert any("CGV VEHICULES - ARTICLE 2" in p for p in pages_text(signed))
