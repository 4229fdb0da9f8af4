"""The dealer's email templates through the API, and the send that uses them."""
import pytest

from chalicelib.domain.templates import TemplateKind, default
from tests import offers
from tests.offers import emails_to, read, token_in
from tests.support import Api, body, tenant

SEND = default(TemplateKind.SEND)


@pytest.fixture
def admin(client, garage):
    return Api(client, garage.token(garage.admin))


def own_send(**parts) -> dict:
    return {"subject": "Votre offre {{ reference }}", "text": "Bonjour {{ customer_name }}, voici : {{ link }}",
            "html": '<p>Bonjour {{ customer_name }}, <a href="{{ link }}">votre offre</a></p>'} | parts


def test_a_dealer_reads_the_french_default_until_it_has_its_own(seller):
    template = body(seller.get("/email-templates/send"))
    assert template["custom"] is False and "{{ link }}" in template["text"] and "link" in template["variables"]
    assert {t["kind"] for t in body(seller.get("/email-templates"))} == {k.value for k in TemplateKind}


def test_an_admin_edits_the_send_template_and_the_next_send_uses_it(admin, seller, garage):
    saved = admin.send("PUT", "/email-templates/send", own_send())
    assert saved.status_code == 200 and body(saved)["custom"] is True and body(saved)["version"] == 1
    assert body(seller.get("/email-templates/send"))["subject"] == "Votre offre {{ reference }}"
    offer = offers.offer(seller, garage.dealer.id.lower())
    proposal = offers.propose(seller, offer)
    seller.post(f"/proposals/{proposal['id']}/send", {})
    received = read(emails_to(offer.email)[-1])
    assert received.subject == f"Votre offre {proposal['reference']}"
    assert "Bonjour Madame Durand" in received.text and token_in(received)  # moto keeps the HTML part


def test_a_send_template_without_the_link_is_a_400_naming_the_field_and_nothing_changes(admin, seller):
    refused = admin.send("PUT", "/email-templates/send", own_send(html="<p>Bonjour {{ customer_name }}</p>"))
    assert refused.status_code == 400
    error = body(refused)["error"]
    assert error["fields"] == {"html": "the document link {{ link }} is missing"}
    assert body(seller.get("/email-templates/send"))["custom"] is False


def test_a_reminder_template_without_the_link_is_refused_too(admin):
    refused = admin.send("PUT", "/email-templates/reminder", own_send(text="Relance sans lien"))
    assert refused.status_code == 400 and "text" in body(refused)["error"]["fields"]


def test_invalid_jinja_is_a_400(admin):
    refused = admin.send("PUT", "/email-templates/send", own_send(text="{{ link }} {% if note %}"))
    assert refused.status_code == 400 and "syntax error" in body(refused)["error"]["fields"]["text"]


def test_a_stale_concurrent_edit_does_not_overwrite_the_other(admin):
    assert admin.send("PUT", "/email-templates/send", own_send()).status_code == 200
    assert admin.send("PUT", "/email-templates/send", own_send(subject="Deux")).status_code == 200
    assert body(admin.get("/email-templates/send"))["version"] == 2


def test_sellers_read_and_preview_but_do_not_edit(seller):
    assert seller.send("PUT", "/email-templates/send", own_send()).status_code == 403
    assert seller.send("DELETE", "/email-templates/send").status_code == 403
    preview = seller.post("/email-templates/send/preview", {"subject": "Aperçu {{ reference }}"})
    assert preview.status_code == 200
    shown = body(preview)
    assert shown["subject"] == "Aperçu P2026-00012" and "Madame Durand" in shown["text"]
    assert "https://app.offerline.fr/p/exemple-de-lien" in shown["html"]


def test_a_preview_of_a_draft_without_the_link_is_refused(seller):
    refused = seller.post("/email-templates/send/preview", {"text": "Pas de lien"})
    assert refused.status_code == 400


def test_deleting_a_template_goes_back_to_the_default(admin):
    admin.send("PUT", "/email-templates/send", own_send())
    reset = admin.send("DELETE", "/email-templates/send")
    assert reset.status_code == 200 and body(reset)["custom"] is False
    assert body(admin.get("/email-templates/send"))["subject"] == SEND.subject
    assert body(admin.send("PUT", "/email-templates/send", own_send()))["version"] == 1


def test_an_unknown_template_kind_is_a_404(seller):
    assert seller.get("/email-templates/newsletter").status_code == 404


def test_templates_of_one_dealer_are_not_another_dealers(client, admin):
    admin.send("PUT", "/email-templates/send", own_send())
    other = tenant("Autre Garage")
    assert body(Api(client, other.token(other.seller)).get("/email-templates/send"))["custom"] is False
