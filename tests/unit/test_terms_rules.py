"""The dealer's terms (SPEC L.1): which files are kept, which terms a proposal version includes, what the
consent and the welcome email say of them."""
from datetime import datetime, timezone

import pytest

from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.files import MAX_BYTES, FileType
from chalicelib.domain.proposals.model import StoredPdf
from chalicelib.domain.quotes import LineKind
from chalicelib.domain.signing import consent_parts
from chalicelib.domain.terms import (
    DealerTerms, KindTerms, TermsRef, TermsUpload, check_declared_pdf, check_terms_file, consent_words, kind_of,
    kind_terms, terms_evidence, terms_for, terms_text,
)
from tests import samples

AT = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)


def ref(kind: LineKind, version: int = 1, title: str = "CGV") -> TermsRef:
    return TermsRef(kind=kind, version=version, title=title, s3_key=f"dealers/D1/terms/{kind.value}{version}.pdf",
                    sha256="ab" * 32)


VEHICLE, INSURANCE, SERVICE = ref(LineKind.VEHICLE, 3), ref(LineKind.INSURANCE), ref(LineKind.SERVICE_CONTRACT)


# --- the file -------------------------------------------------------------------------------------

def test_a_readable_pdf_of_at_most_10_mb_is_kept():
    check_terms_file(FileType.PDF, MAX_BYTES, 12)


@pytest.mark.parametrize("sniffed, size, pages, field", [
    (FileType.PNG, 1000, None, "not a PDF"),
    (None, 1000, None, "not a PDF"),
    (FileType.PDF, MAX_BYTES + 1, None, "too large"),
    (FileType.PDF, 1000, None, "unreadable or encrypted PDF"),
    (FileType.PDF, 1000, 0, "unreadable or encrypted PDF"),
])
def test_anything_else_is_refused(sniffed, size, pages, field):
    with pytest.raises(InvalidInput) as refused:
        check_terms_file(sniffed, size, pages)
    assert refused.value.fields == {"file": field}


def test_only_a_pdf_may_be_announced():
    check_declared_pdf(FileType.PDF)
    with pytest.raises(InvalidInput):
        check_declared_pdf(FileType.JPEG)


def test_a_kind_in_a_path_is_one_of_the_line_kinds():
    assert kind_of("service_contract") == LineKind.SERVICE_CONTRACT
    with pytest.raises(NotFound):
        kind_of("boat")


# --- versions -------------------------------------------------------------------------------------

def upload(title: str = "CGV VO") -> TermsUpload:
    return TermsUpload(id="T1", kind=LineKind.VEHICLE, title=title, filename="cgv.pdf",
                       s3_key="dealers/D1/terms/T1.pdf", created_at=AT, created_by="U1")


def test_a_new_upload_is_the_kind_s_next_version_and_the_earlier_ones_stay():
    none = kind_terms(LineKind.VEHICLE, 0, None, [], 0)
    first = none.next_version(upload(), 2000, 3, "11" * 32, AT)
    once = none.replaced(first)
    second = once.next_version(upload("CGV VO 2027"), 2500, 4, "22" * 32, AT)
    twice = once.replaced(second)
    assert (first.version, second.version, twice.current, twice.revision) == (1, 2, second, 2)
    assert [v.version for v in twice.versions] == [2, 1]
    assert twice.version_of(1) == first
    with pytest.raises(NotFound):
        twice.version_of(3)


def test_removed_terms_no_longer_apply_but_their_versions_stay():
    head = kind_terms(LineKind.VEHICLE, 0, None, [], 0)
    head = head.replaced(head.next_version(upload(), 2000, 3, "11" * 32, AT))
    removed = head.removed()
    assert (removed.current, removed.version, len(removed.versions), removed.revision) == (None, 1, 1, 2)
    with pytest.raises(NotFound):
        removed.removed()
    assert removed.next_version(upload(), 2000, 3, "33" * 32, AT).version == 2  # numbers never repeat


def test_a_kind_never_given_terms_has_none():
    assert KindTerms(kind=LineKind.FEE, label="Frais").current is None


# --- what a proposal includes ---------------------------------------------------------------------

def test_terms_come_in_the_order_of_the_product_kinds():
    assert terms_for([INSURANCE, SERVICE, VEHICLE], {LineKind.VEHICLE, LineKind.INSURANCE}) == [VEHICLE, INSURANCE]


def test_a_proposal_takes_the_terms_of_every_kind_it_offers_and_its_document_those_it_includes():
    proposal = samples.proposal().with_terms([VEHICLE, INSURANCE, SERVICE, ref(LineKind.FEE)])
    # The insurance is an option not chosen: its terms wait for the version that includes it.
    assert {t.kind for t in proposal.terms} == {LineKind.VEHICLE, LineKind.INSURANCE, LineKind.SERVICE_CONTRACT,
                                                LineKind.FEE}
    assert [t.kind for t in proposal.document_terms] == [LineKind.VEHICLE, LineKind.SERVICE_CONTRACT, LineKind.FEE]


