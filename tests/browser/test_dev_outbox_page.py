"""A developer reads a captured email, link included, on the dev outbox page."""
from datetime import datetime, timezone

from chalicelib.domain.outbox import Channel, OutboxMessage
from tests.browser.conftest import screenshot, serious_accessibility_problems
from tests.support import delivered, queue, tenant


def test_a_developer_reads_a_sent_email_and_its_link_on_the_outbox_page(live_server, page):
    garage = tenant()
    message = OutboxMessage(
        dealer_id=garage.dealer.id, channel=Channel.EMAIL, to="client.navigateur@example.com",
        subject="Votre proposition commerciale <urgent>", purpose="test",
        text="Bonjour, voici votre lien : https://offerline.example/p/lien-de-test",
        created_at=datetime.now(timezone.utc),
    )
    queue([message])
    delivered()
    page.goto(f"{live_server}/dev/outbox")
    assert page.get_by_text("client.navigateur@example.com").first.is_visible()
    assert page.get_by_text("Votre proposition commerciale <urgent>").first.is_visible()
    assert page.locator('a[href="https://offerline.example/p/lien-de-test"]').count() >= 1
    screenshot(page, "dev-outbox")
    assert serious_accessibility_problems(page) == []
