"""The customer's view, question and decline, called as the portal's routes call them, on the in-memory table:
each action is one unit of work (the link, the proposal's aggregate, one transaction), a refused one writes
nothing, and a lost race is read again."""
import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.links import PortalState
from chalicelib.domain.proposals.model import EventKind, ProposalStatus
from chalicelib.portal.security import InvalidCsrf
from chalicelib.services import portal, visit
from chalicelib.services.visit import Closed
from chalicelib.store import keys
from tests import customer_side as side
from tests.customer_side import PHONE
from tests.support import tenant


@pytest.fixture
def garage(memory):
    side.at(side.NOW)
    return tenant()


@pytest.fixture
def sent(garage):
    return side.sent(garage)


# --- view ---------------------------------------------------------------------------------------

def test_opening_the_page_records_lien_ouvert_once_a_day_without_counting_nor_telling(memory, sent):
    memory.calls.clear()
    shown = portal.view(sent.token, PHONE)
    assert shown.state == PortalState.SHOW
    assert dict(memory.calls) == {"GetItem": 1, "Query": 1, "TransactWriteItems": 1}
    for _ in range(5):
        side.later(10)
        assert portal.view(sent.token, PHONE).state == PortalState.SHOW
    opened = side.stored(sent)
    assert (opened.status, opened.view_count) == (ProposalStatus.SENT, 0)
    assert side.evidence(sent) == ["link_opened"] and side.history(sent) == [EventKind.LINK_OPENED]
    assert side.seller_notices(memory) == []


def test_the_view_confirmed_by_the_browser_counts_once_a_day_and_tells_the_seller(memory, sent):
    portal.view(sent.token, PHONE)
    portal.seen(sent.token, PHONE)
    side.later(30)
    portal.seen(sent.token, PHONE)
    viewed = side.stored(sent)
    assert (viewed.status, viewed.view_count, viewed.last_viewed_at) == (ProposalStatus.VIEWED, 1, side.NOW)
    assert side.evidence(sent) == ["link_opened", "viewed"]
    assert side.history(sent) == [EventKind.LINK_OPENED, EventKind.VIEWED]
    assert side.seller_notices(memory) == ["consulté"]
    side.later(60 * 15)  # the next day in Paris
    portal.view(sent.token, PHONE)
    portal.seen(sent.token, PHONE)
    assert side.stored(sent).view_count == 2
    assert side.evidence(sent) == ["link_opened", "viewed", "link_opened", "viewed"]


def test_a_view_that_loses_every_race_is_shown_all_the_same(memory, sent, monkeypatch):
    stale = visit.open_link(sent.token)
    portal.view(sent.token, PHONE)  # another tab wrote between each of this request's reads and its write
    before = side.snapshot(memory)
    monkeypatch.setattr(portal, "open_link", lambda token, whole=False: stale)
    assert portal.view(sent.token, PHONE).state == PortalState.SHOW
    portal.seen(sent.token, PHONE)
    assert memory.items == before


@pytest.mark.parametrize("token", ["not-a-token", "A" * 43])
def test_an_unknown_token_looks_expired_and_writes_nothing(memory, sent, token):
    before = side.snapshot(memory)
    assert portal.view(token, PHONE).state == PortalState.UNKNOWN
    assert memory.items == before


def test_an_expired_link_shows_its_page_and_writes_nothing(memory, sent):
    before = side.snapshot(memory)
    side.later(60 * 24 * 8)
    assert portal.view(sent.token, PHONE).state == PortalState.LINK_EXPIRED
    assert memory.items == before


def test_a_withdrawn_proposal_is_blocked_and_writes_nothing(memory, garage):
    withdrawn = side.sent(garage, status=ProposalStatus.WITHDRAWN)
    before = side.snapshot(memory)
    assert portal.view(withdrawn.token, PHONE).state == PortalState.BLOCKED
    assert memory.items == before