def test_terms_of_kinds_not_offered_are_not_taken():
    proposal = samples.proposal(samples.quote([samples.vehicle_line()])).with_terms([VEHICLE, SERVICE])
    assert proposal.terms == [VEHICLE]


def rendered(proposal):
    pdf = StoredPdf(version=proposal.version, s3_key="k", sha256="00" * 32, size=10, terms=proposal.document_terms)
    return proposal.model_copy(update={"pdf": pdf})


def test_a_draft_s_preview_is_rendered_again_with_the_terms_in_force_at_its_sending():
    preview = rendered(samples.proposal().with_terms([VEHICLE]))
    newer = ref(LineKind.VEHICLE, 4)
    sent = preview.with_terms([newer])
    assert (sent.terms, sent.pdf, sent.document_terms) == ([newer], None, [newer])
    assert preview.with_terms([VEHICLE]) is preview  # unchanged terms keep the preview


def test_a_version_the_customer_may_have_seen_keeps_its_terms():
    shown = rendered(samples.proposal().with_terms([VEHICLE]).sent(samples.TO_MARIE, True, AT))
    assert shown.with_terms([ref(LineKind.VEHICLE, 4)]) is shown
    assert shown.with_terms([]) is shown  # removed since: what was shown still had them


def test_a_proposal_sent_before_terms_existed_keeps_its_document():
    before = rendered(samples.proposal().sent(samples.TO_MARIE, True, AT))
    assert before.with_terms([VEHICLE]) is before and before.document_terms == []


def test_a_new_version_not_yet_rendered_takes_the_terms_in_force():
    shown = rendered(samples.proposal().with_terms([VEHICLE]).sent(samples.TO_MARIE, True, AT))
    edited = shown.model_copy(update={"version": 2})
    assert edited.with_terms([ref(LineKind.VEHICLE, 4)]).document_terms == [ref(LineKind.VEHICLE, 4)]


# --- the words ------------------------------------------------------------------------------------

def test_the_consent_names_the_terms_it_accepts_with_their_versions():
    proposal = samples.proposal().with_terms([VEHICLE, SERVICE])
    assert consent_words(proposal.document_terms) == (
        "les conditions générales de vente annexées (véhicule, v3 ; contrat de service, v1)")
    assert ("P2026-00012 (version 1), les conditions générales de vente annexées (véhicule, v3 ; contrat de "
            "service, v1) et les informations sur le droit de rétractation, et je les accepte."
            in consent_parts(proposal)["terms"])


def test_without_terms_the_consent_is_unchanged():
    assert consent_parts(samples.proposal())["terms"] == (
        "J'ai lu la proposition commerciale P2026-00012 (version 1), ses conditions et les informations sur le "
        "droit de rétractation, et je l'accepte.")


def test_the_welcome_email_lists_the_terms_and_the_evidence_keeps_their_fingerprints():
    assert terms_text([VEHICLE, SERVICE]) == "Véhicule : CGV (version 3)\nContrat de service : CGV (version 1)"
    assert terms_evidence([VEHICLE]) == f"vehicle v3 sha256:{'ab' * 32}"
    assert terms_text([]) == ""
    assert VEHICLE.filename == "conditions-generales-vehicle-v3.pdf"


def test_the_terms_in_force_stay_under_10_mb_in_all_so_the_welcome_email_can_leave():
    def head(kind: LineKind, size: int) -> KindTerms:
        blank = kind_terms(kind, 0, None, [], 0)
        return blank.replaced(blank.next_version(upload(), size, 1, "11" * 32, AT))

    vehicle, insurance = head(LineKind.VEHICLE, 6 * 1024 * 1024), head(LineKind.INSURANCE, 3 * 1024 * 1024)
    dealer = DealerTerms(kinds=[vehicle, insurance, kind_terms(LineKind.FEE, 0, None, [], 0)])
    dealer.check_room_for(insurance.next_version(upload(), 4 * 1024 * 1024, 1, "22" * 32, AT))  # replaces 3 MB
    with pytest.raises(InvalidInput) as refused:
        dealer.check_room_for(kind_terms(LineKind.FEE, 0, None, [], 0).next_version(
            upload(), 2 * 1024 * 1024, 1, "33" * 32, AT))
    assert refused.value.fields == {"file": "terms in force over 10 MB in total"}


def test_the_proposal_document_names_the_terms_annexed_after_it():
    from chalicelib.documents.pdf import render_quote
    from chalicelib.domain.proposals.views import document_of_proposal
    from tests.pdf_text import text

    with_terms = text(render_quote(document_of_proposal(samples.proposal().with_terms([VEHICLE])), compress=False))
    assert ("Conditions générales Les conditions générales suivantes font partie de cette proposition ; elles sont "
            "annexées à la suite de ce document : • Véhicule : CGV (version 3)") in with_terms
    assert "Conditions générales Les" not in text(render_quote(document_of_proposal(samples.proposal()),
                                                               compress=False))
