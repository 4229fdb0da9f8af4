"""Use cases of the dealer's terms per product kind (SPEC L.1): list, upload a new version, remove, download,
and the terms in force a proposal takes. Every seller reads them; only admins change them. Tenant id
first: another dealer's upload is a 404.

A new version is the file's bytes checked (a readable, unencrypted PDF of at most 10 MB: domain/terms.py),
then one transaction: the kind's head (on condition of its revision), the version item (on condition it
is new) and the spent upload form.
"""
import hashlib
from datetime import timedelta

from chalicelib.documents import storage, terms_pdf
from chalicelib.domain import clock
from chalicelib.domain.dealers import Staff
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.files import MAX_BYTES, SNIFF_BYTES, DocumentDownload, FileType, sniff
from chalicelib.domain.ids import new_id
from chalicelib.domain.terms import (
    DealerTerms, NewTerms, TermsRef, TermsUpload, TermsUploadForm, TermsVersion, check_declared_pdf,
    check_terms_file, kind_of,
)
from chalicelib.store import dealers as dealer_store
from chalicelib.store import terms as store
from chalicelib.store.unit_of_work import commit

UPLOAD_SECONDS = 900      # long enough to pick a file on a slow connection
DOWNLOAD_SECONDS = 300    # a leaked link soon dies


def listed(dealer_id: str) -> DealerTerms:
    dealer_store.get(dealer_id)
    return store.all_of(dealer_id)


def in_force(dealer_id: str) -> list[TermsRef]:
    """What a proposal version the seller makes or first sends now takes."""
    return store.all_of(dealer_id).in_force()


def request_upload(dealer_id: str, command: NewTerms, by: Staff) -> TermsUploadForm:
    """An upload form for the kind's next version: a presigned POST (≤ 10 MB, private, under the dealer's
    prefix). Nothing applies until the file is confirmed."""
    by.require_admin()
    check_declared_pdf(command.content_type)
    upload_id = new_id()
    form = TermsUpload(id=upload_id, kind=command.kind, title=command.title, filename=command.filename,
                       s3_key=storage.terms_key(dealer_id, upload_id), created_at=clock.now(), created_by=by.user_id)
    presigned = storage.upload_form(form.s3_key, FileType.PDF.value, MAX_BYTES, UPLOAD_SECONDS, pending=True)
    commit(store.upload_added(dealer_id, form))
    return TermsUploadForm(document=form, url=presigned["url"], fields=presigned["fields"], expires_in=UPLOAD_SECONDS)


def confirm_upload(dealer_id: str, upload_id: str, by: Staff) -> TermsVersion:
    """The uploaded file becomes the kind's version in force if it is a PDF we can append to a proposal;
    anything else is deleted from S3 with its form, and refused."""
    upload = store.upload(dealer_id, upload_id)  # before the role check: another dealer's id is a 404
    by.require_admin()
    size = storage.size_of(upload.s3_key)
    if size is None:
        raise InvalidInput("Aucun fichier reçu : envoyez le PDF puis confirmez.", {"file": "missing"})
    data = storage.get(upload.s3_key) if size <= MAX_BYTES else storage.first_bytes(upload.s3_key, SNIFF_BYTES)
    pages = terms_pdf.pages_of(data) if size <= MAX_BYTES else None
    dealer_terms = store.all_of(dealer_id)
    terms = dealer_terms.of(upload.kind)
    try:
        check_terms_file(sniff(data[:SNIFF_BYTES]), size, pages)
        assert pages is not None  # check_terms_file refuses a PDF it cannot count
        version = terms.next_version(upload, size, pages, hashlib.sha256(data).hexdigest(), clock.now())
        dealer_terms.check_room_for(version)
    except InvalidInput:
        storage.delete(upload.s3_key)  # never keep a file we refused
        commit(store.upload_used(dealer_id, upload))
        raise
    storage.confirmed(upload.s3_key)  # before the commit: a kept file is never left to the lifecycle rule
    commit(store.head_saved(dealer_id, terms, terms.replaced(version)), store.version_added(dealer_id, version),
           store.upload_used(dealer_id, upload))
    return version


def remove(dealer_id: str, kind: str, by: Staff) -> None:
    """The kind's terms stop applying to what is sent from now on; every version stays for what was sent."""
    by.require_admin()
    terms = store.all_of(dealer_id).of(kind_of(kind))
    commit(store.head_saved(dealer_id, terms, terms.removed()))


def download(dealer_id: str, kind: str, version: int) -> DocumentDownload:
    found = store.all_of(dealer_id).of(kind_of(kind)).version_of(version)
    return DocumentDownload(url=storage.download_url(found.s3_key, found.filename, DOWNLOAD_SECONDS),
                            expires_at=clock.now() + timedelta(seconds=DOWNLOAD_SECONDS))
