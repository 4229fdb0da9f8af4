"""Screens stay current while they are open (SPEC K): the seller watches a proposal turn from sent to
viewed to signed without reloading while the customer acts on the portal over HTTP; the lead page shows
those steps and asks whether the lead is lost when a proposal is declined; a hidden tab polls nothing.
The page's clock is Playwright's, moved on past the polling interval (live.js EVERY)."""
import re

import requests
from playwright.sync_api import expect

import app as application
from local.client import Client
from tests.browser.test_seller_front import garage, heading, log_in, look, open_page  # noqa: F401 (fixtures)
from tests.offers import offer
from tests.portal import PHONE as PHONE_AGENT
from tests.portal import SIGN_FORM, Customer, Sent, latest_code, send
from tests.support import Api, body

POLL = 16_000  # a little more than live.js EVERY


class Phone:
    """The customer on the portal, over real HTTP to the served app (signing seals a PDF, which cannot run
    in this thread beside Playwright's event loop)."""

    def __init__(self, base: str, sent: Sent):
        self.url, self.sent = f"{base}/p/{sent.token}", sent
        self.csrf = Customer(None, sent.token).csrf
        self.headers = {"user-agent": PHONE_AGENT}

    def view(self) -> None:
        """The page and its image, as a phone shows it: viewed."""
        assert requests.get(self.url, headers=self.headers, timeout=30).status_code == 200
        assert requests.get(f"{self.url}/seen.svg", headers=self.headers, timeout=30).status_code == 200

    def post(self, path: str, form: str, **fields: str) -> None:
        answer = requests.post(self.url + path, data={**fields, "csrf": self.csrf(form)}, headers=self.headers,
                               timeout=60, allow_redirects=False)
        assert answer.status_code == 303, answer.text[:500]

    def sign(self) -> None:
        self.post("/sign", "sign", **SIGN_FORM)
        self.post("/code", "code", code=latest_code(self.sent.email))


def test_the_seller_watches_a_proposal_turn_viewed_then_signed_without_reloading(live_server, garage,  # noqa: F811
                                                                                  open_page):  # noqa: F811
    api = Api(Client(application.app), garage.token(garage.seller))
    sent = send(api, offer(api, "live"))
    page = open_page()
    page.clock.install()
    log_in(page, live_server, garage.seller.email)
    page.goto(f"{live_server}/app#/proposals/{sent.proposal_id}")
    heading(page, re.compile(r"^Proposition P"))
    header = page.locator(".proposal-header")
    expect(header.locator(".badge")).to_have_text("Envoyée")
    expect(page.get_by_text(re.compile(r"^Mis à jour à \d\d:\d\d$"))).to_be_visible()
    page.evaluate("window.stillTheSamePage = true")  # a reload would lose it

    phone = Phone(live_server, sent)
    phone.view()
    page.clock.run_for(POLL)
    expect(header.locator(".badge")).to_have_text("Consultée")
    expect(page.get_by_role("complementary", name="Historique")).to_contain_text("Consultée par le client")

    phone.sign()
    page.clock.run_for(POLL)
    expect(header.locator(".badge")).to_have_text("Acceptée")
    assert page.evaluate("window.stillTheSamePage") is True
    look(page, "front-proposal-live-signed")


def test_the_lead_page_follows_its_proposal_and_asks_whether_the_lead_is_lost(live_server, garage,  # noqa: F811
                                                                             open_page):  # noqa: F811
    api = Api(Client(application.app), garage.token(garage.seller))
    lead = api.post("/leads", {"contacts": [{"name": "Marie Durand", "email": "marie.live@example.com"}],
                               "type": "used_vehicle_sale", "source": "site web"})
    assert lead.status_code == 201, lead.body
    lead_id = body(lead)["id"]
    sent = send(api, offer(api, "livelead", origin="lead", lead_id=lead_id))
    page = open_page()
    page.clock.install()
    log_in(page, live_server, garage.seller.email)
    page.goto(f"{live_server}/app#/leads/{lead_id}")
    timeline = page.get_by_role("complementary", name="Historique")
    expect(timeline).to_contain_text("envoyée")
    expect(page.get_by_role("link", name=re.compile(r"^P\d{4}-"))).to_be_visible()

    Phone(live_server, sent).post("/decline", "decline", reason="Trop cher")
    page.clock.run_for(POLL)
    prompt = page.get_by_role("region", name="Ce lead est-il perdu ?")
    expect(prompt).to_contain_text("a été refusée par le client")
    expect(timeline).to_contain_text("refusée par le client")
    look(page, "front-lead-loss-prompt")
    prompt.get_by_role("button", name="Garder ouvert").click()
    expect(prompt).to_have_count(0)
    expect(timeline).to_contain_text("Lead gardé ouvert")


def test_a_hidden_tab_polls_nothing_and_catches_up_when_shown(live_server, garage, open_page):  # noqa: F811
    api = Api(Client(application.app), garage.token(garage.seller))
    sent = send(api, offer(api, "hidden"))
    page = open_page()
    page.clock.install()
    log_in(page, live_server, garage.seller.email)
    page.goto(f"{live_server}/app#/proposals/{sent.proposal_id}")
    heading(page, re.compile(r"^Proposition P"))
    reads: list[str] = []
    page.on("request", lambda request: reads.append(request.url) if f"/proposals/{sent.proposal_id}" in request.url
            else None)
    page.evaluate("Object.defineProperty(document, 'hidden', { value: true, configurable: true })")
    page.clock.run_for(4 * POLL)
    assert reads == []
    Phone(live_server, sent).view()
    page.evaluate("""() => {
        Object.defineProperty(document, 'hidden', { value: false, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    expect(page.locator(".proposal-header .badge")).to_have_text("Consultée")
    assert reads
