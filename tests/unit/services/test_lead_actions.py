"""Every action of the lead page, on the in-memory table: what a seller can do with a lead, and what
is refused (the lead, its parts and its timeline then stay exactly as they were)."""

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.documents import storage
from chalicelib.domain.dealers import NewBranch
from chalicelib.domain.errors import AlreadyExists, Conflict, InvalidInput, InvalidTransition, NotFound
from chalicelib.domain.leads.commands import (
    Assign,
    ChangeStatus,
    ContactDetails,
    LinkOffer,
    MoveDeadline,
    NewCommunication,
    NewDocument,
    NewLead,
    NewRemark,
    NewTestDrive,
    NewTradeIn,
    RecordContact,
    RenameDocument,
)
from chalicelib.domain.leads.model import DeadlineStatus, EventKind, LeadClosed, LeadNotFound, LeadStatus
from chalicelib.domain.tasks import NewTask, TaskStatus
from chalicelib.services import dealers, leads
from chalicelib.store import keys
from tests import desk
from tests.desk import admin, colleague, command
from tests.support import Tenant, at, tenant


NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
LATER = NOW + timedelta(days=2)
HELENE = command(ContactDetails, name="Hélène Martin", email="helene@example.com", mobile="+33612345678")


@pytest.fixture
def garage(memory) -> Tenant:
    at(NOW)
    return tenant()


def new_lead(garage: Tenant, **changes) -> str:
    asked = command(NewLead, **{"contacts": [HELENE], "type": "used_vehicle_sale", "source": "site web"} | changes)
    return leads.create(garage.dealer.id, asked, by=garage.seller.id).id


def closed_lead(garage: Tenant) -> str:
    lead_id = new_lead(garage)
    leads.change_status(garage.dealer.id, lead_id, command(ChangeStatus, status=LeadStatus.WON), by=garage.seller.id)
    return lead_id


def lead_page(garage: Tenant, lead_id: str):
    return leads.get_page(garage.dealer.id, lead_id)


def minutes_later(minutes: int) -> datetime:
    """Moves the clock on: the timeline orders the events of one instant by id, not by action."""
    at(NOW + timedelta(minutes=minutes))
    return NOW + timedelta(minutes=minutes)


def timeline(garage: Tenant, lead_id: str) -> list[EventKind]:
    return [event.kind for event in reversed(lead_page(garage, lead_id).details.timeline)]


def everything(memory, garage: Tenant) -> dict:
    """The dealer's whole partition: what "nothing changed" is checked against."""
    partition = keys.dealer(garage.dealer.id)[keys.PK]
    return {key: dict(item) for key, item in memory.items.items() if item[keys.PK] == partition}


def unchanged(memory, garage: Tenant):
    """A refused action writes nothing: checks the partition before and after the block."""

    class Unchanged:
        def __enter__(self):
            self.before = everything(memory, garage)

        def __exit__(self, *_):
            assert everything(memory, garage) == self.before, "a refused action wrote something"

    return Unchanged()


# --- creating a lead --------------------------------------------------------------------


def test_a_new_lead_has_a_code_its_seller_as_owner_and_a_deadline_to_call_back(garage):
    lead_id = new_lead(garage)
    header = lead_page(garage, lead_id).header
    assert header.code == "L-2026-000001" and header.owner.id == garage.seller.id
    assert header.status == LeadStatus.OPEN and header.deadline_at == NOW + timedelta(hours=24)
    assert timeline(garage, lead_id) == [EventKind.CREATED]


def test_a_lead_cannot_be_given_to_someone_who_does_not_work_here(garage, memory):
    with unchanged(memory, garage), pytest.raises(InvalidInput) as refused:
        new_lead(garage, owner_id="01JNOBODY0000000000000000")
    assert refused.value.fields == {"owner_id": "unknown user"}


def test_a_lead_cannot_be_given_to_a_deactivated_seller(garage, memory):
    gone = colleague(garage)
    dealers.deactivate_user(garage.dealer.id, gone.id, by=admin(garage))
    with unchanged(memory, garage), pytest.raises(InvalidInput) as refused:
        new_lead(garage, owner_id=gone.id)
    assert refused.value.fields == {"owner_id": "inactive user"}


# --- parts that move the sale forward -----------------------------------------------------


