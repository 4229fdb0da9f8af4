"""The portal's pages show an icon in the browser's tab, served as a cached, inert SVG."""
import re
from urllib.parse import urljoin

import pytest

from tests import offers, portal
from tests.portal import Customer, header, html

ICON = re.compile(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">')


@pytest.fixture
def customer(client, seller, garage) -> Customer:
    sent = portal.send(seller, offers.offer(seller, garage.dealer.id.lower()))
    return Customer(client, sent.token)


@pytest.mark.parametrize("path", ["", "/question", "/decline"])
def test_every_portal_page_links_the_icon_relative_to_itself(client, customer, path):
    page = customer.get(path)
    [href] = ICON.findall(html(page))

    icon = client.http.get(urljoin(customer.url + path, href))

    assert icon.status_code == 200
    assert header(icon, "content-type") == "image/svg+xml"
    assert header(icon, "cache-control") == "public, max-age=86400"
    assert header(icon, "content-security-policy") == "default-src 'none'"
    assert header(icon, "x-content-type-options") == "nosniff"
    assert html(icon).startswith("<svg") and "<script" not in html(icon)


def test_an_unknown_link_page_links_the_icon_too(client):
    page = client.http.get("/p/" + "x" * 43, headers={"accept": "text/html"})

    assert ICON.findall(html(page)) == ["favicon.svg"]
