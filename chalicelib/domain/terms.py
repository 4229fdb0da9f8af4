"""The dealer's terms (conditions générales de vente, conditions générales) per product kind (SPEC L.1, seed 000).

An admin uploads one PDF per product kind (the kinds of a quote's lines, domain/quotes.KIND_LABELS); a new
upload is the kind's next version, and removing a kind's terms only stops them applying to what is sent
next. A proposal takes the dealer's terms when the seller makes or first sends a version
(`Proposal.terms`), and its document appends those of the kinds it includes (`Proposal.document_terms`):
the shown PDF's SHA-256 covers them, the consent names them, the welcome email attaches them. A version,
once shown, always points at the terms it included, whatever the dealer uploads later.
"""
from datetime import datetime, timedelta

from pydantic import Field

from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.files import FileType, UploadForm, check_upload
from chalicelib.domain.model import Command, Entity
from chalicelib.domain.quotes import KIND_LABELS, LineKind

# An upload form nobody used is forgotten after a day (its item's TTL).
UPLOAD_KEPT = timedelta(days=1)
# The welcome email carries the signed PDF (terms included) and the terms again, base64-encoded (+37 %):
# with at most 10 MB of terms in force it stays well under SES's 40 MB a message.
MAX_IN_FORCE_BYTES = 10 * 1024 * 1024


class TermsRef(Entity):
    """One version of the dealer's terms, as a proposal document includes it."""
    kind: LineKind
    version: int
    title: str
    s3_key: str
    sha256: str = Field(description="SHA-256 of the uploaded PDF")

    @property
    def label(self) -> str:
        """How the consent and the emails name it: « véhicule, v3 »."""
        return f"{KIND_LABELS[self.kind].lower()}, v{self.version}"

    @property
    def filename(self) -> str:
        return f"conditions-generales-{self.kind.value.replace('_', '-')}-v{self.version}.pdf"


class TermsVersion(Entity):
    """An uploaded version of a kind's terms. Never changed nor deleted: what was signed points at it."""
    kind: LineKind
    version: int = Field(ge=1)
    title: str
    filename: str = Field(description="the file name as uploaded (kept for the download)")
    size_bytes: int
    pages: int
    sha256: str
    s3_key: str
    uploaded_at: datetime
    uploaded_by: str = Field(description="user id")

    def ref(self) -> TermsRef:
        return TermsRef(kind=self.kind, version=self.version, title=self.title, s3_key=self.s3_key,
                        sha256=self.sha256)


class KindTerms(Entity):
    """A kind's terms: the version that applies now (none: never uploaded, or removed) and every version."""
    kind: LineKind
    label: str
    version: int = Field(default=0, description="versions uploaded so far (the next upload is version + 1)")
    current: TermsVersion | None = None
    versions: list[TermsVersion] = Field(default_factory=list, description="newest first")
    revision: int = Field(default=0, description="changes so far (uploads and removals): the stored condition")

    def next_version(self, upload: "TermsUpload", size: int, pages: int, sha256: str, at: datetime) -> TermsVersion:
        """The kind's next version from a checked upload."""
        return TermsVersion(kind=self.kind, version=self.version + 1, title=upload.title, filename=upload.filename,
                            size_bytes=size, pages=pages, sha256=sha256, s3_key=upload.s3_key, uploaded_at=at,
                            uploaded_by=upload.created_by)

    def replaced(self, new: TermsVersion) -> "KindTerms":
        """`new` applies from now on; the earlier versions stay, for what they were signed with."""
        return self.model_copy(update={"version": new.version, "current": new, "versions": [new, *self.versions],
                                       "revision": self.revision + 1})

    def removed(self) -> "KindTerms":
        """No terms for this kind in what is sent from now on (what was sent keeps its own)."""
        if self.current is None:
            raise NotFound(f"Aucune condition générale en vigueur pour : {self.label.lower()}.")
        return self.model_copy(update={"current": None, "revision": self.revision + 1})

    def version_of(self, number: int) -> TermsVersion:
        found = next((v for v in self.versions if v.version == number), None)
        if found is None:
            raise NotFound("Version des conditions générales introuvable.")
        return found