def test_a_trade_in_is_counted_on_the_lead_and_told_in_its_timeline(garage):
    lead_id = new_lead(garage)
    minutes_later(1)
    leads.add_trade_in(
        garage.dealer.id,
        lead_id,
        command(
            NewTradeIn, vehicle="Clio IV", registration="ab-123-cd", mileage_km=82_000, estimated_value_cents=650_000
        ),
        by=garage.seller.id,
    )
    read = lead_page(garage, lead_id)
    assert read.header.trade_ins == 1 and read.details.trade_ins[0].registration == "AB-123-CD"
    assert timeline(garage, lead_id) == [EventKind.CREATED, EventKind.TRADE_IN_ADDED]


def test_no_trade_in_on_a_closed_lead(garage, memory):
    lead_id = closed_lead(garage)
    with unchanged(memory, garage), pytest.raises(LeadClosed):
        leads.add_trade_in(
            garage.dealer.id,
            lead_id,
            command(NewTradeIn, vehicle="Clio IV", registration="AB-123-CD", mileage_km=1, estimated_value_cents=1),
            by=garage.seller.id,
        )


def test_no_trade_in_on_a_lead_of_another_dealer(garage, memory):
    lead_id = new_lead(tenant("Autre Garage"))
    with unchanged(memory, garage), pytest.raises(LeadNotFound):
        leads.add_trade_in(
            garage.dealer.id,
            lead_id,
            command(NewTradeIn, vehicle="Clio IV", registration="AB-123-CD", mileage_km=1, estimated_value_cents=1),
            by=garage.seller.id,
        )


def test_a_quote_of_the_dealer_becomes_an_offer_of_the_lead(garage):
    lead_id = new_lead(garage)
    quote = desk.quote(garage)
    minutes_later(1)
    leads.link_offer(
        garage.dealer.id, lead_id, command(LinkOffer, quote_id=quote.id, label="3008 GT"), by=garage.seller.id
    )
    read = lead_page(garage, lead_id)
    assert read.header.offers == 1 and read.details.offers[0].quote_id == quote.id
    assert timeline(garage, lead_id)[-1] == EventKind.OFFER_LINKED


def test_a_quote_is_an_offer_of_a_lead_once(garage, memory):
    lead_id = new_lead(garage)
    quote = desk.quote(garage)
    leads.link_offer(
        garage.dealer.id, lead_id, command(LinkOffer, quote_id=quote.id, label="3008 GT"), by=garage.seller.id
    )
    with unchanged(memory, garage), pytest.raises(AlreadyExists):
        leads.link_offer(
            garage.dealer.id, lead_id, command(LinkOffer, quote_id=quote.id, label="bis"), by=garage.seller.id
        )


def test_an_offer_needs_a_quote_of_this_dealer_not_made_for_another_lead(garage, memory):
    lead_id = new_lead(garage)
    of_another_lead = desk.quote(garage, new_lead(garage))
    elsewhere = desk.quote(tenant("Autre Garage"))
    with unchanged(memory, garage):
        for quote_id, field in [(of_another_lead.id, "quote of another lead"), (elsewhere.id, "unknown quote")]:
            with pytest.raises(InvalidInput) as refused:
                leads.link_offer(
                    garage.dealer.id, lead_id, command(LinkOffer, quote_id=quote_id, label="x"), by=garage.seller.id
                )
            assert refused.value.fields == {"quote_id": field}


def test_no_offer_on_a_closed_lead(garage, memory):
    lead_id = closed_lead(garage)
    quote = desk.quote(garage)
    with unchanged(memory, garage), pytest.raises(LeadClosed):
        leads.link_offer(
            garage.dealer.id, lead_id, command(LinkOffer, quote_id=quote.id, label="x"), by=garage.seller.id
        )


def test_a_quote_made_from_the_lead_is_its_offer_at_once(garage):
    lead_id = new_lead(garage)
    quote = desk.quote(garage, lead_id)
    read = lead_page(garage, lead_id)
    assert read.header.offers == 1 and read.details.offers[0].label == f"Devis {quote.number}"


def test_no_quote_is_made_from_a_closed_lead(garage, memory):
    lead_id = closed_lead(garage)
    with pytest.raises(LeadClosed):
        desk.quote(garage, lead_id)
    assert not [i for i in memory.items.values() if i[keys.SK].startswith("QUOTE#")]


