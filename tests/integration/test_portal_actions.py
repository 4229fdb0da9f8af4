"""The portal's other behaviours on the local services: views, downloads, declining, new links, headers, evidence."""
import hashlib
import json
import secrets
import urllib.request
from datetime import timedelta
from html import unescape

import pytest

from chalicelib.documents import storage
from chalicelib.domain import local_time
from chalicelib.domain.links import hash_token
from chalicelib.services import outbox, signing
from chalicelib.settings import settings
from chalicelib.store import keys
from chalicelib.store.table import table
from tests import offers, portal
from tests.offers import emails_to
from tests.portal import Customer, LATER, SENT_AT, at, html, sign
from tests.support import body

PORTAL_HEADERS = ("content-security-policy", "referrer-policy", "cache-control", "x-robots-tag",
                  "x-content-type-options", "x-frame-options")






@pytest.fixture
def sent(seller, garage) -> portal.Sent:
    offer = offers.offer(seller, garage.dealer.id.lower())
    proposal = offers.propose(seller, offer, seller=portal.seller_block(garage.dealer.id))
    at(SENT_AT)
    assert seller.post(f"/proposals/{proposal['id']}/send", {}).status_code == 200
    at(LATER)
    return portal.Sent(proposal["id"], offer.email, offers.token_in(offers.read(emails_to(offer.email)[-1])))


def proposal_of(seller, sent) -> dict:
    return portal.proposal_view(seller, sent.proposal_id)


def seller_emails(garage) -> list[str]:
    return [offers.read(m).subject for m in emails_to(portal.seller_block(garage.dealer.id)["email"])]


# --- views ---------------------------------------------------------------------------------------

def test_views_count_once_per_link_and_day_and_are_recorded_once_a_day(seller, garage, sent, customer):
    for minutes in (0, 5, 30):
        at(LATER + timedelta(minutes=minutes))
        assert customer.get().status_code == 200
    view = proposal_of(seller, sent)
    assert view["proposal"]["status"] == "viewed" and view["proposal"]["view_count"] == 1
    customer_side = [e for e in view["history"] if e["kind"] in ("link_opened", "viewed")]
    assert sorted(e["kind"] for e in customer_side) == ["link_opened", "viewed"]
    assert all(e["details"]["ip"] == "127.0.0.1" and e["details"]["user_agent"] == portal.PHONE
               for e in customer_side)
    assert [s for s in seller_emails(garage) if "consulté" in s] == [f"Durand Transports a consulté la proposition "
                                                                     f"{view['proposal']['reference']}"]
    at(local_time.end_of_day(local_time.paris_date(LATER)) + timedelta(minutes=1))  # the next day, link still valid
    assert customer.get().status_code == 200
    assert proposal_of(seller, sent)["proposal"]["view_count"] == 2


@pytest.mark.parametrize("method, headers", [
    ("HEAD", {}), ("GET", {"sec-purpose": "prefetch;prerender"}), ("GET", {"purpose": "prefetch"}),
])
def test_a_head_or_a_prefetch_opens_the_page_but_records_nothing_and_tells_nobody(seller, garage, sent, customer,
                                                                                   method, headers):
    at(LATER)
    before = proposal_of(seller, sent)
    for _ in range(3):
        assert customer.fetch(method, **headers).status_code == 200
    after = proposal_of(seller, sent)
    assert (after["proposal"]["status"], after["proposal"]["view_count"]) == ("sent", 0)
    assert after["history"] == before["history"]
    assert not [s for s in seller_emails(garage) if "consulté" in s]


def test_a_mail_scanner_fetching_the_page_opens_the_link_without_making_it_viewed(seller, garage, sent, customer):
    at(LATER)
    for _ in range(20):
        assert customer.fetch().status_code == 200
    view = proposal_of(seller, sent)
    assert (view["proposal"]["status"], view["proposal"]["view_count"]) == ("sent", 0)
    assert [e["kind"] for e in view["history"] if e["by"] == "customer"] == ["link_opened"]
    assert not [s for s in seller_emails(garage) if "consulté" in s]


