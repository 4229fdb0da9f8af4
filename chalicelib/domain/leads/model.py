"""Leads ("opportunités", seed 004): the lead aggregate, its parts and the rules of every change.

A lead is one aggregate: the lead itself (status, contacts, owner, branch, current
deadline, counters) and its parts (trade-ins, offers, test drives, remarks, documents,
emails, tasks, deadlines) with a timeline event for every action. Statuses change only
through the transition tables below (one per status-bearing entity); a refused move raises.
"""
import unicodedata
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import EmailStr, Field

from chalicelib.domain.dealers import Branch, PhoneE164, User
from chalicelib.domain.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from chalicelib.domain.files import TitledDocument
from chalicelib.domain.model import Command, Entity
# A lead's task is the one task model (domain/tasks.py); these names stay importable from here.
from chalicelib.domain.tasks import PersonRef, Task, check_future, require_active
from chalicelib.domain.leads.activity import LinkedOrder, LinkedProposal, LossPrompt

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


def _not_pending() -> InvalidTransition:
    return InvalidTransition("Cette échéance n'est plus en cours.", {"deadline_id": "not pending"})

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


# Where a lead may go from each status: won or lost is reopened, or corrected to the other outcome.
LEAD_TRANSITIONS: dict[LeadStatus, frozenset[LeadStatus]] = {
    LeadStatus.OPEN: frozenset({LeadStatus.WON, LeadStatus.LOST}),
    LeadStatus.WON: frozenset({LeadStatus.OPEN, LeadStatus.LOST}),
    LeadStatus.LOST: frozenset({LeadStatus.OPEN, LeadStatus.WON}),
}


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


class LeadContact(Entity):
    """A person of the lead. Self-contained: the customer-accounts module may replace it later."""
    id: str
    name: str
    email: EmailStr | None = None
    mobile: PhoneE164 | None = None
    address: ContactAddress | None = None

    @classmethod
    def from_details(cls, contact_id: str, details: Command) -> "LeadContact":
        """A contact from what the seller typed (commands.ContactDetails)."""
        return cls.model_validate({"id": contact_id, **details.model_dump()})


# --- the lead ----------------------------------------------------------------------

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
    loss_prompt: LossPrompt | None = Field(default=None, description="a proposal declined or expired: lost or not?")
    version: int = 1

    def moved_to(self, status: LeadStatus, at: datetime, **changes: Any) -> "Lead":
        """The lead in `status`, if LEAD_TRANSITIONS allows the move from its own."""
        if status not in LEAD_TRANSITIONS[self.status]:
            raise InvalidTransition(f"Le lead est déjà « {status.label} ».", {"status": "unchanged"})
        return self._changed(at, status=status, **changes)

    def require_open(self, action: str) -> None:
        if self.status != LeadStatus.OPEN:
            raise LeadClosed(f"Ce lead est « {self.status.label} » : rouvrez-le avant de {action}.")

    def offer(self, quote_id: str, label: str, at: datetime, by: str) -> "Offer":
        """A quote recorded as an offer of the lead (from the lead page, or a quote made from the lead)."""
        self.require_open("enregistrer une offre")
        return Offer(id=quote_id, quote_id=quote_id, label=label, created_at=at, created_by=by)

    def contact(self, contact_id: str) -> LeadContact:
        for contact in self.contacts:
            if contact.id == contact_id:
                return contact
        raise NotFound("Contact introuvable sur ce lead.", {"contact_id": "unknown contact"})

    def recipient(self, contact_id: str | None) -> LeadContact:
        """Who an email goes to: the contact chosen (the first one by default), if they have an address."""
        chosen: LeadContact | None = self.contacts[0]
        if contact_id is not None:
            chosen = next((c for c in self.contacts if c.id == contact_id), None)
        if chosen is None:
            raise InvalidInput("Ce contact n'est pas lié au lead.", {"contact_id": "unknown contact"})
        contact = chosen
        if contact.email is None:
            raise InvalidInput("Ce contact n'a pas d'adresse e-mail.", {"contact_id": "no email address"})
        return contact

    def search_text(self) -> str:
        """What the list's text filter matches: contact names and the code, case and accents folded."""
        return fold(" ".join([*(c.name for c in self.contacts), self.code]))

    def is_overdue(self, now: datetime) -> bool:
        return self.status == LeadStatus.OPEN and self.deadline is not None and self.deadline.due_at < now

    def _changed(self, at: datetime, **changes: Any) -> "Lead":
        return self.model_copy(update={**changes, "last_activity_at": at, "version": self.version + 1})

    def assigned(self, owner: User | None, branch: Branch | None, at: datetime) -> "Lead":
        self.require_open("l'assigner")
        changes: dict[str, Any] = {}
        if owner is not None:
            changes["owner"] = PersonRef.of(require_active(owner, "owner_id"))
        if branch is not None:
            changes["branch"] = BranchRef.of(branch)
        return self._changed(at, **changes)

    def with_status(self, status: LeadStatus, reason: str | None, at: datetime,
                    reopened_deadline: "Deadline | None") -> "Lead":
        """Won or lost closes the pending deadline; reopening waits on a fresh contact deadline."""
        if status == LeadStatus.LOST and not reason and status != self.status:
            raise InvalidInput("Indiquez pourquoi le lead est perdu.", {"reason": "required when lost"})
        if status == LeadStatus.OPEN and reopened_deadline is not None:
            pending = PendingDeadline(id=reopened_deadline.id, due_at=reopened_deadline.due_at)
            return self.moved_to(status, at, lost_reason=None, deadline=pending, loss_prompt=None)
        return self.moved_to(status, at, lost_reason=reason if status == LeadStatus.LOST else None, deadline=None,
                             loss_prompt=None)

    def kept_open(self, at: datetime) -> "Lead":
        """The seller answers « Garder ouvert » to the question a declined or expired proposal asked."""
        if self.loss_prompt is None or self.status != LeadStatus.OPEN:
            raise InvalidTransition("Aucune question en attente sur ce lead.", {"loss_prompt": "none"})
        return self._changed(at, loss_prompt=None)

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


