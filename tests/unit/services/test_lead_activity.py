"""A lead follows its proposals and orders (SPEC K.1), on the in-memory table: each event the seller
follows reaches the lead's timeline and moves its last activity; the signature wins the lead; a
declined or expired proposal asks the seller whether the lead is lost."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.errors import InvalidTransition
from chalicelib.domain.leads.commands import ChangeStatus, ContactDetails, NewLead
from chalicelib.domain.leads.model import LeadStatus
from chalicelib.domain.proposals.commands import NewProposal, RemindProposal, SendProposal
from chalicelib.domain.questions import AnswerQuestion
from chalicelib.domain.dealers import DealerSettingsChange
from chalicelib.domain.orders.commands import PaymentPlanInput
from chalicelib.services import dealers, deposits, leads, orders, payment_webhook, portal, proposal_expiry, proposals
from chalicelib.services import questions, signing
from chalicelib.services.customer_contact import issue_link
from chalicelib.store import dealers as dealer_store
from chalicelib.store.unit_of_work import commit
from tests import customer_side as side
from tests import desk
from tests.customer_side import PHONE, SIGN_FORM, Sent
from tests.desk import admin, command, seller
from tests.offers import SELLER_BLOCK, with_legal
from tests.support import Tenant, at, tenant

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
HELENE = command(ContactDetails, name="Hélène Martin", email="helene@example.com", mobile="+33612345678")


@pytest.fixture
def garage(memory) -> Tenant:
    at(NOW)
    garage = with_legal(tenant())
    dealers.change_settings(garage.dealer.id, command(DealerSettingsChange, deposit={"enabled": True,
                                                                                     "amount_cents": 50_000}),
                            by=admin(garage))
    return garage


def minutes_later(minutes: int) -> datetime:
    at(NOW + timedelta(minutes=minutes))
    return NOW + timedelta(minutes=minutes)


def new_lead(garage: Tenant) -> str:
    asked = command(NewLead, contacts=[HELENE], type="used_vehicle_sale", source="site web")
    return leads.create(garage.dealer.id, asked, by=garage.seller.id).id


def sent_from(garage: Tenant, lead_id: str, minutes: int = 0) -> Sent:
    """A proposal of one of the lead's quotes, made now and sent `minutes` after NOW, with a link the
    customer opens."""
    quote = desk.quote(garage, lead_id=lead_id)
    draft = proposals.create(garage.dealer.id, command(NewProposal, quote_id=quote.id, seller=SELLER_BLOCK),
                             by=seller(garage)).proposal
    minutes_later(minutes)
    sent = proposals.send(garage.dealer.id, draft.id, command(SendProposal), by=seller(garage)).proposal
    link = issue_link(dealer_store.get(garage.dealer.id), sent, sent.recipient.email, sent.sent_at)
    commit(link.write)
    return Sent(sent, link.token)


def page(garage: Tenant, lead_id: str):
    return leads.get_page(garage.dealer.id, lead_id)


def latest(garage: Tenant, lead_id: str) -> tuple[str, str, datetime]:
    """The newest timeline entry (source, kind) and the lead's last activity."""
    read = page(garage, lead_id)
    entry = read.details.timeline[0]
    return entry.source, entry.kind, read.header.last_activity_at