def test_every_portal_page_carries_the_portal_headers_even_a_404(client, customer):
    pages = [customer.get(), customer.get("/sign"), customer.get("/question"), customer.get("/nowhere"),
             customer.get("/nowhere/else"), customer.post("/nowhere", {}),
             Customer(client, secrets.token_urlsafe(32)).get(),
             client.http.request("PUT", customer.url, body=b"", headers={"content-type": "text/plain"})]
    assert [p.status_code for p in pages] == [200, 200, 200, 404, 404, 404, 404, 405]
    for page in pages:
        for name in PORTAL_HEADERS:
            assert portal.header(page, name), (page.status_code, name)
        assert "script-src" not in portal.header(page, "content-security-policy")
        assert "nonce-" in portal.header(page, "content-security-policy")
        assert portal.header(page, "content-type").startswith("text/html")
    assert "Page introuvable" in html(pages[3])


def test_the_proposal_page_is_small_and_has_no_script(customer):
    page = html(customer.get())
    assert len(page.encode()) <= 30_000
    assert "<script" not in page and "style=" not in page


# --- downloads ---------------------------------------------------------------------------------------

def test_downloading_the_pdf_is_counted_recorded_and_told_to_the_seller(seller, garage, sent, customer):
    answer = customer.get("/document.pdf")
    assert answer.status_code == 303
    with urllib.request.urlopen(portal.header(answer, "location")) as download:
        data = download.read()
        disposition = download.headers["Content-Disposition"]
    view = proposal_of(seller, sent)
    assert data == storage.get(view["proposal"]["pdf"]["s3_key"]) and disposition.startswith("attachment")
    assert view["proposal"]["download_count"] == 1
    [event] = [e for e in view["history"] if e["kind"] == "downloaded"]
    assert event["details"]["document_sha256"] == view["proposal"]["pdf"]["sha256"]
    assert any("téléchargé" in s for s in seller_emails(garage))


def test_once_signed_the_download_is_the_signed_copy(seller, sent, customer):
    sign(customer, sent)
    answer = customer.get("/document.pdf")
    with urllib.request.urlopen(portal.header(answer, "location")) as download:
        data = download.read()
    signature = proposal_of(seller, sent)["proposal"]["signature"]
    assert data == storage.get(signature["signed_pdf"]["s3_key"])


# --- decline --------------------------------------------------------------------------------------------

def test_a_customer_declines_with_a_reason_and_the_seller_is_told(seller, garage, sent, customer):
    page = html(customer.get("/decline"))
    declined = customer.submit("/decline", page, {"reason": "J'ai trouvé moins cher."})
    assert declined.status_code == 303
    shown = customer.get()
    assert shown.status_code == 200 and "Proposition déclinée" in unescape(html(shown))
    assert "J'ai trouvé moins cher." in unescape(html(shown))
    view = proposal_of(seller, sent)
    assert view["proposal"]["status"] == "declined" and view["proposal"]["declined_reason"] == "J'ai trouvé moins cher."
    assert any("refusé" in s for s in seller_emails(garage))
    assert customer.get("/sign").status_code == 303
    assert customer.post("/sign", {"full_name": "Marie Durand", "terms": "1"}, form="sign").status_code == 303
    item = table.get(keys.proposal(garage.dealer.id, sent.proposal_id))
    assert "due_pk" not in item


# --- new links ---------------------------------------------------------------------------------------------

def test_a_new_link_goes_to_the_recorded_address_and_replaces_the_old_one(client, sent, customer):
    at(SENT_AT + timedelta(hours=30))
    assert customer.post("", {}, form="new-link").status_code == 200
    [renewal] = [offers.read(m) for m in emails_to(sent.email) if "nouveau lien" in offers.read(m).subject]
    fresh = Customer(client, offers.token_in(renewal))
    assert fresh.token != sent.token and fresh.get().status_code == 200
    assert customer.get().status_code == 410
    assert table.get(keys.link(hash_token(fresh.token)))["purpose"] == "renewal"


# --- the seller's side ------------------------------------------------------------------------------------------

def test_the_seller_sees_the_signer_and_every_step_with_time_ip_and_browser(seller, garage, sent, customer):
    customer.get()
    sign(customer, sent)
    view = proposal_of(seller, sent)
    signature = view["proposal"]["signature"]
    assert signature["signer_name"] == "Marie Durand" and signature["signer_email"] == sent.email
    assert signature["signed_at"] and signature["proposal_version"] == 1
    assert "no_claim_declared" in signature and signature["iban_masked"].endswith("0189")
    link = body(seller.get(f"/proposals/{sent.proposal_id}/proofs/signed.pdf"))
    assert link["url_expires_in"] == 300 and link["sha256"] == signature["signed_pdf"]["sha256"]
    assert any("signé" in s for s in seller_emails(garage))