def kind_terms(kind: LineKind, version: int, current: TermsVersion | None, versions: list[TermsVersion],
               revision: int) -> KindTerms:
    return KindTerms(kind=kind, label=KIND_LABELS[kind], version=version, current=current,
                     versions=sorted(versions, key=lambda v: v.version, reverse=True), revision=revision)


class DealerTerms(Entity):
    """Every kind, in the order of KIND_LABELS, with or without terms."""
    kinds: list[KindTerms]

    def of(self, kind: LineKind) -> KindTerms:
        return next(k for k in self.kinds if k.kind == kind)

    def in_force(self) -> list[TermsRef]:
        """What a proposal made now takes: each kind's current version."""
        return [k.current.ref() for k in self.kinds if k.current is not None]

    def check_room_for(self, new: TermsVersion) -> None:
        """`new` in force with the other kinds' terms stays under MAX_IN_FORCE_BYTES (the welcome email's size)."""
        others = sum(k.current.size_bytes for k in self.kinds if k.current is not None and k.kind != new.kind)
        if others + new.size_bytes > MAX_IN_FORCE_BYTES:
            raise InvalidInput("Les conditions générales en vigueur dépasseraient 10 Mo au total : l'e-mail de "
                               "bienvenue ne pourrait plus partir. Allégez ce PDF ou ceux des autres produits.",
                               {"file": "terms in force over 10 MB in total"})


def kind_of(value: str) -> LineKind:
    """A product kind named in a path (another name: not found)."""
    try:
        return LineKind(value)
    except ValueError:
        raise NotFound("Type de produit inconnu.") from None


def terms_for(terms: list[TermsRef], kinds: set[LineKind]) -> list[TermsRef]:
    """The terms of these product kinds, in the order of KIND_LABELS (the document's and the consent's)."""
    order = list(KIND_LABELS)
    return sorted((t for t in terms if t.kind in kinds), key=lambda t: order.index(t.kind))


def consent_words(terms: list[TermsRef]) -> str:
    """What the consent says of the terms: « les conditions générales de vente annexées (véhicule, v3) »."""
    return f"les conditions générales de vente annexées ({' ; '.join(t.label for t in terms)})"


def terms_text(terms: list[TermsRef]) -> str:
    """The welcome email's list of the attached terms, one a line (empty: none)."""
    return "\n".join(f"{KIND_LABELS[t.kind]} : {t.title} (version {t.version})" for t in terms)


def terms_evidence(terms: list[TermsRef]) -> str:
    """What the evidence keeps of the terms a document included: kind, version and SHA-256 of each."""
    return "; ".join(f"{t.kind.value} v{t.version} sha256:{t.sha256}" for t in terms)


# --- the upload ---------------------------------------------------------------------

class TermsUpload(Entity):
    """An upload form issued for a kind's next terms: kept until the file is confirmed (or a day)."""
    id: str
    kind: LineKind
    title: str
    filename: str
    s3_key: str
    created_at: datetime
    created_by: str


class NewTerms(Command):
    kind: LineKind
    title: str = Field(min_length=1, max_length=120, description="e.g. « Conditions générales de vente VO »")
    filename: str = Field(min_length=1, max_length=180)
    content_type: FileType = Field(description="application/pdf only; the bytes are checked at confirmation")


class TermsUploadForm(UploadForm):
    document: TermsUpload


class TermsBeingReplaced(Conflict):
    code = "terms_changed"

    def __init__(self) -> None:
        super().__init__("Ces conditions générales viennent d'être changées par quelqu'un d'autre : "
                         "rechargez la page, puis réessayez.")


_NOT_A_PDF = "Les conditions générales doivent être un fichier PDF."


def check_declared_pdf(declared: FileType) -> None:
    if declared != FileType.PDF:
        raise InvalidInput(_NOT_A_PDF, {"content_type": "application/pdf only"})


def check_terms_file(sniffed: FileType | None, size: int, pages: int | None) -> None:
    """A PDF by its bytes, at most 10 MB, that we can read and append to a proposal (not encrypted, at least
    one page: `pages` None when it cannot be read)."""
    if sniffed != FileType.PDF:
        raise InvalidInput(_NOT_A_PDF, {"file": "not a PDF"})
    check_upload(sniffed, size)
    if not pages:
        raise InvalidInput("Ce PDF est protégé ou illisible : il ne peut pas être joint aux propositions.",
                           {"file": "unreadable or encrypted PDF"})
