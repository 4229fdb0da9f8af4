"""The rules of the lead page (seed 004), without AWS."""
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from chalicelib.domain.dealers import Branch, Role, User
from chalicelib.domain.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from chalicelib.domain.leads.commands import (
    ContactDetails, LeadQuery, NewCommunication, NewDocument, NewTestDrive, NewTradeIn, check_document,
)
from chalicelib.domain.leads.model import (
    MAX_DOCUMENT_BYTES, Deadline, DeadlineStatus, EventKind, Lead, LeadAggregate, LeadClosed, LeadContact,
    LeadEvent, LeadStatus, LeadType, PendingDeadline, PersonRef, contact_deadline, event, fold, lead_code,
)
from chalicelib.domain.leads.views import LeadHeader, LeadPage
from chalicelib.store import keys
from chalicelib.store.leads import decode_cursor

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def user(active: bool = True, user_id: str = "U2") -> User:
    return User(id=user_id, dealer_id="D1", email=f"{user_id.lower()}@example.com", name="Nina Vendeuse",
                role=Role.SELLER, active=active, created_at=NOW)


def deadline(hours: int = 24) -> Deadline:
    return contact_deadline("DL1", NOW, hours, by="U1")


def lead(**changes) -> Lead:
    first = deadline()
    fields = dict(
        id="L1", dealer_id="D1", code="L-2026-000001",
        contacts=[LeadContact(id="C1", name="Hélène Martin", email="helene@example.com")],
        owner=PersonRef(id="U1", name="Victor Vendeur"), type=LeadType.USED_VEHICLE_SALE, source="site web",
        deadline=PendingDeadline(id=first.id, due_at=first.due_at), created_at=NOW, created_by="U1",
        last_activity_at=NOW,
    )
    return Lead(**(fields | changes))


def test_each_status_has_its_french_label_and_its_own_colour():
    assert [s.label for s in LeadStatus] == ["En traitement", "Gagnée", "Perdue"]
    colours = [s.colour for s in LeadStatus]
    assert len(set(colours)) == 3
    assert all(c.startswith("#") and len(c) == 7 for c in colours)


def test_the_contact_deadline_follows_the_dealers_delay():
    assert contact_deadline("DL1", NOW, 48, by="U1").due_at == NOW + timedelta(hours=48)


def test_lead_codes_are_readable_and_sort_within_a_year():
    assert lead_code(2026, 123) == "L-2026-000123"
    assert lead_code(2026, 9) < lead_code(2026, 10)


def test_the_header_shows_time_left_elapsed_time_and_turns_overdue_after_the_deadline():
    header = LeadHeader.of(lead(), NOW + timedelta(hours=2))
    assert header.time_left_seconds == 22 * 3600 and header.elapsed_seconds == 2 * 3600
    assert not header.overdue
    late = LeadHeader.of(lead(), NOW + timedelta(hours=25))
    assert late.overdue and late.time_left_seconds == -3600
    assert (late.status_label, late.contact.name, late.code) == ("En traitement", "Hélène Martin", "L-2026-000001")


def test_a_lost_lead_needs_a_reason():
    with pytest.raises(InvalidInput) as refused:
        lead().with_status(LeadStatus.LOST, None, NOW, None)
    assert "reason" in refused.value.fields
    lost = lead().with_status(LeadStatus.LOST, "Trop cher", NOW, None)
    assert lost.lost_reason == "Trop cher" and lost.version == 2


@pytest.mark.parametrize("status", list(LeadStatus))
def test_a_lead_cannot_move_to_the_status_it_already_has(status):
    current = lead(status=status, deadline=None) if status != LeadStatus.OPEN else lead()
    with pytest.raises(InvalidTransition):
        current.with_status(status, "raison", NOW, deadline())


def test_closing_a_lead_ends_its_deadline_and_reopening_sets_a_fresh_one():
    won = lead().with_status(LeadStatus.WON, None, NOW, None)
    assert won.deadline is None and not won.is_overdue(NOW + timedelta(days=3))
    fresh = contact_deadline("DL2", NOW + timedelta(days=5), 24, by="U1")
    reopened = won.with_status(LeadStatus.OPEN, None, NOW + timedelta(days=5), fresh)
    assert reopened.deadline == PendingDeadline(id="DL2", due_at=fresh.due_at)
    assert reopened.lost_reason is None


