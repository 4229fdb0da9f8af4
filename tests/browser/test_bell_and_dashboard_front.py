"""A seller reads the bell after the customer opened the proposal, and sees its count change while the front stays
open; a manager opens the dashboard (Chromium, axe)."""
import re

from playwright.sync_api import expect

import app as application
from chalicelib.domain.dealers import NewUser, Role, Staff
from chalicelib.services import dealers
from local.client import Client
from tests.browser.test_live_screens import POLL
from tests.browser.test_seller_front import garage, heading, log_in, look, open_page  # noqa: F401 (fixtures)
from tests.offers import emails_to, offer, propose, read, token_in
from tests.portal import Customer
from tests.support import Api, Tenant


def sent_and_viewed(client, tenant: Tenant) -> dict:
    api = Api(client, tenant.token(tenant.seller))
    made = offer(api, "bell")
    proposal = propose(api, made)
    assert api.post(f"/proposals/{proposal['id']}/send", {}).status_code == 200
    Customer(client, token_in(read(emails_to(made.email)[-1]))).get()
    return proposal


def test_a_seller_reads_the_bell_and_a_manager_opens_the_dashboard(live_server, garage, open_page):  # noqa: F811
    client = Client(application.app)
    proposal = sent_and_viewed(client, garage)

    page = open_page()
    log_in(page, live_server, garage.seller.email)
    bell = page.get_by_role("link", name="Notifications, 1 non lue")
    expect(bell).to_be_visible()
    expect(page.get_by_role("link", name="Tableau de bord")).to_have_count(0)  # managers and admins only
    bell.click()
    heading(page, "Notifications")
    expect(page.get_by_text("1 non lue.")).to_be_visible()
    item = page.get_by_role("listitem").filter(has_text=f"a consulté la proposition {proposal['reference']}")
    expect(item).to_contain_text("(non lue)")
    look(page, "front-notifications-unread")
    page.get_by_role("button", name="Tout marquer comme lu").click()
    expect(page.get_by_text("Tout est lu.")).to_be_visible()
    expect(page.get_by_role("link", name="Notifications, aucune non lue")).to_be_visible()
    item.get_by_role("link").click()
    heading(page, re.compile(r"^Proposition P"))

    admin = Staff(dealer_id=garage.dealer.id, user_id=garage.admin.id, role=Role.ADMIN)
    manager = dealers.create_user(garage.dealer.id, NewUser(email=f"resp-{garage.dealer.id.lower()}@example.com",
                                                            name="Manon Responsable", role=Role.MANAGER), by=admin)
    tablet = open_page(viewport={"width": 800, "height": 1100})
    log_in(tablet, live_server, manager.email)
    tablet.get_by_role("link", name="Tableau de bord").click()
    heading(tablet, "Tableau de bord")
    expect(tablet.get_by_role("img", name=re.compile(r"1 envoyées, 1 consultées"))).to_be_visible()
    sellers = tablet.get_by_role("region", name="Par vendeur")
    expect(sellers.get_by_role("row", name=re.compile("Victor Vendeur"))).to_contain_text("1")
    look(tablet, "front-dashboard-tablet")


def test_the_bell_counts_a_new_notice_while_the_front_stays_open(live_server, garage, open_page):  # noqa: F811
    """Polled as the live screens are (live.js): with If-None-Match, 304 while nothing changed."""
    page = open_page()
    page.clock.install()
    log_in(page, live_server, garage.seller.email)
    expect(page.get_by_role("link", name="Notifications, aucune non lue")).to_be_visible()
    with page.expect_response(lambda answer: "/me/notifications" in answer.url) as unchanged:
        page.clock.run_for(POLL)
    assert unchanged.value.status == 304
    assert unchanged.value.request.headers.get("if-none-match")

    sent_and_viewed(Client(application.app), garage)
    page.clock.run_for(POLL)
    expect(page.get_by_role("link", name="Notifications, 1 non lue")).to_be_visible()
    heading(page, "Leads")  # the same screen: nothing was reloaded