def test_each_step_of_the_sale_reaches_the_lead_s_timeline_and_its_last_activity(garage, memory):
    lead_id = new_lead(garage)
    the = sent_from(garage, lead_id, minutes=1)
    assert latest(garage, lead_id) == ("proposal", "email_sent", NOW + timedelta(minutes=1))

    minutes_later(2)
    portal.view(the.token, PHONE)
    portal.seen(the.token, PHONE)
    assert latest(garage, lead_id) == ("proposal", "viewed", NOW + timedelta(minutes=2))

    minutes_later(3)
    portal.download(the.token, PHONE)
    assert latest(garage, lead_id) == ("proposal", "downloaded", NOW + timedelta(minutes=3))

    minutes_later(4)
    portal.ask(the.token, the.form("question", question="La reprise est-elle incluse ?"), PHONE)
    assert latest(garage, lead_id) == ("proposal", "question_asked", NOW + timedelta(minutes=4))

    minutes_later(5)
    [asked] = [e for e in side.store.get_with_history(garage.dealer.id, the.proposal.id).history
               if e.kind == "question_asked"]
    questions.answer(garage.dealer.id, the.proposal.id, asked.id, command(AnswerQuestion, answer="Oui."),
                     by=seller(garage))
    assert latest(garage, lead_id) == ("proposal", "question_answered", NOW + timedelta(minutes=5))

    minutes_later(6)
    proposals.remind(garage.dealer.id, the.proposal.id, command(RemindProposal), by=seller(garage))
    assert latest(garage, lead_id) == ("proposal", "reminder_sent", NOW + timedelta(minutes=6))

    minutes_later(7)
    signing.start(the.token, the.form("sign", **SIGN_FORM), PHONE)
    signing.confirm(the.token, the.form("code", code=side.latest_code(memory)), PHONE)
    signed = page(garage, lead_id)
    assert signed.header.status == LeadStatus.WON and signed.header.last_activity_at == NOW + timedelta(minutes=7)
    kinds = [(e.source, e.kind) for e in signed.details.timeline]
    assert {("proposal", "accepted"), ("order", "opened"), ("lead", "status_changed")} <= set(kinds)
    [row] = signed.details.proposals
    assert (row.reference, row.status, row.status_label) == (the.proposal.reference, "accepted", "acceptée")
    [order] = signed.details.orders
    assert order.status == "reserved"

    minutes_later(8)
    deposits.start(the.token, the.form("deposit"), PHONE)
    session = side.stored(the).deposit_payment.session_id
    payload, signature = side.webhook_event(the, session_id=session)
    payment_webhook.receive(payload, signature)
    paid = page(garage, lead_id)
    newest = {(e.source, e.kind) for e in paid.details.timeline if e.at == NOW + timedelta(minutes=8)}
    assert newest == {("proposal", "payment_received"), ("order", "payment_recorded")}
    assert paid.header.last_activity_at == NOW + timedelta(minutes=8)
    assert paid.details.proposals[0].deposit_status == "paid"

    minutes_later(9)
    orders.set_payment_plan(garage.dealer.id, order.id, command(PaymentPlanInput, method="credit",
                                                                financed_cents=1_000_000), by=seller(garage))
    assert latest(garage, lead_id) == ("order", "payment_plan_set", NOW + timedelta(minutes=9))


def test_the_lead_page_reads_its_proposals_and_orders_one_query_each(garage, memory):
    lead_id = new_lead(garage)
    sent_from(garage, lead_id)
    sent_from(garage, lead_id)
    memory.calls.clear()
    read = page(garage, lead_id)
    assert dict(memory.calls) == {"Query": 3}
    assert [p.status for p in read.details.proposals] == ["sent", "sent"]


def test_a_declined_proposal_asks_the_seller_whether_the_lead_is_lost(garage):
    lead_id = new_lead(garage)
    the = sent_from(garage, lead_id, minutes=1)
    minutes_later(10)
    portal.decline(the.token, the.form("decline", reason="Trop cher"), PHONE)
    read = page(garage, lead_id)
    assert read.details.timeline[0].kind == "declined"
    assert (read.loss_prompt.reference, read.loss_prompt.outcome) == (the.proposal.reference, "declined")
    assert read.header.last_activity_at == NOW + timedelta(minutes=10)

    minutes_later(11)
    kept = leads.keep_open(garage.dealer.id, lead_id, by=garage.seller.id)
    assert kept.loss_prompt is None and kept.header.status == LeadStatus.OPEN
    reference = the.proposal.reference
    assert kept.details.timeline[0].summary == f"Lead gardé ouvert après la proposition {reference} refusée"
    with pytest.raises(InvalidTransition):
        leads.keep_open(garage.dealer.id, lead_id, by=garage.seller.id)


def test_an_expired_proposal_asks_too_and_marking_the_lead_lost_answers(garage):
    lead_id = new_lead(garage)
    the = sent_from(garage, lead_id, minutes=1)
    at(the.proposal.expires_at + timedelta(minutes=1))
    assert proposal_expiry.expire_due() == 1
    read = page(garage, lead_id)
    assert read.loss_prompt.outcome == "expired" and read.details.timeline[0].kind == "expired"
    leads.change_status(garage.dealer.id, lead_id, command(ChangeStatus, status=LeadStatus.LOST,
                                                           reason="Achat ailleurs"), by=garage.seller.id)
    assert page(garage, lead_id).loss_prompt is None
