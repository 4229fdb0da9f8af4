"""Builders and a customer's browser for the portal tests: a sent proposal, its link, its emails."""
import email
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email import policy
from pathlib import Path
from urllib.parse import urlencode, urljoin

from chalicelib.documents import dev_ca
from chalicelib.domain.links import hash_token
from chalicelib.portal.security import csrf_token
from chalicelib.settings import settings
from chalicelib.store import keys
from chalicelib.store.table import table
from tests import offers
from tests.offers import emails_to, read
from tests.support import Api, at, body  # noqa: F401  (at: the portal tests' clock, shared)

# Seller tokens are checked against the real clock: the story starts a few minutes ago.
NOW = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=5)
SENT_AT = NOW + timedelta(minutes=1)
LATER = SENT_AT + timedelta(minutes=2)
PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126 Mobile Safari/537.36"
FORM = "application/x-www-form-urlencoded"
IBAN = "FR76 3000 6000 0112 3456 7890 189"
CODE = re.compile(r"\b(\d{6})\b")
NONCE = re.compile(r'nonce="[^"]+"')
CSRF_VALUE = re.compile(r'name="csrf" value="[^"]+"')
FORM_CSRF = re.compile(r'<form method="post"(?: action="(?P<action>[^"]*)")?[^>]*>\s*'
                       r'<input type="hidden" name="csrf" value="(?P<csrf>[^"]+)">')


@dataclass
class Sent:
    """A proposal sent by email: its id, the customer's address and the token read from the email."""
    proposal_id: str
    email: str
    token: str


def seller_block(tag: str) -> dict:
    """The seller block shown to the customer, with an address of the test's own: the seller's notifications
    go there, and other tests counting the emails to the shared demo address are not disturbed."""
    return {**offers.SELLER_BLOCK, "email": f"victor-{tag.lower()}@tilleuls.example"}


def send(seller: Api, offer: offers.Offer, **send_fields) -> Sent:
    proposal = offers.propose(seller, offer, seller=seller_block(offer.quote_id))
    sent = seller.post(f"/proposals/{proposal['id']}/send", send_fields)
    assert sent.status_code == 200, sent.body
    token = offers.token_in(read(emails_to(offer.email)[-1]))
    return Sent(proposal["id"], offer.email, token)


def header(response, name: str) -> str | None:
    return next((v for k, v in response.headers.items() if k.lower() == name.lower()), None)


def html(response) -> str:
    return response.body.decode() if isinstance(response.body, bytes) else response.body


def without_nonce_and_csrf(page: str) -> str:
    return CSRF_VALUE.sub('name="csrf" value=""', NONCE.sub('nonce=""', page))


class Customer:
    """The customer's phone: GETs and form POSTs on /p/<token>, as a browser sends them."""

    def __init__(self, client, token: str, user_agent: str = PHONE):
        self.client, self.token, self.user_agent = client, token, user_agent

    @property
    def url(self) -> str:
        return f"/p/{self.token}"

    def get(self, path: str = "", **headers: str):
        """A page, and its image (seen.svg) as a browser loads it when it shows the page."""
        sent = {"user-agent": self.user_agent, "accept": "text/html", **headers}
        response = self.client.http.get(self.url + path, headers=sent)
        if not path and 'src="' + self.token + '/seen.svg"' in response.body.decode():
            assert self.client.http.get(f"{self.url}/seen.svg", headers=sent).status_code == 200
        return response

    def fetch(self, method: str = "GET", **headers: str):
        """The page alone, as a mail scanner, a link checker or a prefetch fetches it (no image loaded)."""
        return self.client.http.request(method, self.url, headers={"user-agent": self.user_agent, **headers})

    def post(self, path: str = "", fields: dict | None = None, form: str | None = None, csrf: str | None = None,
             content_type: str = FORM, raw: bytes | None = None):
        data = dict(fields or {})
        if form is not None:
            data["csrf"] = csrf if csrf is not None else self.csrf(form)
        payload = raw if raw is not None else urlencode(data).encode()
        return self.client.http.request("POST", self.url + path, body=payload,
                                        headers={"user-agent": self.user_agent, "content-type": content_type})

    def csrf(self, form: str) -> str:
        return csrf_token(settings().csrf_secret, hash_token(self.token), form)

    def submit(self, path: str, page: str, fields: dict, action: str | None = None):
        """Posts the page's form (its CSRF token read from the page) to where the form says."""
        forms = [m for m in FORM_CSRF.finditer(page) if action is None or (m["action"] or "").endswith(action)]
        assert forms, "no such form on the page"
        target = urljoin(self.url + path, forms[0]["action"]) if forms[0]["action"] else self.url + path
        return self.client.http.request("POST", target, body=urlencode({**fields, "csrf": forms[0]["csrf"]}).encode(),
                                        headers={"user-agent": self.user_agent, "content-type": FORM})


