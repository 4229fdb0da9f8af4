"""How both sides reach the customer: a new access link, an email, the document shown.

The seller's actions (send, remind) and the customer's (a new link asked from the portal, a
question's acknowledgement, a signature's receipt) build them here, reading nothing but S3 for
the PDF; each use case puts what it returns in its own unit of work.
"""
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.documents import pdf, storage, terms_pdf
from chalicelib.domain.dealers import Dealer
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.links import AccessLink
from chalicelib.domain.outbox import Attachment, Channel, OutboxMessage
from chalicelib.domain.proposals.model import Proposal, ProposalLink, StoredPdf
from chalicelib.domain.proposals.views import document_of_proposal, email_variables
from chalicelib.domain.templates import TemplateKind
from chalicelib.settings import settings
from chalicelib.store import proposals as store
from chalicelib.store.unit_of_work import Put

# Link items stay readable this long after they (or the proposal) expire, so the portal can
# still say "this link has expired, get a new one" instead of "unknown link"; TTL then cleans up.
LINK_KEPT_AFTER_EXPIRY = timedelta(days=30)


@dataclass(frozen=True)
class IssuedLink:
    """A new access link. `token` and `url` go in the email only; the table keeps the SHA-256."""
    token: str
    token_hash: str
    url: str
    expires_at: datetime
    write: Put


def issue_link(dealer: Dealer, proposal: Proposal, recipient_email: str, at: datetime,
               purpose: str = "send") -> IssuedLink:
    """A new link (domain/links.py) for `{public_base_url}/p/{token}`, valid `link_validity_hours`.

    Put `write` in the unit of work that sends the email; the raw token is never stored.
    """
    token, access = AccessLink.issue(at, timedelta(hours=dealer.settings.link_validity_hours))
    kept_until = max(access.expires_at, proposal.expires_at) + LINK_KEPT_AFTER_EXPIRY
    link = ProposalLink(
        dealer_id=dealer.id, proposal_id=proposal.id, proposal_version=proposal.version, purpose=purpose,
        recipient=recipient_email, issued_at=at, expires_at=access.expires_at, ttl=int(kept_until.timestamp()),
    )
    return IssuedLink(token=token, token_hash=access.token_hash, url=f"{settings().public_base_url}/p/{token}",
                      expires_at=access.expires_at, write=store.new_link(access.token_hash, link))


def customer_address(proposal: Proposal) -> str:
    """The proposal's recorded address: the only one the portal ever writes to."""
    if proposal.recipient is not None:
        return proposal.recipient.email
    if proposal.customer.email:
        return proposal.customer.email
    raise InvalidInput("Aucune adresse e-mail n'est enregistrée pour cette proposition.", {"email": "missing"})


def customer_email(
    dealer_id: str, proposal: Proposal, kind: TemplateKind, at: datetime, purpose: str,
    variables: dict[str, Any] | None = None, attach_pdf: bool = False, attachments: list[Attachment] | None = None,
    to: str | None = None,
) -> OutboxMessage:
    """An email to the proposal's recipient with the dealer's template of this kind, rendered when delivered.
    Not yet queued: write it with `store.outbox.new(message)` in your unit of work."""
    recipient = to or (proposal.recipient.email if proposal.recipient else proposal.customer.email)
    if not recipient:
        raise InvalidInput("Le client n'a pas d'adresse e-mail.", {"email": "missing"})
    files = list(attachments or [])
    if attach_pdf and proposal.pdf is not None:
        files.append(Attachment(filename=pdf_filename(proposal), s3_key=proposal.pdf.s3_key))
    return OutboxMessage(
        dealer_id=dealer_id, channel=Channel.EMAIL, to=recipient, template=kind,
        variables=email_variables(proposal) | (variables or {}), reply_to=str(proposal.seller.email),
        attachments=files, purpose=purpose, created_at=at, proposal=proposal.email_ref(),
    )


def pdf_filename(proposal: Proposal) -> str:
    return f"proposition-{proposal.reference}-v{proposal.version}.pdf"


def stored_pdf(proposal: Proposal, by_fingerprint: bool = False) -> Proposal:
    """The proposal with its current version's PDF in the documents bucket (rendered once per version), the
    dealer's terms of the kinds it includes appended: the SHA-256 recorded covers them.
    `by_fingerprint`: the object is named by its SHA-256 too, for a version two requests may race to make
    with different content (the customer's options, services/options.py)."""
    if proposal.pdf_is_current():
        return proposal
    terms = proposal.document_terms
    data = terms_pdf.with_terms(pdf.render_quote(document_of_proposal(proposal)),
                                [storage.get(t.s3_key) for t in terms])
    sha256 = hashlib.sha256(data).hexdigest()
    key = (storage.chosen_pdf_key(proposal.dealer_id, proposal.id, proposal.version, sha256) if by_fingerprint
           else storage.proposal_pdf_key(proposal.dealer_id, proposal.id, proposal.version))
    storage.put(key, data, "application/pdf")
    stored = StoredPdf(version=proposal.version, s3_key=key, sha256=sha256, size=len(data), terms=terms)
    return proposal.model_copy(update={"pdf": stored})
