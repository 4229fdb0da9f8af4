"""The withdrawal end dates the customer reads once signed: on the page, in the acknowledgement email and on
the signed PDF's certificate page, the same day, past weekends and public holidays
(art. L221-19 du Code de la consommation)."""
from datetime import datetime, timezone
from html import unescape

import pytest

from tests import offers, portal
from tests.offers import emails_to, read
from tests.pdf_text import last_page_text
from tests.portal import Customer, at, html


@pytest.mark.parametrize("signed_at, until", [
    (datetime(2026, 3, 7, 9, 0, tzinfo=timezone.utc), "lundi 23 mars 2026"),  # 14 days end on Saturday 21
    (datetime(2026, 4, 17, 9, 0, tzinfo=timezone.utc), "lundi 4 mai 2026"),  # … on Friday 1er mai
])
def test_a_period_ending_on_a_weekend_or_holiday_runs_to_the_next_working_day(client, seller, garage,
                                                                              signed_at, until):
    at(signed_at.replace(hour=8))
    sent = portal.send(seller, offers.offer(seller, garage.dealer.id.lower()))
    customer = Customer(client, sent.token)
    at(signed_at)

    portal.sign(customer, sent)

    expected = f"Contrat de service\u00a0: 14 jours à compter de la signature, soit jusqu'au {until} inclus"
    assert expected in unescape(html(customer.get()))
    [ack] = [m for m in emails_to(sent.email) if "signée" in read(m).subject]
    plain = expected.replace("\u00a0", " ")
    assert plain in read(ack).text.replace("\u00a0", " ")
    assert plain in last_page_text(portal.attachment_of(ack))  # the certificate page of the signed PDF
