"""The customer's side on the in-memory table: a garage, a proposal sent with its link, and what to read back.

Service unit tests (tests/unit/services/test_portal_*.py) call the use cases directly with these.
"""
import copy
import json
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from chalicelib.domain.links import hash_token
from chalicelib.domain.proposals.model import CoHolder, EventKind, Proposal, ProposalStatus
from chalicelib.payments.local import sign as stripe_signature
from chalicelib.portal.security import csrf_token
from chalicelib.services.customer_contact import issue_link
from chalicelib.services.visit import Visitor
from chalicelib.settings import DEV_PAYMENT_WEBHOOK_SECRET, settings
from chalicelib.store import keys
from chalicelib.store import orders as order_store
from chalicelib.store import portal as portal_store
from chalicelib.store import proposals as store
from chalicelib.store.unit_of_work import commit
from tests import samples
from tests.support import Tenant, at

NOW = datetime(2026, 11, 24, 9, 15, tzinfo=timezone.utc)
PHONE = Visitor.of("203.0.113.7", "Mozilla/5.0 (Android 14; Mobile)")
IBAN = "FR76 3000 6000 0112 3456 7890 189"
SIGN_FORM = {"full_name": "Marie Durand", "terms": "1", "iban": IBAN}
_CODE = re.compile(r"\b(\d{6})\b")


@dataclass(frozen=True)
class Sent:
    proposal: Proposal
    token: str

    def form(self, name: str, **fields: str) -> dict[str, str]:
        """A form as the portal's page posts it, with its CSRF token for this link and form."""
        return {**fields, "csrf": csrf_token(settings().csrf_secret, hash_token(self.token), name)}


def sent(garage: Tenant, e_signature: bool = True, status: ProposalStatus | None = None,
         order_template: bool = True, co_holder: CoHolder | None = None, codes_by_sms: bool = False) -> Sent:
    """A proposal of the garage's seller sent to Marie (moved to `status` when given), with a link to it,
    keeping the dealer's order milestones as sending does (`order_template=False`: sent before it did)."""
    at(NOW)
    draft = samples.proposal().model_copy(update={"dealer_id": garage.dealer.id, "seller_id": garage.seller.id,
                                                  "co_holder": co_holder})
    kept = order_store.template(garage.dealer.id).items if order_template else None
    proposal = draft.sent(samples.TO_MARIE, e_signature, NOW, kept, codes_by_sms=codes_by_sms)
    if status is not None:
        proposal = proposal.moved_to(status, NOW)
    store.create(proposal, [])
    link = issue_link(garage.dealer, proposal, samples.TO_MARIE.email, NOW)
    commit(link.write)
    return Sent(proposal, link.token)


def stored(the: Sent) -> Proposal:
    return store.get(the.proposal.dealer_id, the.proposal.id)


def history(the: Sent) -> list[EventKind]:
    return [e.kind for e in store.get_with_history(the.proposal.dealer_id, the.proposal.id).history]


def evidence(the: Sent) -> list[str]:
    aggregate = portal_store.read(the.proposal.dealer_id, the.proposal.id, whole=True)
    assert aggregate is not None
    return [e.kind.value for e in aggregate.evidence]


def queued(memory, purpose: str) -> list[dict]:
    return [item for (_, sk), item in memory.items.items()
            if sk.startswith(keys.OUTBOX_PREFIX) and item.get("purpose") == purpose]


def seller_notices(memory) -> list[str]:
    """What the seller notices queued say the customer did ("consulté", "signé"...)."""
    return [item["variables"]["event"] for item in queued(memory, "seller_notification")]


def latest_code(memory) -> str:
    [*_, email] = sorted(queued(memory, "signing_code"), key=lambda item: item["created_at"])
    found = _CODE.search(email["text"])
    assert found
    return found.group(1)


def snapshot(memory) -> dict:
    return copy.deepcopy(memory.items)


def later(minutes: int) -> datetime:
    moment = NOW + timedelta(minutes=minutes)
    at(moment)
    return moment


def webhook_event(the: Sent, kind: str = "checkout.session.completed", amount: int | None = None,
                  event_id: str = "evt_1", session_id: str = "cs_1", payment_intent: str = "pi_1",
                  status: str = "paid") -> tuple[bytes, str]:
    """A provider event about this proposal's checkout, as its bytes and signature header arrive."""
    payload = json.dumps({"id": event_id, "object": "event", "type": kind, "created": int(time.time()),
                          "data": {"object": {
                              "id": session_id, "object": "checkout.session",
                              "amount_total": the.proposal.deposit_cents if amount is None else amount,
                              "currency": "eur", "payment_status": status, "payment_intent": payment_intent,
                              "metadata": {"dealer_id": the.proposal.dealer_id, "proposal_id": the.proposal.id},
                          }}}).encode()
    return payload, stripe_signature(payload, DEV_PAYMENT_WEBHOOK_SECRET, int(time.time()))