TEST_DRIVE = command(
    NewTestDrive, vehicle="Peugeot 3008", starts_at=LATER, licence_checked=True, licence_number="120375100123"
)


def test_a_test_drive_is_counted_and_dated_in_the_timeline(garage):
    lead_id = new_lead(garage)
    leads.add_test_drive(garage.dealer.id, lead_id, TEST_DRIVE, by=garage.seller.id)
    read = lead_page(garage, lead_id)
    assert read.header.test_drives == 1 and read.details.timeline[0].when == LATER


def test_no_test_drive_on_a_closed_lead(garage, memory):
    lead_id = closed_lead(garage)
    with unchanged(memory, garage), pytest.raises(LeadClosed):
        leads.add_test_drive(garage.dealer.id, lead_id, TEST_DRIVE, by=garage.seller.id)


# --- remarks and tasks --------------------------------------------------------------------


def test_a_remark_is_kept_even_on_a_closed_lead(garage):
    lead_id = closed_lead(garage)
    leads.add_remark(
        garage.dealer.id, lead_id, command(NewRemark, text="Rappeler après les vacances"), by=garage.seller.id
    )
    assert lead_page(garage, lead_id).details.comments[0].text == "Rappeler après les vacances"


def test_no_remark_on_a_missing_lead(garage, memory):
    with unchanged(memory, garage), pytest.raises(NotFound):
        leads.add_remark(
            garage.dealer.id, "01JNOLEAD0000000000000000", command(NewRemark, text="?"), by=garage.seller.id
        )


def test_a_task_goes_to_the_lead_owner_unless_given_to_a_colleague(garage):
    lead_id = new_lead(garage)
    nina = colleague(garage)
    own = leads.add_task(
        garage.dealer.id, lead_id, command(NewTask, title="Rappeler", due_at=LATER), by=garage.seller.id
    )
    given = leads.add_task(
        garage.dealer.id,
        lead_id,
        command(NewTask, title="Essai", due_at=LATER, assignee_id=nina.id),
        by=garage.seller.id,
    )
    assert (own.assignee.id, given.assignee.id) == (garage.seller.id, nina.id)
    assert [t.status for t in lead_page(garage, lead_id).details.tasks] == [TaskStatus.OPEN] * 2


def test_a_task_is_due_in_the_future_and_given_to_an_active_colleague(garage, memory):
    lead_id = new_lead(garage)
    gone = colleague(garage)
    dealers.deactivate_user(garage.dealer.id, gone.id, by=admin(garage))
    refusals = [
        (command(NewTask, title="Hier", due_at=NOW - timedelta(hours=1)), {"due_at": "must be in the future"}),
        (
            command(NewTask, title="Personne", due_at=LATER, assignee_id="01JNOBODY0000000000000000"),
            {"assignee_id": "unknown user"},
        ),
        (command(NewTask, title="Parti", due_at=LATER, assignee_id=gone.id), {"assignee_id": "inactive user"}),
    ]
    with unchanged(memory, garage):
        for asked, fields in refusals:
            with pytest.raises(InvalidInput) as refused:
                leads.add_task(garage.dealer.id, lead_id, asked, by=garage.seller.id)
            assert refused.value.fields == fields


def test_a_task_is_completed_once(garage, memory):
    lead_id = new_lead(garage)
    task = leads.add_task(
        garage.dealer.id, lead_id, command(NewTask, title="Rappeler", due_at=LATER), by=garage.seller.id
    )
    finished = minutes_later(30)
    done = leads.complete_task(garage.dealer.id, lead_id, task.id, by=garage.seller.id)
    assert (done.status, done.completed_at) == (TaskStatus.DONE, finished)
    assert timeline(garage, lead_id)[-1] == EventKind.TASK_COMPLETED
    with unchanged(memory, garage), pytest.raises(InvalidTransition):
        leads.complete_task(garage.dealer.id, lead_id, task.id, by=garage.seller.id)


def test_an_unknown_task_cannot_be_completed(garage, memory):
    lead_id = new_lead(garage)
    with unchanged(memory, garage), pytest.raises(NotFound):
        leads.complete_task(garage.dealer.id, lead_id, "01JNOTASK0000000000000000", by=garage.seller.id)


# --- documents ------------------------------------------------------------------------------