def test_a_closed_lead_refuses_actions_that_move_a_sale_forward():
    won = lead().with_status(LeadStatus.WON, None, NOW, None)
    with pytest.raises(LeadClosed, match="Gagnée"):
        won.require_open("ajouter une reprise")
    with pytest.raises(LeadClosed):
        won.assigned(user(), None, NOW)


def test_a_deadline_moves_only_into_the_future():
    with pytest.raises(InvalidInput) as refused:
        lead().with_deadline_moved("DL1", NOW - timedelta(minutes=1), NOW)
    assert refused.value.fields == {"due_at": "must be in the future"}
    moved = lead().with_deadline_moved("DL1", NOW + timedelta(days=2), NOW)
    assert moved.deadline.due_at == NOW + timedelta(days=2)


def test_only_the_pending_deadline_can_be_moved_or_met():
    with pytest.raises(Conflict):
        lead().with_deadline_moved("OTHER", NOW + timedelta(days=2), NOW)
    met = lead().with_contact_recorded("DL1", True, NOW)
    with pytest.raises(Conflict):
        met.with_contact_recorded("DL1", True, NOW)


def test_contact_made_meets_the_deadline_and_a_failed_attempt_keeps_it_running():
    attempted = lead().with_contact_recorded("DL1", False, NOW)
    assert attempted.deadline == lead().deadline
    assert deadline().contact_recorded(False, "messagerie", NOW).contact_attempts == 1
    met = lead().with_contact_recorded("DL1", True, NOW)
    assert met.deadline is None and not met.is_overdue(NOW + timedelta(days=9))
    assert deadline().contact_recorded(True, None, NOW).status == DeadlineStatus.MET


def test_a_lead_is_assigned_only_to_an_active_user():
    with pytest.raises(InvalidInput) as refused:
        lead().assigned(user(active=False), None, NOW)
    assert refused.value.fields == {"owner_id": "inactive user"}
    assigned = lead().assigned(user(), Branch(id="B1", name="Villeurbanne"), NOW)
    assert (assigned.owner.name, assigned.branch.name) == ("Nina Vendeuse", "Villeurbanne")


def test_assigning_to_a_branch_keeps_the_owner():
    moved = lead().assigned(None, Branch(id="B1", name="Villeurbanne"), NOW)
    assert moved.owner == lead().owner and moved.branch.id == "B1"


def test_a_contact_needs_an_email_or_a_mobile_number():
    with pytest.raises(ValidationError):
        ContactDetails(name="Sans moyen de contact")
    with pytest.raises(ValidationError):
        ContactDetails(name="Mauvais numéro", mobile="0612345678")
    assert ContactDetails(name="Paul", mobile="+33612345678").mobile == "+33612345678"


def test_an_email_goes_to_the_first_contact_unless_another_is_chosen_and_needs_an_address():
    two = lead(contacts=[*lead().contacts, LeadContact(id="C2", name="Paul", mobile="+33612345678")])
    assert two.recipient(None).id == "C1"
    with pytest.raises(InvalidInput) as refused:
        two.recipient("C2")
    assert refused.value.fields == {"contact_id": "no email address"}
    with pytest.raises(InvalidInput):
        two.recipient("C9")


def test_a_changed_contact_must_be_one_of_the_lead():
    with pytest.raises(NotFound):
        lead().with_contact_changed(LeadContact(id="C9", name="X", email="x@example.com"), NOW)
    changed = lead().with_contact_changed(LeadContact(id="C1", name="Hélène Dupont", email="h@example.com"), NOW)
    assert [c.name for c in changed.contacts] == ["Hélène Dupont"]


def test_the_text_filter_ignores_case_and_accents_and_finds_the_code():
    assert "helene martin" in lead().search_text()
    assert fold("HÉLÈNE") == "helene"
    assert fold("l-2026-000001") in lead().search_text()


def test_a_test_drive_needs_the_driving_licence_checked():
    with pytest.raises(ValidationError):
        NewTestDrive(vehicle="Clio", starts_at=NOW, licence_checked=False, licence_number="123456789012")
    with pytest.raises(ValidationError):
        NewTestDrive(vehicle="Clio", starts_at=NOW, licence_number="123456789012")


