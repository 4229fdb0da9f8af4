"""The seller answers a customer's question from the proposal's page.

One Query reads the proposal with its history (the question's text is there); one unit of work
writes the answer's history event (its text), its evidence event (ids and length, with the
chain's new head on the proposal, on condition the chain is as read: two answers at once cannot
fork it) and the email to the customer (a fixed letter, domain/letters.py). The portal shows the
answer under the question (`thread`).
"""
from datetime import datetime

from chalicelib.domain import clock, evidence, letters
from chalicelib.domain.dealers import Staff
from chalicelib.domain.outbox import Channel, OutboxMessage
from chalicelib.domain.proposals.model import EventKind, Proposal
from chalicelib.domain.proposals.views import ProposalView
from chalicelib.domain.questions import THREAD_KINDS, AnswerQuestion, Question, question_in, thread_of
from chalicelib.services import email_events
from chalicelib.services.customer_contact import customer_address
from chalicelib.services.visit import retried
from chalicelib.store import dealers as dealer_store
from chalicelib.store import leads as lead_store
from chalicelib.store import outbox as outbox_store
from chalicelib.store import portal as portal_store
from chalicelib.store import proposals as store
from chalicelib.store.unit_of_work import commit


def answer(dealer_id: str, proposal_id: str, question_id: str, command: AnswerQuestion, by: Staff) -> ProposalView:
    dealer_store.get(dealer_id).require_remote_selling()
    return retried(lambda: _answer(dealer_id, proposal_id, question_id, command.text(), by))


def _answer(dealer_id: str, proposal_id: str, question_id: str, text: str, by: Staff) -> ProposalView:
    view = store.get_with_history(dealer_id, proposal_id)
    proposal, now = view.proposal, clock.now()
    question = question_in(view.history, question_id)
    to = customer_address(proposal)
    email_events.check_sendable(dealer_id, to)
    put = store.record_event(dealer_id, proposal_id, EventKind.QUESTION_ANSWERED, now,
                             {"question_id": question.id, "answer": text}, by=by.user_id)
    chain, proof = evidence.append(portal_store.Aggregate(proposal).chain, evidence.EventKind.QUESTION_ANSWERED, now,
                                   details={"question_id": question.id, "answer_id": str(put.attributes["id"]),
                                            "length": len(text)})
    after = proposal.evidenced(chain.seq, chain.head_hash)
    commit(portal_store.proposal_change(proposal, after, allowed=(proposal.status,)),
           portal_store.evidence(proposal, proof), put, outbox_store.new(_email(proposal, question, text, to, now)),
           lead_store.proposal_touched(proposal, EventKind.QUESTION_ANSWERED, now))
    return view.then(after, store.event_of(put))


def _email(proposal: Proposal, question: Question, text: str, to: str, at: datetime) -> OutboxMessage:
    letter = letters.write(
        "question_answer", f"Réponse à votre question sur la proposition {proposal.reference}",
        reference=proposal.reference, dealer=proposal.dealer.name, seller=proposal.seller.display_name,
        question=question.text, answer=text,
    )
    return OutboxMessage(dealer_id=proposal.dealer_id, channel=Channel.EMAIL, to=to, purpose="question_answer",
                         reply_to=str(proposal.seller.email), created_at=at, proposal=proposal.email_ref(),
                         **letter.parts())


def thread(dealer_id: str, proposal_id: str) -> list[Question]:
    """The portal's thread: one Query on the proposal's history, filtered to questions and answers."""
    return thread_of(store.history_of(dealer_id, proposal_id, THREAD_KINDS))