def test_a_view_that_loses_a_race_is_read_again_and_recorded_once(memory, sent, monkeypatch):
    stale = visit.open_link(sent.token)
    portal.view(sent.token, PHONE)  # another tab, between this request's read and its write
    reads = []

    def first_stale(token, whole=False):
        reads.append(token)
        return stale if len(reads) == 1 else visit.open_link(token, whole)

    monkeypatch.setattr(portal, "open_link", first_stale)
    side.later(1)
    portal.view(sent.token, PHONE)
    assert len(reads) == 2
    assert side.evidence(sent) == ["link_opened"]
    assert side.stored(sent).evidence_seq == 1


# --- question -------------------------------------------------------------------------------------

def test_a_question_goes_to_the_seller_with_an_acknowledgement_to_the_customer(memory, sent):
    portal.ask(sent.token, sent.form("question", question="La reprise est-elle incluse ?"), PHONE)
    view = side.store.get_with_history(sent.proposal.dealer_id, sent.proposal.id)
    [asked] = view.history
    assert (asked.kind, asked.details["question"]) == (EventKind.QUESTION_ASKED, "La reprise est-elle incluse ?")
    assert side.evidence(sent) == ["question_asked"] and view.proposal.evidence_seq == 1
    assert side.seller_notices(memory) == ["posé une question sur"]
    [ack] = side.queued(memory, "question_ack")
    assert ack["to"] == "marie@example.com"


@pytest.mark.parametrize("form, refused", [
    ({"question": "  "}, InvalidInput),
    ({"question": "x" * 2001}, InvalidInput),
])
def test_an_empty_or_too_long_question_changes_nothing(memory, sent, form, refused):
    before = side.snapshot(memory)
    with pytest.raises(refused):
        portal.ask(sent.token, sent.form("question", **form), PHONE)
    assert memory.items == before


def test_a_question_without_its_form_s_csrf_token_changes_nothing(memory, sent):
    before = side.snapshot(memory)
    with pytest.raises(InvalidCsrf):
        portal.ask(sent.token, {**sent.form("decline"), "question": "Bonjour ?"}, PHONE)
    assert memory.items == before


def test_a_question_on_a_withdrawn_proposal_is_sent_back_to_its_page(memory, garage):
    withdrawn = side.sent(garage, status=ProposalStatus.WITHDRAWN)
    before = side.snapshot(memory)
    with pytest.raises(Closed) as closed:
        portal.ask(withdrawn.token, withdrawn.form("question", question="Encore là ?"), PHONE)
    assert closed.value.state == PortalState.BLOCKED and memory.items == before


# --- decline ----------------------------------------------------------------------------------------

def test_declining_moves_the_proposal_out_of_the_due_index_with_its_reason(memory, sent):
    portal.decline(sent.token, sent.form("decline", reason="Trop cher pour moi."), PHONE)
    declined = side.stored(sent)
    assert (declined.status, declined.declined_at, declined.declined_reason) == (
        ProposalStatus.DECLINED, side.NOW, "Trop cher pour moi.")
    item = memory.items[tuple(keys.proposal(declined.dealer_id, declined.id).values())]
    assert keys.DUE_PK not in item
    assert side.history(sent) == [EventKind.DECLINED] and side.evidence(sent) == ["declined"]
    assert side.seller_notices(memory) == ["refusé"]


def test_a_declined_proposal_cannot_be_declined_again(memory, sent):
    portal.decline(sent.token, sent.form("decline"), PHONE)
    before = side.snapshot(memory)
    with pytest.raises(Closed) as closed:
        portal.decline(sent.token, sent.form("decline", reason="Encore non."), PHONE)
    assert closed.value.state == PortalState.DECLINED_VIEW and memory.items == before


def test_a_reason_too_long_changes_nothing(memory, sent):
    before = side.snapshot(memory)
    with pytest.raises(InvalidInput):
        portal.decline(sent.token, sent.form("decline", reason="x" * 5000), PHONE)
    assert memory.items == before and side.stored(sent).status == ProposalStatus.SENT
