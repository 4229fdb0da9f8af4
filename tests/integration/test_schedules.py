"""The schedules a dealer relies on: proposals and links expire, lead deadlines alert, proposals remind.

On DynamoDB Local and moto (SES, SNS, S3), with the clock moved by the test. Every job reads
only its due items and acts once per item, however often EventBridge fires it.
"""
import hashlib
from datetime import datetime, timedelta, timezone

import pytest

import app as application
from chalicelib.clients import client as aws_client
from chalicelib.domain import clock, reminders
from chalicelib.domain.dealers import DealerSettingsChange, Staff
from chalicelib.domain.outbox import Delivery
from chalicelib.domain.proposals.commands import RemindProposal
from chalicelib.domain.proposals.model import EventKind
from chalicelib.domain.proposals.status import ProposalStatus
from chalicelib.services import dealers, lead_alerts, leads, outbox, proposal_expiry, proposal_reminders
from chalicelib.services import proposals as proposal_service
from chalicelib.settings import settings
from chalicelib.store import due, keys
from chalicelib.store import outbox as outbox_store
from chalicelib.store import proposals as store
from chalicelib.store.table import Update, table
from local.scheduler import schedule_names
from tests import offers
from tests.offers import emails_to, read, sms_to, token_in
from tests.support import Api, at, at_once, body

# Tuesday 24 November 2026, 10:15 in Paris: reminders three and seven days later fall in working hours.
NOW = datetime(2026, 11, 24, 9, 15, tzinfo=timezone.utc)


@pytest.fixture
def seller(client, garage):
    """The seller's API; the token is issued on the real clock before the test moves it to NOW."""
    api = Api(client, garage.token(garage.seller))
    at(NOW)
    return api


@pytest.fixture
def block(garage) -> dict:
    """The seller block of this test's proposals: an address only this test writes to."""
    return offers.SELLER_BLOCK | {"email": f"victor-{garage.dealer.id.lower()}@example.com"}


def run(client, job: str, event=None) -> dict:
    """Invokes a scheduled function as EventBridge would."""
    event = event or client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event",
                                                     detail={}, resources=[])
    return client.lambda_.invoke(job, event).payload


def twice(client, job: str) -> list[dict]:
    """The same EventBridge event delivered twice (EventBridge delivers at least once)."""
    event = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                            resources=[])
    return [run(client, job, event), run(client, job, event)]


def draft(seller: Api, offer: offers.Offer, block: dict) -> dict:
    return offers.propose(seller, offer, seller=block)


def sent(seller: Api, offer: offers.Offer, block: dict) -> dict:
    proposal = draft(seller, offer, block)
    answer = seller.post(f"/proposals/{proposal['id']}/send", {})
    assert answer.status_code == 200, answer.body
    return body(answer)["proposal"]


def history(garage, proposal_id: str) -> list:
    return store.get_with_history(garage.dealer.id, proposal_id).history


def kinds(garage, proposal_id: str) -> list[str]:
    return [e.kind.value for e in history(garage, proposal_id)]


def staff(garage, user) -> Staff:
    return Staff(dealer_id=garage.dealer.id, user_id=user.id, role=user.role)