SIGN_FORM = {"full_name": "Marie Durand", "terms": "1", "iban": IBAN}


def sign(customer: Customer, sent: Sent) -> None:
    """The customer fills the sign form and types the code the email brought: the proposal is accepted."""
    assert customer.post("/sign", SIGN_FORM, form="sign").status_code == 303
    assert customer.post("/code", {"code": latest_code(sent.email)}, form="code").status_code == 303


def follow(response, base: str) -> str:
    """Where a 303 leads, as a path."""
    assert response.status_code == 303, (response.status_code, html(response)[:500])
    return urljoin(base, header(response, "location"))


def latest_code(address: str) -> str:
    """The six digits of the last code email sent to this address."""
    codes = [read(m) for m in emails_to(address) if "code de sécurité" in read(m).subject.lower()]
    assert codes, "no code email"
    found = CODE.search(codes[-1].text)
    assert found
    return found.group(1)


def attachment_of(message, name_end: str = ".pdf") -> bytes:
    raw = message.raw_data
    parsed = email.message_from_string(raw if isinstance(raw, str) else raw.decode(), policy=policy.default)
    for part in parsed.iter_attachments():
        if part.get_filename().endswith(name_end):
            return part.get_content()
    raise AssertionError("no attachment")


def stored_state(dealer_id: str, *tokens: str) -> list[dict]:
    """Every item of the dealer's partition and of the given links: what a refusal must leave untouched."""
    items = table.query_all(keys.dealer(dealer_id)[keys.PK])
    links = [table.get(keys.link(hash_token(t))) for t in tokens]
    return sorted(items, key=lambda i: i[keys.SK]) + links


def dev_root(directory: Path) -> bytes:
    return dev_ca.load_or_create(directory).chain_pem


def proposal_view(seller: Api, proposal_id: str) -> dict:
    return body(seller.get(f"/proposals/{proposal_id}"))


def table_calls(monkeypatch) -> list[str]:
    """The table's client calls (get_item, query, ...) made from now on, in order."""
    from chalicelib.store import table as table_module

    calls: list[str] = []
    real = table_module.Table._client.fget

    class Counting:
        def __init__(self, inner):
            self.inner = inner

        def __getattr__(self, name):
            calls.append(name)
            return getattr(self.inner, name)

    monkeypatch.setattr(table_module.Table, "_client", property(lambda self: Counting(real(self))))
    return calls


def rewrite_evidence(dealer_id: str, proposal_id: str, *, seq: int, ip: str) -> None:
    """What someone with write access to the table could do (issue 11 item 5): change one event and recompute
    every hash after it, the stored head and `signature.evidence_head`, so the stored chain verifies."""
    from chalicelib.domain import evidence
    from chalicelib.store import keys
    from chalicelib.store.table import table, to_dynamo

    stored = table.get(keys.proposal(dealer_id, proposal_id))
    chain = evidence.Chain.start(evidence.subject_of(dealer_id, proposal_id))
    at_signature = None
    for position in range(1, stored["evidence_seq"] + 1):
        item = table.get(keys.evidence_event(dealer_id, proposal_id, position))
        event = evidence.EvidenceEvent.model_validate(item)
        chain, forged = evidence.append(chain, event.kind, event.at, ip=ip if position == seq else event.ip,
                                        user_agent=event.user_agent, details=event.details)
        table._client.put_item(TableName=table.name, Item=to_dynamo({**item, **forged.model_dump(mode="json")}))
        if position == stored["signature"]["evidence_seq"]:
            at_signature = forged.hash
    signature = {**stored["signature"], "evidence_head": at_signature}
    table._client.put_item(TableName=table.name, Item=to_dynamo({**stored, "evidence_head": chain.head_hash,
                                                                 "signature": signature}))