PAYSLIP = command(
    NewDocument, title="Fiche de paie", filename="paie.pdf", content_type="application/pdf", size_bytes=1200
)


def test_a_document_is_recorded_with_a_url_to_upload_exactly_that_file(garage):
    lead_id = new_lead(garage)
    upload = leads.add_document(garage.dealer.id, lead_id, PAYSLIP, by=garage.seller.id)
    assert upload.headers == {"Content-Type": "application/pdf"} and upload.expires_at == NOW + leads.URL_LIFETIME
    assert lead_page(garage, lead_id).details.documents == [upload.document]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"content_type": "application/zip", "filename": "a.zip"}, "content_type"),
        ({"size_bytes": 11 * 1024 * 1024}, "size_bytes"),
        ({"filename": "paie.png"}, "filename"),
        ({"filename": "../paie.pdf"}, "filename"),
    ],
)
def test_a_document_must_be_an_allowed_file(garage, memory, changes, field):
    lead_id = new_lead(garage)
    with unchanged(memory, garage), pytest.raises(InvalidInput) as refused:
        leads.add_document(garage.dealer.id, lead_id, PAYSLIP.model_copy(update=changes), by=garage.seller.id)
    assert field in refused.value.fields


def test_a_document_is_renamed_then_deleted_with_its_file(garage):
    lead_id = new_lead(garage)
    document = leads.add_document(garage.dealer.id, lead_id, PAYSLIP, by=garage.seller.id).document
    storage.put(document.s3_key, b"%PDF-1.7", "application/pdf")
    minutes_later(1)
    renamed = leads.rename_document(
        garage.dealer.id, lead_id, document.id, command(RenameDocument, title="Bulletin"), by=garage.seller.id
    )
    assert renamed.title == "Bulletin" and leads.download_document(garage.dealer.id, lead_id, document.id).url
    minutes_later(2)
    leads.delete_document(garage.dealer.id, lead_id, document.id, by=garage.seller.id)
    assert lead_page(garage, lead_id).details.documents == [] and storage.content_type_of(document.s3_key) is None
    assert timeline(garage, lead_id)[-3:] == [
        EventKind.DOCUMENT_ADDED,
        EventKind.DOCUMENT_RENAMED,
        EventKind.DOCUMENT_DELETED,
    ]


def test_a_file_that_is_not_the_declared_pdf_is_neither_downloaded_nor_attached(garage, memory):
    lead_id = new_lead(garage)
    document = leads.add_document(garage.dealer.id, lead_id, PAYSLIP, by=garage.seller.id).document
    storage.put(document.s3_key, b"MZ\x90\x00 an executable", "application/pdf")
    with pytest.raises(InvalidInput) as refused:
        leads.download_document(garage.dealer.id, lead_id, document.id)
    assert refused.value.fields == {"file": "not the declared type"}
    asked = command(NewCommunication, subject="s", text="t", attachment_s3_key=document.s3_key,
                    attachment_filename="bulletin.pdf")
    with unchanged(memory, garage), pytest.raises(InvalidInput):
        leads.send_communication(garage.dealer.id, lead_id, asked, by=garage.seller.id)


def test_a_document_not_uploaded_yet_cannot_be_downloaded(garage):
    lead_id = new_lead(garage)
    document = leads.add_document(garage.dealer.id, lead_id, PAYSLIP, by=garage.seller.id).document
    with pytest.raises(NotFound):
        leads.download_document(garage.dealer.id, lead_id, document.id)


# --- emails to the customer -------------------------------------------------------------------


def test_an_email_to_the_customer_is_queued_with_the_action(garage, memory):
    lead_id = new_lead(garage)
    minutes_later(1)
    sent = leads.send_communication(
        garage.dealer.id, lead_id, command(NewCommunication, subject="Votre essai", text="Bonjour"), by=garage.seller.id
    )
    [queued] = [i for i in memory.items.values() if i[keys.SK].startswith("OUTBOX#")]
    assert (queued["id"], queued["to"], queued["reply_to"]) == (
        sent.outbox_id,
        "helene@example.com",
        garage.seller.email,
    )
    assert timeline(garage, lead_id)[-1] == EventKind.EMAIL_SENT