class Ses:
    """Switches SES off (the sender identity refused, as when it is misconfigured) and on again."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def down(self):
        self.monkeypatch.setenv("OFFERLINE_SENDER_EMAIL", "unverified@example.com")
        settings.cache_clear()

    def back(self):
        self.monkeypatch.delenv("OFFERLINE_SENDER_EMAIL")
        settings.cache_clear()


@pytest.fixture
def ses(monkeypatch):
    yield Ses(monkeypatch)
    settings.cache_clear()


def expiry_of(proposal: dict) -> datetime:
    return datetime.fromisoformat(proposal["expires_at"])


# --- expire-proposals ----------------------------------------------------------------------

def test_a_sent_proposal_past_its_validity_expires_and_its_seller_is_told(client, seller, garage, block):
    proposal = sent(seller, offers.offer(seller, garage.dealer.id.lower()), block)
    at(expiry_of(proposal) - timedelta(seconds=1))
    assert run(client, "expire-proposals") == {"handled": 0}
    at(expiry_of(proposal) + timedelta(minutes=3))
    assert run(client, "expire-proposals") == {"handled": 1}
    view = store.get_with_history(garage.dealer.id, proposal["id"])
    assert view.proposal.status == ProposalStatus.EXPIRED
    assert view.proposal.expired_at == expiry_of(proposal) + timedelta(minutes=3)
    expired = view.history[-1]
    assert (expired.kind, expired.by, expired.details["from"]) == (EventKind.EXPIRED, "system", "sent")
    [told] = emails_to(block["email"])
    assert read(told).subject == f"Proposition {proposal['reference']} expirée (Durand Transports)"
    assert "n'a pas été signée" in read(told).text and "nouvelle proposition" in read(told).text
    assert keys.DUE_PK not in table.get(keys.proposal(garage.dealer.id, proposal["id"]))


def test_a_draft_never_sent_expires_after_the_validity_too(client, seller, garage, block):
    proposal = draft(seller, offers.offer(seller, garage.dealer.id.lower()), block)
    at(expiry_of(proposal) + timedelta(minutes=1))
    assert run(client, "expire-proposals") == {"handled": 1}
    assert store.get(garage.dealer.id, proposal["id"]).status == ProposalStatus.EXPIRED
    assert history(garage, proposal["id"])[-1].details["from"] == "draft"
    assert "n'a jamais été envoyée" in read(emails_to(block["email"])[-1]).text


@pytest.mark.parametrize("end", [ProposalStatus.ACCEPTED, ProposalStatus.DECLINED, ProposalStatus.WITHDRAWN])
def test_an_accepted_declined_or_withdrawn_proposal_never_expires(client, seller, garage, block, end):
    proposal = sent(seller, offers.offer(seller, garage.dealer.id.lower()), block)
    current = store.get(garage.dealer.id, proposal["id"])
    table.write(store.transition(current, end, NOW + timedelta(hours=1)))
    at(expiry_of(proposal) + timedelta(days=1))
    assert run(client, "expire-proposals") == {"handled": 0}
    assert store.get(garage.dealer.id, proposal["id"]).status == end
    assert EventKind.EXPIRED.value not in kinds(garage, proposal["id"]) and emails_to(block["email"]) == []


def test_a_proposal_signed_while_the_sweep_holds_it_stays_accepted(seller, garage, block, monkeypatch):
    proposal = sent(seller, offers.offer(seller, garage.dealer.id.lower()), block)
    claim = due.claim

    def claim_then_the_customer_signs(item, now):
        claimed = claim(item, now)
        signed = store.get(garage.dealer.id, proposal["id"])
        table.write(store.transition(signed, ProposalStatus.ACCEPTED, now, expect_version=1))
        return claimed

    monkeypatch.setattr(due, "claim", claim_then_the_customer_signs)
    at(expiry_of(proposal) + timedelta(minutes=1))
    assert proposal_expiry.expire_due() == 1
    assert store.get(garage.dealer.id, proposal["id"]).status == ProposalStatus.ACCEPTED
    assert EventKind.EXPIRED.value not in kinds(garage, proposal["id"]) and emails_to(block["email"]) == []


def test_a_claimed_proposal_already_at_its_end_leaves_the_index_unchanged(seller, garage, block):
    proposal = sent(seller, offers.offer(seller, garage.dealer.id.lower()), block)
    key = keys.proposal(garage.dealer.id, proposal["id"])
    table.write(Update(key, set={"status": "accepted"}))  # an end reached without leaving the index
    before = {k: v for k, v in table.get(key).items() if k not in keys.DUE_ATTRIBUTES}
    at(expiry_of(proposal) + timedelta(minutes=1))
    assert proposal_expiry.expire_due() == 1
    after = table.get(key)
    assert keys.DUE_PK not in after and after == before
    assert EventKind.EXPIRED.value not in kinds(garage, proposal["id"])


def test_the_same_expiry_event_delivered_twice_expires_each_proposal_once(client, seller, garage, block):
    offer = offers.offer(seller, garage.dealer.id.lower())
    drafts = [draft(seller, offer, block) for _ in range(3)]
    ids = [d["id"] for d in drafts]
    at(expiry_of(drafts[0]) + timedelta(minutes=1))
    assert twice(client, "expire-proposals") == [{"handled": 3}, {"handled": 0}]
    for proposal_id in ids:
        assert kinds(garage, proposal_id).count(EventKind.EXPIRED.value) == 1
    assert len(emails_to(block["email"])) == 3


def test_two_expiry_sweeps_at_once_expire_each_proposal_once(seller, garage, block):
    offer = offers.offer(seller, garage.dealer.id.lower())
    drafts = [draft(seller, offer, block) for _ in range(8)]
    ids = [d["id"] for d in drafts]
    at(expiry_of(drafts[0]) + timedelta(minutes=1))
    assert sum(at_once(proposal_expiry.expire_due)) == 8
    for proposal_id in ids:
        assert kinds(garage, proposal_id).count(EventKind.EXPIRED.value) == 1
    assert len(emails_to(block["email"])) == 8


def test_when_ses_fails_the_expiry_stays_and_the_seller_email_goes_out_once_later(seller, garage, block, ses):
    proposal = draft(seller, offers.offer(seller, garage.dealer.id.lower()), block)
    moment = expiry_of(proposal) + timedelta(minutes=1)
    at(moment)
    ses.down()
    assert proposal_expiry.expire_due() == 1
    assert store.get(garage.dealer.id, proposal["id"]).status == ProposalStatus.EXPIRED
    assert emails_to(block["email"]) == []
    ses.back()
    at(moment + timedelta(minutes=2))
    assert outbox.retry_due() == 1
    at(moment + timedelta(hours=3))
    assert outbox.retry_due() == 0 and proposal_expiry.expire_due() == 0
    assert len(emails_to(block["email"])) == 1


def test_a_seller_who_chose_sms_hears_of_the_expiry_by_sms(seller, garage, block):
    seller.send("PUT", "/me/profile", {**block, "phone": "+33699887766",
                                       "notifications": {"email": False, "sms": True}})
    proposal = draft(seller, offers.offer(seller, garage.dealer.id.lower()), block)
    at(expiry_of(proposal) + timedelta(minutes=1))
    proposal_expiry.expire_due()
    [text] = sms_to("+33699887766")
    assert f"la proposition {proposal['reference']} (Durand Transports) a expiré" in text
    assert emails_to(block["email"]) == []


# --- sweep-links -----------------------------------------------------------------------------

def link_of(customer_email: str) -> str:
    """The stored key of the last link emailed to the customer."""
    return hashlib.sha256(token_in(read(emails_to(customer_email)[-1])).encode()).hexdigest()


def test_a_link_waits_in_the_due_index_until_it_expires(seller, garage, block):
    offer = offers.offer(seller, garage.dealer.id.lower())
    sent(seller, offer, block)
    link = table.get(keys.link(link_of(offer.email)))
    assert link[keys.DUE_PK].startswith(f"DUE#{store.LINK_EXPIRY}#")
    assert link[keys.DUE_AT] == keys.iso(NOW + timedelta(hours=24))


def test_an_expired_link_is_recorded_once_in_the_history_and_kept_for_a_new_link(client, seller, garage, block):
    offer = offers.offer(seller, garage.dealer.id.lower())
    proposal = sent(seller, offer, block)
    token_hash = link_of(offer.email)
    at(NOW + timedelta(hours=23, minutes=59))
    assert run(client, "sweep-links") == {"handled": 0}
    at(NOW + timedelta(hours=24, minutes=10))
    assert twice(client, "sweep-links") == [{"handled": 1}, {"handled": 0}]
    expired = history(garage, proposal["id"])[-1]
    assert (expired.kind, expired.by, expired.at) == (EventKind.LINK_EXPIRED, "system", NOW + timedelta(hours=24))
    assert expired.details == {"purpose": "send", "to": offer.email, "issued_at": NOW.isoformat(), "version": 1}
    kept = table.get(keys.link(token_hash))
    assert kept["proposal_id"] == proposal["id"] and keys.DUE_PK not in kept
    assert store.get_link(token_hash).recipient == offer.email


def test_a_link_of_an_accepted_proposal_expires_without_a_history_entry(seller, garage, block):
    proposal = sent(seller, offers.offer(seller, garage.dealer.id.lower()), block)
    table.write(store.transition(store.get(garage.dealer.id, proposal["id"]), ProposalStatus.ACCEPTED,
                                 NOW + timedelta(hours=1)))
    at(NOW + timedelta(days=2))
    assert proposal_expiry.sweep_links() == 1
    assert EventKind.LINK_EXPIRED.value not in kinds(garage, proposal["id"])


def test_two_link_sweeps_at_once_record_each_link_once(seller, garage, block):
    offer = offers.offer(seller, garage.dealer.id.lower())
    ids = [sent(seller, offer, block)["id"] for _ in range(4)]
    at(NOW + timedelta(days=2))
    assert sum(at_once(proposal_expiry.sweep_links)) == 4
    assert [kinds(garage, i).count(EventKind.LINK_EXPIRED.value) for i in ids] == [1, 1, 1, 1]


# --- lead-deadline-alerts --------------------------------------------------------------------

def new_lead(api: Api, name: str = "Hélène Martin") -> dict:
    created = api.post("/leads", {"contacts": [{"name": name, "email": "helene@example.com",
                                                "mobile": "+33612345678"}],
                                  "type": "used_vehicle_sale", "source": "site web"})
    assert created.status_code == 201, created.body
    return body(created)


def lead_page(api: Api, lead_id: str) -> dict:
    return body(api.get(f"/leads/{lead_id}"))


def alerts_in(garage, lead_id: str) -> list[dict]:
    timeline = leads.get_page(garage.dealer.id, lead_id).details.timeline
    return [e.model_dump(mode="json") for e in timeline if e.kind == "deadline_alerted"]


def test_the_owner_is_told_by_email_once_when_the_deadline_passes(client, seller, garage):
    lead = new_lead(seller)
    deadline = datetime.fromisoformat(lead["deadline_at"])
    at(deadline - timedelta(seconds=1))
    assert run(client, "lead-deadline-alerts") == {"handled": 0}
    at(deadline + timedelta(minutes=1))
    assert twice(client, "lead-deadline-alerts") == [{"handled": 1}, {"handled": 0}]
    [email] = emails_to(garage.seller.email)
    assert read(email).subject == f"Échéance dépassée : Hélène Martin (lead {lead['code']})"
    assert "+33 6 12 34 56 78" in read(email).text and f"/app/#/leads/{lead['id']}" in read(email).text
    [alert] = alerts_in(garage, lead["id"])
    assert alert["by"] == "system" and alert["summary"].startswith("Échéance dépassée : alerte envoyée à Victor")
    header = lead_page(seller, lead["id"])["header"]
    assert header["overdue"] is True  # still overdue for the list until contact is made
    listed = body(seller.get("/leads?overdue=true"))["items"]
    assert [item["id"] for item in listed] == [lead["id"]]


def test_an_owner_who_chose_sms_gets_the_alert_on_their_phone(seller, garage):
    seller.send("PUT", "/me/profile", {**offers.SELLER_BLOCK, "phone": "+33655443322",
                                       "email": f"victor-{garage.dealer.id.lower()}@example.com",
                                       "notifications": {"email": False, "sms": True}})
    lead = new_lead(seller)
    at(datetime.fromisoformat(lead["deadline_at"]) + timedelta(minutes=1))
    assert lead_alerts.alert_due() == 1
    [text] = sms_to("+33655443322")
    assert f"échéance dépassée pour Hélène Martin (lead {lead['code']})" in text
    assert emails_to(garage.seller.email) == []


def test_a_moved_deadline_is_alerted_again_once(seller, garage):
    lead = new_lead(seller)
    first = datetime.fromisoformat(lead["deadline_at"])
    at(first + timedelta(minutes=1))
    lead_alerts.alert_due()
    deadline_id = lead_page(seller, lead["id"])["follow_up"]["deadlines"][0]["id"]
    later = first + timedelta(days=2)
    moved = seller.send("PATCH", f"/leads/{lead['id']}/deadlines/{deadline_id}", {"due_at": keys.iso(later)})
    assert moved.status_code == 200, moved.body
    at(later - timedelta(minutes=1))
    assert lead_alerts.alert_due() == 0
    at(later + timedelta(minutes=1))
    assert lead_alerts.alert_due() == 1 and lead_alerts.alert_due() == 0
    assert len(emails_to(garage.seller.email)) == 2 and len(alerts_in(garage, lead["id"])) == 2


def test_a_failed_contact_attempt_does_not_alert_the_same_deadline_twice(seller, garage):
    lead = new_lead(seller)
    at(datetime.fromisoformat(lead["deadline_at"]) + timedelta(minutes=1))
    lead_alerts.alert_due()
    deadline_id = lead_page(seller, lead["id"])["follow_up"]["deadlines"][0]["id"]
    seller.post(f"/leads/{lead['id']}/deadlines/{deadline_id}/contact", {"contact_made": False})
    at(datetime.fromisoformat(lead["deadline_at"]) + timedelta(days=1))
    assert lead_alerts.alert_due() == 0 and len(emails_to(garage.seller.email)) == 1


def test_a_lead_won_before_its_deadline_is_never_alerted(seller, garage):
    lead = new_lead(seller)
    seller.post(f"/leads/{lead['id']}/status", {"status": "won"})
    at(datetime.fromisoformat(lead["deadline_at"]) + timedelta(days=1))
    assert lead_alerts.alert_due() == 0 and emails_to(garage.seller.email) == []


def test_the_alert_of_a_deactivated_owner_goes_to_the_admins(seller, garage):
    lead = new_lead(seller)
    dealers.deactivate_user(garage.dealer.id, garage.seller.id, by=staff(garage, garage.admin))
    at(datetime.fromisoformat(lead["deadline_at"]) + timedelta(minutes=1))
    assert lead_alerts.alert_due() == 1
    assert emails_to(garage.seller.email) == [] and len(emails_to(garage.admin.email)) == 1
    [alert] = alerts_in(garage, lead["id"])
    assert "administrateurs" in alert["summary"]


def test_two_alert_sweeps_at_once_tell_each_owner_once(seller, garage):
    ids = [new_lead(seller, f"Client {n}")["id"] for n in range(6)]
    at(NOW + timedelta(days=2))
    assert sum(at_once(lead_alerts.alert_due)) == 6
    assert len(emails_to(garage.seller.email)) == 6
    assert [len(alerts_in(garage, lead_id)) for lead_id in ids] == [1] * 6


def test_when_ses_fails_the_alert_is_recorded_and_the_email_goes_out_once_later(seller, garage, ses):
    lead = new_lead(seller)
    moment = datetime.fromisoformat(lead["deadline_at"]) + timedelta(minutes=1)
    at(moment)
    ses.down()
    assert lead_alerts.alert_due() == 1 and emails_to(garage.seller.email) == []
    ses.back()
    at(moment + timedelta(minutes=2))
    assert outbox.retry_due() == 1
    at(moment + timedelta(hours=2))
    assert outbox.retry_due() == 0 and lead_alerts.alert_due() == 0
    assert len(emails_to(garage.seller.email)) == 1 and len(alerts_in(garage, lead["id"])) == 1


# --- proposal-reminders ----------------------------------------------------------------------

def reminder_item(garage, proposal_id: str) -> dict | None:
    return table.get(keys.proposal_reminder(garage.dealer.id, proposal_id))


def reminder_emails(address: str) -> list:
    return [m for m in emails_to(address) if read(m).subject.startswith("Rappel")]


def test_a_sent_proposal_is_reminded_on_day_3_and_day_7_with_the_reminder_template(client, seller, garage, block):
    offer = offers.offer(seller, garage.dealer.id.lower())
    proposal = sent(seller, offer, block)
    first = reminders.upcoming(NOW, [3, 7])
    assert reminder_item(garage, proposal["id"])[keys.DUE_AT] == keys.iso(first.at) == keys.iso(NOW + timedelta(days=3))
    at(first.at - timedelta(seconds=1))
    assert run(client, "proposal-reminders") == {"handled": 0}
    at(first.at + timedelta(minutes=2))
    assert twice(client, "proposal-reminders") == [{"handled": 1}, {"handled": 0}]
    [reminder] = reminder_emails(offer.email)
    assert token_in(read(reminder)) != token_in(read(emails_to(offer.email)[0]))
    automatic = history(garage, proposal["id"])[-1]
    assert (automatic.kind, automatic.by, automatic.details["automatic"], automatic.details["day"]) == (
        EventKind.REMINDER_SENT, "system", True, 3)
    second = reminders.upcoming(NOW, [3, 7], after_day=3)
    at(second.at + timedelta(minutes=2))
    assert proposal_reminders.send_due() == 1
    assert len(reminder_emails(offer.email)) == 2
    assert store.get(garage.dealer.id, proposal["id"]).reminder_count == 2
    assert reminder_item(garage, proposal["id"]) is None
    at(NOW + timedelta(days=20))
    assert proposal_reminders.send_due() == 0 and len(reminder_emails(offer.email)) == 2


@pytest.mark.parametrize("end", [ProposalStatus.ACCEPTED, ProposalStatus.DECLINED, ProposalStatus.WITHDRAWN,
                                 ProposalStatus.EXPIRED])
def test_no_reminder_goes_out_after_acceptance_decline_withdrawal_or_expiry(seller, garage, block, end):
    offer = offers.offer(seller, garage.dealer.id.lower())
    proposal = sent(seller, offer, block)
    table.write(store.transition(store.get(garage.dealer.id, proposal["id"]), end, NOW + timedelta(days=1)))
    at(NOW + timedelta(days=3, minutes=1))
    assert proposal_reminders.send_due() == 1
    at(NOW + timedelta(days=8))
    assert proposal_reminders.send_due() == 0
    assert reminder_emails(offer.email) == [] and reminder_item(garage, proposal["id"]) is None
    assert EventKind.REMINDER_SENT.value not in kinds(garage, proposal["id"])


def test_a_viewed_proposal_is_reminded_too(seller, garage, block):
    offer = offers.offer(seller, garage.dealer.id.lower())
    proposal = sent(seller, offer, block)
    table.write(offers.counted_view(store.get(garage.dealer.id, proposal["id"]), NOW + timedelta(hours=2)))
    at(NOW + timedelta(days=3, minutes=1))
    assert proposal_reminders.send_due() == 1 and len(reminder_emails(offer.email)) == 1


def test_a_proposal_accepted_while_the_reminder_is_written_is_not_reminded(seller, garage, block, monkeypatch):
    offer = offers.offer(seller, garage.dealer.id.lower())
    proposal = sent(seller, offer, block)
    read_proposal = store.get

    def read_then_the_customer_signs(dealer_id, proposal_id):
        before = read_proposal(dealer_id, proposal_id)
        table.write(store.transition(before, ProposalStatus.ACCEPTED, clock.now(), expect_version=1))
        return before

    monkeypatch.setattr(store, "get", read_then_the_customer_signs)
    at(NOW + timedelta(days=3, minutes=1))
    assert proposal_reminders.send_due() == 1
    monkeypatch.undo()
    assert reminder_emails(offer.email) == [] and store.get(garage.dealer.id, proposal["id"]).reminder_count == 0
    at(NOW + timedelta(days=3, minutes=1) + due.LEASE + timedelta(seconds=1))
    assert proposal_reminders.send_due() == 1
    assert reminder_item(garage, proposal["id"]) is None and reminder_emails(offer.email) == []


def test_a_manual_reminder_the_day_before_leaves_out_the_automatic_one(seller, garage, block):
    offer = offers.offer(seller, garage.dealer.id.lower())
    proposal = sent(seller, offer, block)
    at(NOW + timedelta(days=2, hours=6))
    proposal_service.remind(garage.dealer.id, proposal["id"], RemindProposal(), by=staff(garage, garage.seller))
    at(NOW + timedelta(days=3, minutes=1))
    assert proposal_reminders.send_due() == 1
    assert len(reminder_emails(offer.email)) == 1  # the seller's own
    at(NOW + timedelta(days=7, minutes=1))
    assert proposal_reminders.send_due() == 1
    assert len(reminder_emails(offer.email)) == 2
    assert [e.by for e in history(garage, proposal["id"]) if e.kind == EventKind.REMINDER_SENT] == [
        garage.seller.id, "system"]


def test_a_dealer_without_reminder_days_sends_no_automatic_reminder(seller, garage, block):
    dealers.change_settings(garage.dealer.id, DealerSettingsChange(reminder_days=[]), by=staff(garage, garage.admin))
    proposal = sent(seller, offers.offer(seller, garage.dealer.id.lower()), block)
    assert reminder_item(garage, proposal["id"]) is None


def test_sending_again_restarts_the_reminder_days(seller, garage, block):
    offer = offers.offer(seller, garage.dealer.id.lower())
    proposal = sent(seller, offer, block)
    resend_at = NOW + timedelta(days=2)
    at(resend_at)
    assert seller.post(f"/proposals/{proposal['id']}/send", {}).status_code == 200
    assert reminder_item(garage, proposal["id"])[keys.DUE_AT] == keys.iso(resend_at + timedelta(days=3))
    at(NOW + timedelta(days=3, minutes=1))
    assert proposal_reminders.send_due() == 0


def test_two_reminder_sweeps_at_once_remind_each_proposal_once(seller, garage, block):
    offer = offers.offer(seller, garage.dealer.id.lower())
    ids = [sent(seller, offer, block)["id"] for _ in range(4)]
    at(NOW + timedelta(days=3, minutes=1))
    assert sum(at_once(proposal_reminders.send_due)) == 4
    assert len(reminder_emails(offer.email)) == 4
    assert [kinds(garage, i).count(EventKind.REMINDER_SENT.value) for i in ids] == [1, 1, 1, 1]


def test_when_ses_fails_the_reminder_stays_recorded_and_goes_out_once_later(seller, garage, block, ses):
    offer = offers.offer(seller, garage.dealer.id.lower())
    proposal = sent(seller, offer, block)
    moment = NOW + timedelta(days=3, minutes=1)
    at(moment)
    ses.down()
    assert proposal_reminders.send_due() == 1
    assert store.get(garage.dealer.id, proposal["id"]).reminder_count == 1 and reminder_emails(offer.email) == []
    [recorded] = [e for e in history(garage, proposal["id"]) if e.kind == EventKind.REMINDER_SENT]
    assert outbox_store.get(garage.dealer.id, recorded.details["outbox_id"]).status == Delivery.PENDING
    ses.back()
    at(moment + timedelta(minutes=2))
    assert outbox.retry_due() == 1
    at(moment + timedelta(hours=2))
    assert outbox.retry_due() == 0 and proposal_reminders.send_due() == 0
    assert len(reminder_emails(offer.email)) == 1


# --- the jobs as deployed ---------------------------------------------------------------------

def test_every_job_is_a_schedule_of_the_app():
    assert {"expire-proposals", "sweep-links", "lead-deadline-alerts", "proposal-reminders", "retry-outbox",
            "order-milestones"} <= set(schedule_names(application.app))


@pytest.mark.parametrize("job", ["expire-proposals", "sweep-links", "lead-deadline-alerts", "proposal-reminders"])
def test_a_run_with_nothing_due_reads_only_its_partitions_of_the_due_index(client, seller, garage, block, job):
    sent(seller, offers.offer(seller, garage.dealer.id.lower()), block)
    new_lead(seller)
    calls = []

    def record(params, model, **_):
        calls.append((model.name, params.get("IndexName"), params["ExpressionAttributeValues"][":p"]["S"]
                      if model.name == "Query" else None))

    events = aws_client("dynamodb").meta.events
    events.register("provide-client-params.dynamodb.*", record)
    try:
        assert run(client, job) == {"handled": 0}
    finally:
        events.unregister("provide-client-params.dynamodb.*", record)
    kind = {"expire-proposals": store.EXPIRY, "sweep-links": store.LINK_EXPIRY,
            "lead-deadline-alerts": "lead_deadline", "proposal-reminders": store.REMINDER_KIND}[job]
    assert calls == [("Query", keys.DUE_INDEX, partition) for partition in keys.due_partitions(kind)]