def test_a_changed_evidence_event_is_reported_as_tampering(seller, garage, sent, customer):
    customer.get()
    sign(customer, sent)
    assert signing.verify_evidence(garage.dealer.id, sent.proposal_id).ok
    key = keys.evidence_event(garage.dealer.id, sent.proposal_id, 2)
    event = table.get(key)
    table._client.put_item(TableName=table.name, Item=_dynamo({**event, "ip": "198.51.100.9"}))
    report = signing.verify_evidence(garage.dealer.id, sent.proposal_id)
    assert not report.ok and report.first_bad_seq == 2
    proofs = body(seller.get(f"/proposals/{sent.proposal_id}/proofs/evidence.json"))
    assert proofs["chain"]["verification"]["ok"] is False


def test_removing_the_last_evidence_events_is_reported_against_the_stored_head(garage, sent, customer):
    customer.get()
    sign(customer, sent)
    head = table.get(keys.proposal(garage.dealer.id, sent.proposal_id))["evidence_seq"]
    table._client.delete_item(TableName=table.name, Key=_dynamo(keys.evidence_event(garage.dealer.id,
                                                                                     sent.proposal_id, head)))
    report = signing.verify_evidence(garage.dealer.id, sent.proposal_id)
    assert not report.ok and "événements" in report.problem


def test_a_full_rewrite_of_the_stored_evidence_is_found_against_the_chain_sealed_in_the_pdf(seller, garage, sent,
                                                                                           customer):
    """Issue 11 item 5: events, stored head and `signature.evidence_head` rewritten with recomputed hashes."""
    customer.get()
    sign(customer, sent)
    assert signing.verify_evidence(garage.dealer.id, sent.proposal_id).ok
    portal.rewrite_evidence(garage.dealer.id, sent.proposal_id, seq=2, ip="198.51.100.9")
    report = signing.verify_evidence(garage.dealer.id, sent.proposal_id)
    assert not report.ok and report.first_bad_seq == 2 and "PDF signé" in report.problem
    proofs = body(seller.get(f"/proposals/{sent.proposal_id}/proofs/evidence.json"))
    assert proofs["chain"]["verification"]["ok"] is False


def test_the_signed_pdf_carries_the_evidence_under_a_timestamped_seal(seller, garage, sent, customer):
    from chalicelib.documents import sealing

    customer.get()
    sign(customer, sent)
    stored = table.get(keys.proposal(garage.dealer.id, sent.proposal_id))
    pdf = storage.get(stored["signature"]["signed_pdf"]["s3_key"])
    report = sealing.validate(pdf, sealing.trust_roots_from_settings())
    assert report.ok and report.timestamp_valid and report.timestamp is not None
    embedded = json.loads(report.evidence)
    assert embedded["chain"]["head"] == {"seq": stored["signature"]["evidence_seq"],
                                         "hash": stored["signature"]["evidence_head"]}
    assert embedded["chain"]["verification"]["ok"] and "signed" not in embedded["documents"]
    assert embedded["signer"]["name"] == "Marie Durand"
    shown = embedded["documents"]["shown"]
    assert hashlib.sha256(pdf[:shown["length"]]).hexdigest() == shown["sha256"]


def _dynamo(item: dict) -> dict:
    from chalicelib.store.table import to_dynamo

    return to_dynamo(item)