def test_an_email_needs_a_contact_with_an_address(garage, memory):
    lead_id = new_lead(garage, contacts=[command(ContactDetails, name="Paul", mobile="+33612345678")])
    with unchanged(memory, garage), pytest.raises(InvalidInput) as refused:
        leads.send_communication(
            garage.dealer.id, lead_id, command(NewCommunication, subject="s", text="t"), by=garage.seller.id
        )
    assert refused.value.fields == {"contact_id": "no email address"}


def test_an_email_attaches_only_a_file_of_this_lead_or_a_quote_of_this_dealer(garage, memory):
    lead_id = new_lead(garage)
    foreign = storage.lead_document_key("D-OTHER", "L-OTHER", "X", ".pdf")
    storage.put(foreign, b"%PDF-1.7", "application/pdf")
    asked = command(NewCommunication, subject="s", text="t", attachment_s3_key=foreign, attachment_filename="x.pdf")
    with unchanged(memory, garage), pytest.raises(InvalidInput) as refused:
        leads.send_communication(garage.dealer.id, lead_id, asked, by=garage.seller.id)
    assert refused.value.fields == {"attachment_s3_key": "not a document of this lead nor a quote of this dealer"}


# --- the lead itself: owner, status, follow-up ---------------------------------------------------


def test_a_lead_is_assigned_to_a_colleague_and_a_branch(garage):
    lead_id = new_lead(garage)
    nina = colleague(garage)
    branch = dealers.add_branch(garage.dealer.id, NewBranch(name="Villeurbanne"), by=admin(garage)).branches[0]
    minutes_later(1)
    header = leads.assign(
        garage.dealer.id, lead_id, command(Assign, owner_id=nina.id, branch_id=branch.id), by=garage.seller.id
    )
    assert (header.owner.id, header.branch.name) == (nina.id, "Villeurbanne")
    assert timeline(garage, lead_id)[-1] == EventKind.ASSIGNED


def test_a_closed_lead_is_not_reassigned_nor_given_to_a_deactivated_seller(garage, memory):
    gone = colleague(garage)
    dealers.deactivate_user(garage.dealer.id, gone.id, by=admin(garage))
    open_id, won_id = new_lead(garage), closed_lead(garage)
    with unchanged(memory, garage):
        with pytest.raises(InvalidInput):
            leads.assign(garage.dealer.id, open_id, command(Assign, owner_id=gone.id), by=garage.seller.id)
        with pytest.raises(InvalidInput):
            leads.assign(
                garage.dealer.id, open_id, command(Assign, owner_id="01JNOBODY0000000000000000"), by=garage.seller.id
            )
        with pytest.raises(LeadClosed):
            leads.assign(garage.dealer.id, won_id, command(Assign, owner_id=garage.seller.id), by=garage.seller.id)


def test_winning_a_lead_cancels_its_deadline_and_reopening_sets_a_fresh_one(garage):
    lead_id = new_lead(garage)
    won = leads.change_status(
        garage.dealer.id, lead_id, command(ChangeStatus, status=LeadStatus.WON), by=garage.seller.id
    )
    assert (won.status, won.deadline_at) == (LeadStatus.WON, None)
    assert [d.status for d in lead_page(garage, lead_id).follow_up.deadlines] == [DeadlineStatus.CANCELLED]
    at(LATER)
    reopened = leads.change_status(
        garage.dealer.id, lead_id, command(ChangeStatus, status=LeadStatus.OPEN), by=garage.seller.id
    )
    assert reopened.deadline_at == LATER + timedelta(hours=24)
    assert [d.status for d in lead_page(garage, lead_id).follow_up.deadlines] == [
        DeadlineStatus.PENDING,
        DeadlineStatus.CANCELLED,
    ]


def test_a_lost_lead_says_why(garage, memory):
    lead_id = new_lead(garage)
    with unchanged(memory, garage), pytest.raises(InvalidInput) as refused:
        leads.change_status(
            garage.dealer.id, lead_id, command(ChangeStatus, status=LeadStatus.LOST), by=garage.seller.id
        )
    assert refused.value.fields == {"reason": "required when lost"}
    lost = leads.change_status(
        garage.dealer.id,
        lead_id,
        command(ChangeStatus, status=LeadStatus.LOST, reason="Trop cher"),
        by=garage.seller.id,
    )
    assert (lost.status, lost.lost_reason) == (LeadStatus.LOST, "Trop cher")


