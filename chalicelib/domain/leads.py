"""Leads ("opportunités", seed 004): the lead, its parts, its page and the rules of every action.

A lead is one aggregate: the lead itself (status, contacts, owner, branch, current
deadline, counters) and its parts (trade-ins, offers, test drives, remarks, documents,
emails, tasks, deadlines) with a timeline event for every action.
"""
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, AwareDatetime, EmailStr, Field, model_validator

from chalicelib.domain.dealers import Branch, PhoneE164, User
from chalicelib.domain.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from chalicelib.domain.model import Command, Entity

Ulid = Annotated[str, Field(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$", description="ULID")]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Label = Annotated[str, Field(min_length=1, max_length=120)]
# A time the user gives with its offset, stored in UTC like every other time.
UtcTime = Annotated[AwareDatetime, AfterValidator(lambda moment: moment.astimezone(timezone.utc))]

MAX_CONTACTS = 10
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# Declared content type → the file extensions that may carry it.
DOCUMENT_TYPES = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "text/plain": (".txt",),
}


class LeadNotFound(NotFound):
    def __init__(self, message: str = "Lead introuvable."):
        super().__init__(message)


class LeadClosed(Conflict):
    code = "lead_closed"


# --- status ----------------------------------------------------------------------

class LeadStatus(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"

    @property
    def label(self) -> str:
        return {"open": "En traitement", "won": "Gagnée", "lost": "Perdue"}[self.value]

    @property
    def colour(self) -> str:
        """The colour of the status button and of the header box on the lead page."""
        return {"open": "#1E88E5", "won": "#2E7D32", "lost": "#C62828"}[self.value]


class LeadType(StrEnum):
    NEW_VEHICLE_SALE = "new_vehicle_sale"
    USED_VEHICLE_SALE = "used_vehicle_sale"
    PURCHASE = "purchase"
    SERVICE = "service"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "new_vehicle_sale": "Vente VN", "used_vehicle_sale": "Vente VO", "purchase": "Achat",
            "service": "Atelier", "other": "Autre",
        }[self.value]


# --- contacts --------------------------------------------------------------------

class ContactAddress(Entity):
    street: str = Field(min_length=1, max_length=200)
    postal_code: str = Field(min_length=1, max_length=12)
    city: str = Field(min_length=1, max_length=100)
    country: str = Field(default="FR", pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")


class AddressInput(ContactAddress, Command):
    """An address as the seller types it: the same fields, unknown ones and wrong types refused."""


class ContactDetails(Command):
    """A contact as the seller types it: a name and at least one way to reach them."""
    name: str = Field(min_length=1, max_length=120)
    email: EmailStr | None = None
    mobile: PhoneE164 | None = None
    address: AddressInput | None = None

    @model_validator(mode="after")
    def _reachable(self):
        if self.email is None and self.mobile is None:
            raise ValueError("give an email or a mobile number")
        return self


class LeadContact(Entity):
    """A person of the lead. Self-contained: the customer-accounts module may replace it later."""
    id: str
    name: str
    email: EmailStr | None = None
    mobile: PhoneE164 | None = None
    address: ContactAddress | None = None

    @classmethod
    def from_details(cls, contact_id: str, details: ContactDetails) -> "LeadContact":
        return cls.model_validate({"id": contact_id, **details.model_dump()})


# --- the lead ----------------------------------------------------------------------

class PersonRef(Entity):
    """A user as the lead page shows them; kept on the lead so the page is one read."""
    id: str
    name: str

    @classmethod
    def of(cls, user: User) -> "PersonRef":
        return cls(id=user.id, name=user.name)


class BranchRef(Entity):
    id: str
    name: str

    @classmethod
    def of(cls, branch: Branch) -> "BranchRef":
        return cls(id=branch.id, name=branch.name)


class PendingDeadline(Entity):
    """The deadline the lead waits on (the due-work index and the overdue list follow it)."""
    id: str
    due_at: datetime


class Lead(Entity):
    id: str
    dealer_id: str
    code: str
    status: LeadStatus = LeadStatus.OPEN
    lost_reason: str | None = None
    contacts: list[LeadContact] = Field(min_length=1)
    owner: PersonRef
    branch: BranchRef | None = None
    type: LeadType
    source: str
    deadline: PendingDeadline | None = None
    created_at: datetime
    created_by: str
    last_activity_at: datetime
    # Only ever changed by atomic ADDs, so concurrent actions never lose a count.
    trade_in_count: int = 0
    test_drive_count: int = 0
    offer_count: int = 0
    version: int = 1

    def require_open(self, action: str) -> None:
        if self.status != LeadStatus.OPEN:
            raise LeadClosed(f"Ce lead est « {self.status.label} » : rouvrez-le avant de {action}.")

    def contact(self, contact_id: str) -> LeadContact:
        for contact in self.contacts:
            if contact.id == contact_id:
                return contact
        raise NotFound("Contact introuvable sur ce lead.", {"contact_id": "unknown contact"})

    def recipient(self, contact_id: str | None) -> LeadContact:
        """Who an email goes to: the contact chosen (the first one by default), if they have an address."""
        contact = self.contacts[0]
        if contact_id is not None:
            contact = next((c for c in self.contacts if c.id == contact_id), None)
            if contact is None:
                raise InvalidInput("Ce contact n'est pas lié au lead.", {"contact_id": "unknown contact"})
        if contact.email is None:
            raise InvalidInput("Ce contact n'a pas d'adresse e-mail.", {"contact_id": "no email address"})
        return contact

    def search_text(self) -> str:
        """What the list's text filter matches: contact names and the code, case and accents folded."""
        return fold(" ".join([*(c.name for c in self.contacts), self.code]))

    def is_overdue(self, now: datetime) -> bool:
        return self.status == LeadStatus.OPEN and self.deadline is not None and self.deadline.due_at < now

    def _changed(self, at: datetime, **changes) -> "Lead":
        return self.model_copy(update={**changes, "last_activity_at": at, "version": self.version + 1})

    def assigned(self, owner: User | None, branch: Branch | None, at: datetime) -> "Lead":
        self.require_open("l'assigner")
        changes: dict = {}
        if owner is not None:
            changes["owner"] = PersonRef.of(require_active(owner, "owner_id"))
        if branch is not None:
            changes["branch"] = BranchRef.of(branch)
        return self._changed(at, **changes)

    def with_status(self, status: LeadStatus, reason: str | None, at: datetime,
                    reopened_deadline: "Deadline | None") -> "Lead":
        """Won or lost closes the pending deadline; reopening waits on a fresh contact deadline."""
        if status == self.status:
            raise InvalidTransition(f"Le lead est déjà « {status.label} ».", {"status": "unchanged"})
        if status == LeadStatus.LOST and not reason:
            raise InvalidInput("Indiquez pourquoi le lead est perdu.", {"reason": "required when lost"})
        if status == LeadStatus.OPEN:
            pending = PendingDeadline(id=reopened_deadline.id, due_at=reopened_deadline.due_at)
            return self._changed(at, status=status, lost_reason=None, deadline=pending)
        return self._changed(at, status=status, lost_reason=reason if status == LeadStatus.LOST else None,
                             deadline=None)

    def with_deadline_moved(self, deadline_id: str, due_at: datetime, now: datetime) -> "Lead":
        self.require_open("modifier son échéance")
        self._require_pending(deadline_id)
        check_future(due_at, now, "due_at")
        return self._changed(now, deadline=PendingDeadline(id=deadline_id, due_at=due_at))

    def with_contact_recorded(self, deadline_id: str, made: bool, at: datetime) -> "Lead":
        """Contact made meets the deadline; a failed attempt leaves it running."""
        self.require_open("enregistrer un contact")
        self._require_pending(deadline_id)
        return self._changed(at, deadline=None if made else self.deadline)

    def _require_pending(self, deadline_id: str) -> None:
        if self.deadline is None or self.deadline.id != deadline_id:
            raise Conflict("Cette échéance n'est plus en cours.", {"deadline_id": "not pending"})

    def with_contact_added(self, contact: LeadContact, at: datetime) -> "Lead":
        if len(self.contacts) >= MAX_CONTACTS:
            raise InvalidInput(f"Un lead a au plus {MAX_CONTACTS} contacts.", {"contacts": "too many"})
        return self._changed(at, contacts=[*self.contacts, contact])

    def with_contact_changed(self, contact: LeadContact, at: datetime) -> "Lead":
        self.contact(contact.id)
        return self._changed(at, contacts=[contact if c.id == contact.id else c for c in self.contacts])

    def header(self, now: datetime) -> "LeadHeader":
        deadline_at = self.deadline.due_at if self.deadline else None
        return LeadHeader(
            id=self.id, code=self.code, status=self.status, status_label=self.status.label,
            status_colour=self.status.colour, lost_reason=self.lost_reason, contact=self.contacts[0],
            owner=self.owner, branch=self.branch, type=self.type, type_label=self.type.label, source=self.source,
            deadline_at=deadline_at,
            time_left_seconds=int((deadline_at - now).total_seconds()) if deadline_at else None,
            overdue=self.is_overdue(now),
            trade_ins=self.trade_in_count, test_drives=self.test_drive_count, offers=self.offer_count,
            created_at=self.created_at, last_activity_at=self.last_activity_at,
            elapsed_seconds=int((now - self.created_at).total_seconds()),
        )


def require_active(user: User, field: str) -> User:
    if not user.active:
        raise InvalidInput("Cet utilisateur est désactivé.", {field: "inactive user"})
    return user


def lead_code(year: int, number: int) -> str:
    return f"L-{year}-{number:06d}"


def fold(text: str) -> str:
    """Lower case without accents, so « Hélène » is found by « helene »."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def contact_deadline(deadline_id: str, at: datetime, delay_hours: int, by: str) -> "Deadline":
    """The deadline to contact the customer, from the dealer's "Achat – délais d'opportunité"."""
    return Deadline(id=deadline_id, due_at=at + timedelta(hours=delay_hours), created_at=at, created_by=by)


# --- parts of a lead ----------------------------------------------------------------

class TradeIn(Entity):
    part: ClassVar[str] = "trade_in"
    id: str
    vehicle: str
    registration: str
    mileage_km: int
    estimated_value_cents: int
    created_at: datetime
    created_by: str


class Offer(Entity):
    """A quote recorded as an offer of the lead; the quote itself lives with the quotes."""
    part: ClassVar[str] = "offer"
    id: str
    quote_id: str
    label: str
    created_at: datetime
    created_by: str


class TestDrive(Entity):
    part: ClassVar[str] = "test_drive"
    id: str
    vehicle: str
    starts_at: datetime
    licence_checked: bool
    licence_number: str
    created_at: datetime
    created_by: str


class Remark(Entity):
    part: ClassVar[str] = "remark"
    id: str
    text: str
    created_at: datetime
    created_by: str


class LeadDocument(Entity):
    part: ClassVar[str] = "document"
    id: str
    title: str
    filename: str
    content_type: str
    size_bytes: int
    s3_key: str
    created_at: datetime
    created_by: str

    def renamed(self, title: str) -> "LeadDocument":
        return self.model_copy(update={"title": title})


class Communication(Entity):
    """An email sent to a contact of the lead; the message itself waits in the outbox."""
    part: ClassVar[str] = "communication"
    id: str
    contact_id: str
    to: str
    subject: str
    text: str
    attachment_filename: str | None = None
    outbox_id: str
    created_at: datetime
    created_by: str


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class LeadTask(Entity):
    part: ClassVar[str] = "task"
    id: str
    title: str
    due_at: datetime
    assignee: PersonRef
    status: TaskStatus = TaskStatus.OPEN
    completed_at: datetime | None = None
    completed_by: str | None = None
    created_at: datetime
    created_by: str

    def completed(self, at: datetime, by: str) -> "LeadTask":
        if self.status == TaskStatus.DONE:
            raise InvalidTransition("Cette tâche est déjà terminée.", {"task_id": "already done"})
        return self.model_copy(update={"status": TaskStatus.DONE, "completed_at": at, "completed_by": by})


class DeadlineStatus(StrEnum):
    PENDING = "pending"
    MET = "met"
    CANCELLED = "cancelled"


class Deadline(Entity):
    """A target time to contact the customer ("échéance"): not a task, it has no duration."""
    part: ClassVar[str] = "deadline"
    id: str
    due_at: datetime
    status: DeadlineStatus = DeadlineStatus.PENDING
    contact_attempts: int = 0
    last_attempt_at: datetime | None = None
    met_at: datetime | None = None
    note: str | None = None
    created_at: datetime
    created_by: str

    def moved(self, due_at: datetime) -> "Deadline":
        return self.model_copy(update={"due_at": due_at})

    def contact_recorded(self, made: bool, note: str | None, at: datetime) -> "Deadline":
        if made:
            return self.model_copy(update={"status": DeadlineStatus.MET, "met_at": at, "note": note or self.note})
        return self.model_copy(update={"contact_attempts": self.contact_attempts + 1, "last_attempt_at": at,
                                       "note": note or self.note})

    def cancelled(self) -> "Deadline":
        return self.model_copy(update={"status": DeadlineStatus.CANCELLED})


class EventKind(StrEnum):
    CREATED = "created"
    TRADE_IN_ADDED = "trade_in_added"
    OFFER_LINKED = "offer_linked"
    TEST_DRIVE_ADDED = "test_drive_added"
    REMARK_ADDED = "remark_added"
    DOCUMENT_ADDED = "document_added"
    DOCUMENT_RENAMED = "document_renamed"
    DOCUMENT_DELETED = "document_deleted"
    EMAIL_SENT = "email_sent"
    TASK_CREATED = "task_created"
    TASK_COMPLETED = "task_completed"
    ASSIGNED = "assigned"
    STATUS_CHANGED = "status_changed"
    DEADLINE_MOVED = "deadline_moved"
    CONTACT_MADE = "contact_made"
    CONTACT_ATTEMPTED = "contact_attempted"
    CONTACT_ADDED = "contact_added"
    CONTACT_CHANGED = "contact_changed"
    DEADLINE_ALERTED = "deadline_alerted"  # the deadline passed: the alert schedule told the owner


class LinkedItem(Entity):
    """The part an event is about, so the timeline can open it."""
    kind: str
    id: str


class LeadEvent(Entity):
    part: ClassVar[str] = "event"
    id: str
    at: datetime
    by: str = Field(description="user id; the front shows names from /users")
    kind: EventKind
    summary: str
    when: datetime | None = Field(default=None, description="the time the event is about (a new deadline, "
                                                            "a test drive, a task's due date), for the front "
                                                            "to show in the dealer's time zone")
    item: LinkedItem | None = None


EVENT_TEXT = {
    EventKind.CREATED: "Lead créé (source : {source}), échéance de contact fixée",
    EventKind.TRADE_IN_ADDED: "Reprise ajoutée : {vehicle} ({registration})",
    EventKind.OFFER_LINKED: "Offre enregistrée : {label}",
    EventKind.TEST_DRIVE_ADDED: "Essai routier : {vehicle}",
    EventKind.REMARK_ADDED: "Remarque ajoutée",
    EventKind.DOCUMENT_ADDED: "Document ajouté : {title}",
    EventKind.DOCUMENT_RENAMED: "Document renommé : {old} → {title}",
    EventKind.DOCUMENT_DELETED: "Document supprimé : {title}",
    EventKind.EMAIL_SENT: "E-mail envoyé : {subject}",
    EventKind.TASK_CREATED: "Tâche créée : {title}",
    EventKind.TASK_COMPLETED: "Tâche terminée : {title}",
    EventKind.ASSIGNED: "Assigné à {owner}{branch}",
    EventKind.STATUS_CHANGED: "Statut : {label}{reason}",
    EventKind.DEADLINE_MOVED: "Échéance déplacée",
    EventKind.CONTACT_MADE: "Contact pris avec le client",
    EventKind.CONTACT_ATTEMPTED: "Tentative de contact sans succès",
    EventKind.CONTACT_ADDED: "Contact ajouté : {name}",
    EventKind.CONTACT_CHANGED: "Contact modifié : {name}",
    EventKind.DEADLINE_ALERTED: "Échéance dépassée : {told}",
}


def event(event_id: str, kind: EventKind, at: datetime, by: str, item: LinkedItem | None = None,
          when: datetime | None = None, **details) -> LeadEvent:
    """A timeline entry, its French summary written from the action's details."""
    return LeadEvent(id=event_id, at=at, by=by, kind=kind, summary=EVENT_TEXT[kind].format(**details), when=when,
                     item=item)


LeadPart = TradeIn | Offer | TestDrive | Remark | LeadDocument | Communication | LeadTask | Deadline | LeadEvent


# --- what the API shows ---------------------------------------------------------------

class LeadHeader(Entity):
    """The coloured box at the top of the lead page, and one row of the lead list."""
    id: str
    code: str
    status: LeadStatus
    status_label: str
    status_colour: str = Field(description="hex colour of the status")
    lost_reason: str | None
    contact: LeadContact
    owner: PersonRef
    branch: BranchRef | None
    type: LeadType
    type_label: str
    source: str
    deadline_at: datetime | None
    time_left_seconds: int | None = Field(description="until the deadline; negative once overdue")
    overdue: bool
    trade_ins: int
    test_drives: int
    offers: int
    created_at: datetime
    last_activity_at: datetime
    elapsed_seconds: int = Field(description="since the lead was created")


class LeadDetails(Entity):
    """The « Détails » tab: comments, current deadline, timeline and linked items."""
    comments: list[Remark]
    deadline: Deadline | None
    timeline: list[LeadEvent] = Field(description="newest first")
    trade_ins: list[TradeIn]
    offers: list[Offer]
    test_drives: list[TestDrive]
    documents: list[LeadDocument]
    communications: list[Communication]
    tasks: list[LeadTask]


class FollowUp(Entity):
    """The « Suivi » tab: every deadline of the lead, pending first."""
    deadlines: list[Deadline]


class LeadPage(Entity):
    header: LeadHeader
    details: LeadDetails
    follow_up: FollowUp
    contacts: list[LeadContact]


class LeadAggregate(Entity):
    """A lead and all its parts, as one Query reads them."""
    lead: Lead
    trade_ins: list[TradeIn] = []
    offers: list[Offer] = []
    test_drives: list[TestDrive] = []
    remarks: list[Remark] = []
    documents: list[LeadDocument] = []
    communications: list[Communication] = []
    tasks: list[LeadTask] = []
    deadlines: list[Deadline] = []
    events: list[LeadEvent] = []

    def document_at(self, s3_key: str) -> LeadDocument | None:
        return next((d for d in self.documents if d.s3_key == s3_key), None)

    def page(self, now: datetime) -> LeadPage:
        current = next((d for d in self.deadlines if self.lead.deadline and d.id == self.lead.deadline.id), None)
        pending_first = sorted(self.deadlines, key=lambda d: (d.status != DeadlineStatus.PENDING, d.due_at))
        return LeadPage(
            header=self.lead.header(now),
            details=LeadDetails(
                comments=sorted(self.remarks, key=lambda r: (r.created_at, r.id), reverse=True),
                deadline=current,
                timeline=sorted(self.events, key=lambda e: (e.at, e.id), reverse=True),
                trade_ins=self.trade_ins, offers=self.offers, test_drives=self.test_drives,
                documents=self.documents, communications=self.communications,
                tasks=sorted(self.tasks, key=lambda t: (t.status != TaskStatus.OPEN, t.due_at)),
            ),
            follow_up=FollowUp(deadlines=pending_first),
            contacts=self.lead.contacts,
        )


class LeadList(Entity):
    items: list[LeadHeader]
    next_cursor: str | None = Field(description="pass it back as `cursor` for the next page; null at the end")


class DocumentUpload(Entity):
    """Where the browser sends the file: a PUT with exactly these headers, before expires_at."""
    document: LeadDocument
    method: Literal["PUT"] = "PUT"
    url: str
    headers: dict[str, str]
    expires_at: datetime


class DocumentDownload(Entity):
    url: str
    expires_at: datetime


# --- commands ---------------------------------------------------------------------

class NewLead(Command):
    contacts: list[ContactDetails] = Field(min_length=1, max_length=MAX_CONTACTS)
    type: LeadType
    source: str = Field(min_length=1, max_length=60, description="where the lead came from, e.g. site web")
    owner_id: str | None = Field(default=None, description="defaults to the caller")
    branch_id: str | None = Field(default=None, description="defaults to the owner's branch")


class LeadQuery(Command):
    """Filters and page of the lead list (query string)."""
    status: LeadStatus | None = None
    owner_id: str | None = Field(default=None, max_length=64)
    branch_id: str | None = Field(default=None, max_length=64)
    overdue: bool | None = None
    q: str | None = Field(default=None, min_length=1, max_length=80, description="text in a contact name")
    overdue_first: bool = False
    limit: int = Field(default=25, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=400)


# French plates (AA-123-AA, and the older 1234 AB 56 form) and foreign ones: letters, digits, dashes.
Registration = Annotated[
    str, Field(min_length=2, max_length=15, pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]*[A-Za-z0-9]$"),
    AfterValidator(str.upper),
]


class NewTradeIn(Command):
    vehicle: Label
    registration: Registration
    mileage_km: int = Field(ge=0, le=2_000_000)
    estimated_value_cents: int = Field(ge=0, le=100_000_000)


class LinkOffer(Command):
    quote_id: Ulid
    label: Label


class NewTestDrive(Command):
    vehicle: Label
    starts_at: UtcTime
    licence_checked: Literal[True] = Field(description="the seller checked the driving licence")
    licence_number: str = Field(min_length=4, max_length=20, pattern=r"^[A-Za-z0-9]+$")


class NewRemark(Command):
    text: Text


class NewDocument(Command):
    title: Label
    filename: str = Field(min_length=1, max_length=180)
    content_type: str = Field(min_length=1, max_length=120)
    size_bytes: int = Field(ge=1)


class RenameDocument(Command):
    title: Label


class NewCommunication(Command):
    contact_id: str | None = Field(default=None, description="defaults to the lead's first contact")
    subject: str = Field(min_length=1, max_length=200)
    text: Text
    attachment_s3_key: str | None = Field(default=None, max_length=400)
    attachment_filename: str | None = Field(default=None, max_length=180)

    @model_validator(mode="after")
    def _attachment_has_a_name(self):
        if (self.attachment_s3_key is None) != (self.attachment_filename is None):
            raise ValueError("give attachment_s3_key and attachment_filename together")
        return self


class NewTask(Command):
    title: Label
    due_at: UtcTime
    assignee_id: str | None = Field(default=None, description="defaults to the lead's owner")


class Assign(Command):
    owner_id: str | None = None
    branch_id: str | None = None

    @model_validator(mode="after")
    def _someone_or_somewhere(self):
        if self.owner_id is None and self.branch_id is None:
            raise ValueError("give owner_id, branch_id or both")
        return self


class ChangeStatus(Command):
    status: LeadStatus
    reason: str | None = Field(default=None, min_length=1, max_length=500)


class MoveDeadline(Command):
    due_at: UtcTime


class RecordContact(Command):
    contact_made: bool
    note: str | None = Field(default=None, min_length=1, max_length=500)


# --- rules on input ---------------------------------------------------------------

def check_document(command: NewDocument) -> str:
    """The declared file is allowed (type, size, name); returns its extension."""
    extensions = DOCUMENT_TYPES.get(command.content_type)
    if extensions is None:
        raise InvalidInput("Type de fichier non accepté : PDF, JPEG, PNG, DOCX ou TXT.",
                           {"content_type": "not allowed"})
    if command.size_bytes > MAX_DOCUMENT_BYTES:
        raise InvalidInput("Le fichier dépasse 10 Mo.", {"size_bytes": f"over {MAX_DOCUMENT_BYTES} bytes"})
    check_filename(command.filename, "filename")
    extension = PurePosixPath(command.filename).suffix.lower()
    if extension not in extensions:
        raise InvalidInput("L'extension du fichier ne correspond pas à son type.",
                           {"filename": f"expected {' or '.join(extensions)}"})
    return extension


def check_filename(filename: str, field: str) -> None:
    """A plain file name: shown to the customer and sent in headers, so no paths or control characters."""
    if re.search(r"[/\\\x00-\x1f\x7f\"]", filename) or filename in (".", ".."):
        raise InvalidInput("Nom de fichier invalide.", {field: "plain file name expected"})


def check_future(moment: datetime, now: datetime, field: str) -> None:
    if moment <= now:
        raise InvalidInput("La date doit être dans le futur.", {field: "must be in the future"})
