"""Questions as a thread on the local services: the seller reads and answers the customer's question;
the answer is emailed, shown on the portal under the question, in the history and the evidence."""
from datetime import timedelta
from html import unescape

import pytest

from chalicelib.domain import evidence
from chalicelib.services import outbox
from chalicelib.store import portal as store
from tests import offers, portal
from tests.offers import emails_to
from tests.portal import LATER, SENT_AT, at, html
from tests.support import body, tenant


@pytest.fixture
def sent(seller, garage) -> portal.Sent:
    offer = offers.offer(seller, garage.dealer.id.lower())
    proposal = offers.propose(seller, offer, seller=portal.seller_block(garage.dealer.id))
    at(SENT_AT)
    assert seller.post(f"/proposals/{proposal['id']}/send", {}).status_code == 200
    at(LATER)
    return portal.Sent(proposal["id"], offer.email, offers.token_in(offers.read(emails_to(offer.email)[-1])))


def test_the_seller_answers_the_question_and_the_customer_reads_it_by_email_and_on_the_portal(
        seller, garage, sent, customer):
    asked = customer.post("/question", {"question": "Livraison possible un samedi ?"}, form="question")
    assert asked.status_code == 303
    [question] = portal.proposal_view(seller, sent.proposal_id)["questions"]
    assert question["text"] == "Livraison possible un samedi ?" and question["answers"] == []
    assert portal.proposal_view(seller, sent.proposal_id)["proposal"]["question_count"] == 1
    before = len(emails_to(sent.email))

    at(LATER + timedelta(minutes=10))
    answered = seller.post(f"/proposals/{sent.proposal_id}/questions/{question['id']}/answer",
                           {"answer": "Oui, le samedi matin <b>jusqu'à midi</b>."})
    assert answered.status_code == 200
    [thread] = body(answered)["questions"]
    assert [a["text"] for a in thread["answers"]] == ["Oui, le samedi matin <b>jusqu'à midi</b>."]
    view = portal.proposal_view(seller, sent.proposal_id)
    assert view["questions"] == body(answered)["questions"]
    assert [e["kind"] for e in view["history"]][-2:] == ["question_asked", "question_answered"]

    outbox.retry_due()
    [email] = [offers.read(m) for m in emails_to(sent.email)[before:]]
    assert email.subject == f"Réponse à votre question sur la proposition {view['proposal']['reference']}"
    assert "Livraison possible un samedi ?" in email.text and "&lt;b&gt;jusqu&#39;à midi&lt;/b&gt;" in email.text

    page = html(customer.get())
    assert "Livraison possible un samedi\u202f?" in page  # French spacing, as every sentence of the portal
    assert "Oui, le samedi matin &lt;b&gt;jusqu&#39;à midi&lt;/b&gt;." in page  # escaped once
    assert unescape(page).index("Livraison possible un samedi") < unescape(page).index("Oui, le samedi matin")

    aggregate = store.read(garage.dealer.id, sent.proposal_id, whole=True)
    chain = aggregate.evidence
    thread_proofs = [e for e in chain if e.kind.value.startswith("question_")]
    assert [e.kind.value for e in thread_proofs] == ["question_asked", "question_answered"]
    assert thread_proofs[1].details["question_id"] == question["id"] and "answer" not in thread_proofs[1].details
    assert evidence.verify(chain, evidence.subject_of(garage.dealer.id, sent.proposal_id), aggregate.chain).ok


def test_an_unknown_question_or_an_empty_answer_is_refused_and_nothing_changes(seller, sent, customer):
    customer.post("/question", {"question": "Couleur ?"}, form="question")
    [question] = portal.proposal_view(seller, sent.proposal_id)["questions"]
    history = portal.proposal_view(seller, sent.proposal_id)["history"]
    unknown = seller.post(f"/proposals/{sent.proposal_id}/questions/NOPE/answer", {"answer": "Bleu"})
    empty = seller.post(f"/proposals/{sent.proposal_id}/questions/{question['id']}/answer", {"answer": "  "})
    assert (unknown.status_code, empty.status_code) == (404, 400)
    assert body(empty)["error"]["fields"]
    assert portal.proposal_view(seller, sent.proposal_id)["history"] == history


def test_another_dealers_seller_gets_404(seller, sent, customer):
    customer.post("/question", {"question": "Couleur ?"}, form="question")
    [question] = portal.proposal_view(seller, sent.proposal_id)["questions"]
    other = tenant("Garage Voisin")
    stranger = seller.as_(other.token(other.seller))
    answered = stranger.post(f"/proposals/{sent.proposal_id}/questions/{question['id']}/answer", {"answer": "x"})
    assert answered.status_code == 404