def test_a_registration_is_kept_in_capitals():
    trade_in = NewTradeIn(vehicle="208", registration="ab-123-cd", mileage_km=1, estimated_value_cents=1)
    assert trade_in.registration == "AB-123-CD"


@pytest.mark.parametrize("content_type, filename, size, field", [
    ("application/x-msdownload", "setup.exe", 10, "content_type"),
    ("application/zip", "docs.zip", 10, "content_type"),
    ("application/pdf", "carte-grise.pdf", MAX_DOCUMENT_BYTES + 1, "size_bytes"),
    ("application/pdf", "carte-grise.exe", 10, "filename"),
    ("image/png", "../../etc/passwd.png", 10, "filename"),
])
def test_a_document_of_a_forbidden_type_size_or_name_is_refused_naming_the_field(content_type, filename, size, field):
    with pytest.raises(InvalidInput) as refused:
        check_document(NewDocument(title="Pièce", filename=filename, content_type=content_type, size_bytes=size))
    assert field in refused.value.fields


@pytest.mark.parametrize("content_type, filename", [
    ("application/pdf", "Bon de commande.PDF"), ("image/jpeg", "photo.jpg"), ("image/jpeg", "photo.jpeg"),
    ("image/png", "scan.png"), (DOCX, "lettre.docx"), ("text/plain", "notes.txt"),
])
def test_pdf_jpeg_png_docx_and_txt_up_to_ten_megabytes_are_accepted(content_type, filename):
    document = NewDocument(title="Pièce", filename=filename, content_type=content_type, size_bytes=MAX_DOCUMENT_BYTES)
    assert check_document(document) == "." + filename.rsplit(".", 1)[1].lower()


def test_an_attachment_needs_its_file_name():
    with pytest.raises(ValidationError):
        NewCommunication(subject="Votre devis", text="Bonjour", attachment_s3_key="dealers/D1/quotes/Q1.pdf")


def test_events_read_in_french():
    created = event("E1", EventKind.TRADE_IN_ADDED, NOW, "U1", vehicle="Peugeot 208", registration="AB-123-CD")
    assert created.summary == "Reprise ajoutée : Peugeot 208 (AB-123-CD)"


def test_the_page_lists_the_timeline_newest_first_and_the_pending_deadline_first():
    met = deadline().model_copy(update={"id": "DL0", "status": DeadlineStatus.MET})
    events = [
        LeadEvent(id=f"E{n}", at=NOW + timedelta(minutes=n), by="U1", kind=EventKind.REMARK_ADDED, summary="x")
        for n in range(3)
    ]
    page = LeadPage.of(LeadAggregate(lead=lead(), deadlines=[met, deadline()], events=events), NOW)
    assert [e.id for e in page.details.timeline] == ["E2", "E1", "E0"]
    assert [d.id for d in page.follow_up.deadlines] == ["DL1", "DL0"]
    assert page.details.deadline.id == "DL1"


def test_a_lead_and_its_parts_share_one_prefix_that_no_other_lead_matches():
    partition, prefix = keys.lead_aggregate("D1", "01JAAAAAAAAAAAAAAAAAAAAAAA")
    part = keys.lead_part("D1", "01JAAAAAAAAAAAAAAAAAAAAAAA", "trade_in", "X")
    assert part[keys.PK] == partition and part[keys.SK].startswith(prefix)
    assert keys.lead_part_kind(part[keys.SK]) == "trade_in"
    assert keys.lead_part_kind(keys.lead("D1", "01JAAAAAAAAAAAAAAAAAAAAAAA")[keys.SK]) is None
    assert not keys.lead("D1", "01JBBBBBBBBBBBBBBBBBBBBBBB")[keys.SK].startswith(prefix)
    assert not keys.lead_code_counter("D1", 2026)[keys.SK].startswith("LEAD#")


@pytest.mark.parametrize("cursor", ["%%%", "bm90LWpzb24", "WzEsMl0", "eyJwIjoieCIsImsiOm51bGwsInQiOiJ4In0"])
def test_a_cursor_that_this_list_did_not_give_out_is_refused(cursor):
    with pytest.raises(InvalidInput) as refused:
        decode_cursor(LeadQuery(), cursor)
    assert refused.value.fields == {"cursor": "invalid"}