def test_an_acceptance_that_loses_a_race_leaves_only_the_winner_s_signed_file(monkeypatch, garage, sent, customer):
    from chalicelib.clients import client as aws_client
    from chalicelib.domain.signing import ConcurrentChange
    from chalicelib.services import signing as signing_service

    assert customer.post("/sign", {"full_name": "Marie Durand", "terms": "1", "iban": portal.IBAN},
                         form="sign").status_code == 303
    calls: list[int] = []

    class FirstLoses(signing_service.UnitOfWork):
        """The acceptance's unit of work, losing its first commit to a concurrent change."""

        def commit(self):
            calls.append(len(self.writes))
            if len(calls) == 1:
                raise ConcurrentChange()
            return super().commit()

    monkeypatch.setattr(signing_service, "UnitOfWork", FirstLoses)
    assert customer.post("/code", {"code": portal.latest_code(sent.email)}, form="code").status_code == 303
    prefix = f"dealers/{garage.dealer.id}/proposals/{sent.proposal_id}/"
    listed = aws_client("s3").list_objects_v2(Bucket=settings().documents_bucket, Prefix=prefix)
    signed = [o["Key"] for o in listed.get("Contents", []) if "-signed-" in o["Key"]]
    stored = table.get(keys.proposal(garage.dealer.id, sent.proposal_id))
    assert len(calls) == 2 and signed == [stored["signature"]["signed_pdf"]["s3_key"]]


def test_the_code_page_reads_the_link_once(sent, customer, monkeypatch):
    assert customer.post("/sign", portal.SIGN_FORM, form="sign").status_code == 303
    calls = portal.table_calls(monkeypatch)
    page = customer.get("/code")
    assert page.status_code == 200 and 'name="code"' in html(page)
    assert calls == ["get_item", "query"]


def test_a_strange_token_never_redirects_outside_the_portal(client):
    for token in ("%2F%2Fevil.example", "..%2F..%2Fapi", "a%3Fb%23c"):
        answer = client.http.get(f"/p/{token}/document.pdf")
        location = portal.header(answer, "location")
        assert answer.status_code == 303 and location.startswith("../") and "/" not in location[3:], location


# --- a failed email never loses the signature ------------------------------------------------------

def test_when_ses_fails_during_the_signature_the_proposal_is_accepted_and_the_emails_go_out_once_later(
        monkeypatch, seller, sent, customer):
    assert customer.post("/sign", {"full_name": "Marie Durand", "terms": "1", "iban": portal.IBAN},
                         form="sign").status_code == 303
    code = portal.latest_code(sent.email)
    before = len(emails_to(sent.email))
    monkeypatch.setenv("OFFERLINE_SENDER_EMAIL", "unverified@example.com")
    settings.cache_clear()
    assert customer.post("/code", {"code": code}, form="code").status_code == 303
    assert proposal_of(seller, sent)["proposal"]["status"] == "accepted"
    assert len(emails_to(sent.email)) == before
    monkeypatch.delenv("OFFERLINE_SENDER_EMAIL")
    settings.cache_clear()
    at(LATER + timedelta(minutes=5))
    assert outbox.retry_due() >= 2
    at(LATER + timedelta(hours=3))
    outbox.retry_due()
    acknowledgements = emails_to(sent.email)[before:]
    assert len(acknowledgements) == 1
    assert portal.attachment_of(acknowledgements[0]).startswith(b"%PDF")


def test_when_ses_fails_during_a_question_it_is_recorded_and_both_emails_go_out_once_later(
        monkeypatch, seller, garage, sent, customer):
    question = "Livraison possible un samedi ?"
    before_customer, before_seller = len(emails_to(sent.email)), len(seller_emails(garage))
    monkeypatch.setenv("OFFERLINE_SENDER_EMAIL", "unverified@example.com")
    settings.cache_clear()
    asked = customer.post("/question", {"question": question}, form="question")
    assert (asked.status_code, portal.header(asked, "location")) == (303, "question/sent")
    asked_events = [e for e in proposal_of(seller, sent)["history"] if e["kind"] == "question_asked"]
    assert [e["details"]["question"] for e in asked_events] == [question]
    assert (len(emails_to(sent.email)), len(seller_emails(garage))) == (before_customer, before_seller)
    monkeypatch.delenv("OFFERLINE_SENDER_EMAIL")
    settings.cache_clear()
    at(LATER + timedelta(minutes=5))
    outbox.retry_due()
    at(LATER + timedelta(hours=3))
    outbox.retry_due()
    acknowledgements = [offers.read(m) for m in emails_to(sent.email)[before_customer:]]
    assert len(acknowledgements) == 1 and question in acknowledgements[0].text
    assert [s for s in seller_emails(garage)[before_seller:] if "question" in s] and \
        len(seller_emails(garage)) == before_seller + 1
