"""Lead codes and quote and proposal numbers carry the dealer's local year, not the UTC year (issue 11, item 8)."""
from datetime import datetime, timezone

from tests import offers
from tests.support import at, body

# 00:30 on 1 January 2027 in Paris; UTC still says 2026.
NEW_YEARS_NIGHT = datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)


def test_a_lead_a_quote_and_a_proposal_made_after_midnight_in_paris_are_numbered_in_the_new_year(seller):
    at(NEW_YEARS_NIGHT)
    lead = seller.post("/leads", {"contacts": [{"name": "Hélène Martin", "email": "helene@example.com"}],
                                  "type": "used_vehicle_sale", "source": "site web"})
    assert lead.status_code == 201, lead.body
    assert body(lead)["code"].startswith("L-2027-")

    offer = offers.offer(seller, "nouvel-an", valid_until="2027-01-15")
    assert body(seller.get(f"/quotes/{offer.quote_id}"))["number"].startswith("D2027-")
    assert offers.propose(seller, offer)["reference"].startswith("P2027-")