def test_a_lead_does_not_move_to_the_status_it_is_in(garage, memory):
    lead_id = closed_lead(garage)
    with unchanged(memory, garage), pytest.raises(InvalidTransition):
        leads.change_status(
            garage.dealer.id, lead_id, command(ChangeStatus, status=LeadStatus.WON), by=garage.seller.id
        )


def current_deadline(garage: Tenant, lead_id: str):
    return lead_page(garage, lead_id).details.deadline


def test_the_deadline_is_moved_to_a_later_time(garage):
    lead_id = new_lead(garage)
    deadline = current_deadline(garage, lead_id)
    moved = leads.move_deadline(
        garage.dealer.id, lead_id, deadline.id, command(MoveDeadline, due_at=LATER), by=garage.seller.id
    )
    assert moved.due_at == LATER and lead_page(garage, lead_id).header.deadline_at == LATER


def test_a_deadline_is_not_moved_to_the_past_nor_once_met(garage, memory):
    lead_id = new_lead(garage)
    deadline = current_deadline(garage, lead_id)
    with unchanged(memory, garage), pytest.raises(InvalidInput):
        leads.move_deadline(
            garage.dealer.id,
            lead_id,
            deadline.id,
            command(MoveDeadline, due_at=NOW - timedelta(minutes=1)),
            by=garage.seller.id,
        )
    leads.record_contact(
        garage.dealer.id, lead_id, deadline.id, command(RecordContact, contact_made=True), by=garage.seller.id
    )
    with unchanged(memory, garage), pytest.raises(Conflict):
        leads.move_deadline(
            garage.dealer.id, lead_id, deadline.id, command(MoveDeadline, due_at=LATER), by=garage.seller.id
        )


def test_a_failed_call_is_counted_and_the_deadline_keeps_running_until_contact_is_made(garage, memory):
    lead_id = new_lead(garage)
    deadline = current_deadline(garage, lead_id)
    minutes_later(1)
    tried = leads.record_contact(
        garage.dealer.id, lead_id, deadline.id, command(RecordContact, contact_made=False), by=garage.seller.id
    )
    assert (tried.status, tried.contact_attempts) == (DeadlineStatus.PENDING, 1)
    reached = minutes_later(2)
    met = leads.record_contact(
        garage.dealer.id,
        lead_id,
        deadline.id,
        command(RecordContact, contact_made=True, note="OK"),
        by=garage.seller.id,
    )
    assert (met.status, met.met_at, met.note) == (DeadlineStatus.MET, reached, "OK")
    assert lead_page(garage, lead_id).header.deadline_at is None
    assert timeline(garage, lead_id)[-2:] == [EventKind.CONTACT_ATTEMPTED, EventKind.CONTACT_MADE]
    with unchanged(memory, garage), pytest.raises(Conflict):
        leads.record_contact(
            garage.dealer.id, lead_id, deadline.id, command(RecordContact, contact_made=True), by=garage.seller.id
        )


def test_no_contact_is_recorded_on_a_closed_lead(garage, memory):
    lead_id = new_lead(garage)
    deadline = current_deadline(garage, lead_id)
    leads.change_status(garage.dealer.id, lead_id, command(ChangeStatus, status=LeadStatus.WON), by=garage.seller.id)
    with unchanged(memory, garage), pytest.raises(LeadClosed):
        leads.record_contact(
            garage.dealer.id, lead_id, deadline.id, command(RecordContact, contact_made=True), by=garage.seller.id
        )


def test_contacts_are_added_and_corrected(garage, memory):
    lead_id = new_lead(garage)
    paul = leads.add_contact(
        garage.dealer.id,
        lead_id,
        command(ContactDetails, name="Paul Martin", mobile="+33698765432"),
        by=garage.seller.id,
    )
    leads.change_contact(
        garage.dealer.id,
        lead_id,
        paul.id,
        command(ContactDetails, name="Paul Martin", email="p@example.com"),
        by=garage.seller.id,
    )
    assert [c.email for c in lead_page(garage, lead_id).contacts] == ["helene@example.com", "p@example.com"]
    with unchanged(memory, garage), pytest.raises(NotFound):
        leads.change_contact(garage.dealer.id, lead_id, "nobody", HELENE, by=garage.seller.id)