class LeadDocument(TitledDocument):
    """Its declared type is checked against its name (commands.check_document): a lead also keeps DOCX and TXT."""
    part: ClassVar[str] = "document"


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


LeadTask = Task


class DeadlineStatus(StrEnum):
    PENDING = "pending"
    MET = "met"
    CANCELLED = "cancelled"


# A deadline is met (contact made) or cancelled (the lead closed) while pending, and then stays so.
DEADLINE_TRANSITIONS: dict[DeadlineStatus, frozenset[DeadlineStatus]] = {
    DeadlineStatus.PENDING: frozenset({DeadlineStatus.MET, DeadlineStatus.CANCELLED}),
    DeadlineStatus.MET: frozenset(),
    DeadlineStatus.CANCELLED: frozenset(),
}


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

    def moved_to(self, status: DeadlineStatus, **changes: Any) -> "Deadline":
        if status not in DEADLINE_TRANSITIONS[self.status]:
            raise _not_pending()
        return self.model_copy(update={"status": status, **changes})

    def moved(self, due_at: datetime) -> "Deadline":
        self._require_pending()
        return self.model_copy(update={"due_at": due_at})

    def contact_recorded(self, made: bool, note: str | None, at: datetime) -> "Deadline":
        if made:
            return self.moved_to(DeadlineStatus.MET, met_at=at, note=note or self.note)
        self._require_pending()
        return self.model_copy(update={"contact_attempts": self.contact_attempts + 1, "last_attempt_at": at,
                                       "note": note or self.note})

    def cancelled(self) -> "Deadline":
        return self.moved_to(DeadlineStatus.CANCELLED)

    def _require_pending(self) -> None:
        if self.status != DeadlineStatus.PENDING:
            raise _not_pending()


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
    KEPT_OPEN = "kept_open"  # the seller keeps the lead open after a proposal was declined or expired


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
    EventKind.KEPT_OPEN: "Lead gardé ouvert après la proposition {reference} {outcome}",
}


def event(event_id: str, kind: EventKind, at: datetime, by: str, item: LinkedItem | None = None,
          when: datetime | None = None, **details: Any) -> LeadEvent:
    """A timeline entry, its French summary written from the action's details."""
    return LeadEvent(id=event_id, at=at, by=by, kind=kind, summary=EVENT_TEXT[kind].format(**details), when=when,
                     item=item)


def offer_linked(event_id: str, offer: "Offer") -> LeadEvent:
    """The timeline entry of an offer, wherever it was recorded from."""
    return event(event_id, EventKind.OFFER_LINKED, offer.created_at, offer.created_by,
                 LinkedItem(kind=offer.part, id=offer.id), label=offer.label)


LeadPart = (TradeIn | Offer | TestDrive | Remark | LeadDocument | Communication | LeadTask | Deadline | LeadEvent
            | LinkedProposal | LinkedOrder)


# --- what the API shows ---------------------------------------------------------------


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
    proposals: list[LinkedProposal] = []
    orders: list[LinkedOrder] = []

    def document_at(self, s3_key: str) -> LeadDocument | None:
        return next((d for d in self.documents if d.s3_key == s3_key), None)
