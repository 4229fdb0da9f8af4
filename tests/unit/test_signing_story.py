"""One signature told end to end with the building blocks, in the order the portal calls them."""
import hashlib
import json
from datetime import datetime, timedelta, timezone

from pydantic import SecretStr

from chalicelib.documents import dev_ca
from chalicelib.documents.certificate import CertificateFacts, with_certificate
from chalicelib.documents.sealing import seal, validate
from chalicelib.domain.codes import Outcome, SigningChallenge
from chalicelib.domain.evidence import Chain, EventKind, Signer, append, evidence_document, subject_of, verify
from chalicelib.domain.iban import check_iban, masked
from chalicelib.domain.links import AccessLink, PortalState, hash_token, portal_state
from chalicelib.portal.security import csrf_token, require_csrf

SENT = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
CODE_SECRET = SecretStr("code-secret-of-at-least-32-characters!")
CSRF_SECRET = SecretStr("csrf-secret-of-at-least-32-characters!")
CUSTOMER = {"ip": "203.0.113.7", "user_agent": "Mozilla/5.0 (Android 14; Mobile)"}
CONSENT = "J'ai lu et j'accepte la proposition commerciale et ses conditions générales."


def proposal_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.cell(text="Proposition commerciale OFF-2026-0042")
    return bytes(pdf.output())


def test_a_customer_reads_signs_with_a_code_and_the_seller_gets_sealed_proofs():
    shown = proposal_pdf()
    subject = subject_of("D1", "P1")
    chain, events = Chain.start(subject), []

    def record(kind, at, **details):
        nonlocal chain
        chain, event = append(chain, kind, at, details=details, **CUSTOMER)
        events.append(event)

    token, link = AccessLink.issue(SENT, timedelta(hours=24))
    record(EventKind.PROPOSAL_SENT, SENT, proposal_version=1, document_sha256=hashlib.sha256(shown).hexdigest())

    opened = SENT + timedelta(hours=2)
    stored_link = link if hash_token(token) == link.token_hash else None
    state = portal_state(opened, stored_link, proposal_status="sent", valid_until=SENT + timedelta(days=30))
    assert state is PortalState.SHOW
    record(EventKind.LINK_OPENED, opened)
    record(EventKind.VIEWED, opened)

    form_token = csrf_token(CSRF_SECRET, link.token_hash, "sign")
    require_csrf(CSRF_SECRET, link.token_hash, "sign", form_token)
    iban = check_iban("FR76 3000 6000 0112 3456 7890 189")
    record(EventKind.SIGN_FORM_SUBMITTED, opened + timedelta(minutes=3), full_name="Zoé Lefèvre",
           terms_read=True, iban=masked(iban))
    code, challenge = SigningChallenge.issue(CODE_SECRET, "P1", 1, opened + timedelta(minutes=3))
    record(EventKind.CODE_SENT, opened + timedelta(minutes=3), channel="email")

    typed_at = opened + timedelta(minutes=5)
    verification = challenge.verify(CODE_SECRET, code, 1, typed_at)
    assert verification.outcome is Outcome.VERIFIED
    record(EventKind.CODE_VERIFIED, typed_at)
    record(EventKind.ACCEPTED, typed_at, proposal_version=1)

    identity = dev_ca.generate()
    facts = CertificateFacts(
        dealer_name="Garage des Tilleuls", proposal_reference="OFF-2026-0042", proposal_version=1,
        signer_name="Zoé Lefèvre", signer_email="zoe@example.com", consent_text=CONSENT,
        events=events, chain=chain, **CUSTOMER,
    )
    signed = seal(with_certificate(shown, facts), identity)
    assert validate(signed, [identity.chain_pem]).ok
    assert hashlib.sha256(signed[:len(shown)]).hexdigest() == hashlib.sha256(shown).hexdigest()

    proofs = evidence_document(
        subject=subject, proposal_reference="OFF-2026-0042", proposal_version=1,
        signer=Signer(name="Zoé Lefèvre", email="zoe@example.com"), consent_text=CONSENT,
        shown_pdf_sha256=hashlib.sha256(shown).hexdigest(), shown_pdf_length=len(shown),
        signed_pdf_sha256=hashlib.sha256(signed).hexdigest(), events=events, head=chain,
        generated_at=typed_at + timedelta(days=1),
    )
    written = json.dumps(proofs, ensure_ascii=False)
    assert proofs["chain"]["verification"]["ok"] and verify(events, subject, chain).ok
    for secret in (token, f'"{code}"', challenge.code_hmac, link.token_hash, iban):
        assert secret not in written
    assert portal_state(typed_at, link, proposal_status="accepted",
                        valid_until=SENT + timedelta(days=30)) is PortalState.ACCEPTED_VIEW
