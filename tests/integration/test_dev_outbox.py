"""The dev outbox shows what the local moto server captured, so a person can read a code or a link."""
import uuid
from email.message import EmailMessage

import boto3
import pytest

SENDER = "ne-pas-repondre@offerline.example"  # settings' default: the `aws` fixture verifies it


@pytest.fixture
def recipient():
    """Unique per test: the moto server, and so its outbox, is shared by the whole session."""
    return f"client-{uuid.uuid4().hex[:8]}@exemple.test"


def send_raw_quote(recipient: str) -> None:
    message = EmailMessage()
    message["Subject"] = "Votre devis <b>n°42</b>"
    message["From"] = SENDER
    message["To"] = recipient
    message.set_content("Consultez votre devis : https://offerline.test/p/lien-texte\nÀ bientôt.")
    message.add_alternative(
        '<p>Bonjour,</p><p><a href="https://offerline.test/p/lien-html?x=1&amp;y=2">Voir le devis</a></p>'
        "<script>alert('pris')</script>",
        subtype="html",
    )
    message.add_attachment(b"%PDF-1.7 demo", maintype="application", subtype="pdf", filename="devis-42.pdf")
    boto3.client("sesv2").send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": [recipient]},
        Content={"Raw": {"Data": message.as_bytes()}},
    )


def send_simple_reminder(recipient: str) -> None:
    boto3.client("sesv2").send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": [recipient]},
        Content={"Simple": {
            "Subject": {"Data": "Rappel : votre devis expire bientôt"},
            "Body": {"Text": {"Data": "Il reste 2 jours : https://offerline.test/p/rappel"}},
        }},
    )


def send_code_sms(phone: str) -> None:
    boto3.client("sns").publish(PhoneNumber=phone, Message="Offerline : votre code de signature est 482913.")


def emails_to(outbox: dict, recipient: str) -> list[dict]:
    return [mail for mail in outbox["emails"] if recipient in mail["recipients"]]


def test_a_raw_email_shows_its_recipient_subject_links_and_attachment(client, recipient):
    send_raw_quote(recipient)

    response = client.http.get("/dev/outbox.json")

    assert response.status_code == 200
    [mail] = emails_to(response.json_body, recipient)
    assert mail["subject"] == "Votre devis <b>n°42</b>"
    assert mail["sender"] == SENDER
    assert "https://offerline.test/p/lien-texte" in mail["text"]
    assert "Voir le devis" in mail["html"]
    assert mail["links"] == ["https://offerline.test/p/lien-texte", "https://offerline.test/p/lien-html?x=1&y=2"]
    assert mail["attachments"] == ["devis-42.pdf"]


def test_a_simple_email_shows_its_text_and_link(client, recipient):
    send_simple_reminder(recipient)

    [mail] = emails_to(client.http.get("/dev/outbox.json").json_body, recipient)

    assert mail["subject"] == "Rappel : votre devis expire bientôt"
    assert mail["text"] == "Il reste 2 jours : https://offerline.test/p/rappel"
    assert mail["html"] is None
    assert mail["links"] == ["https://offerline.test/p/rappel"]


def test_an_sms_shows_its_number_and_code(client):
    phone = f"+3363998{uuid.uuid4().int % 10000:04d}"
    send_code_sms(phone)

    outbox = client.http.get("/dev/outbox.json").json_body

    [sms] = [s for s in outbox["sms"] if s["phone_number"] == phone]
    assert "482913" in sms["text"]


def test_the_page_lists_the_messages_with_their_html_escaped(client, recipient):
    send_raw_quote(recipient)
    send_code_sms("+33639980099")

    response = client.http.get("/dev/outbox")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.body.decode()
    assert recipient in page
    assert "Votre devis &lt;b&gt;n°42&lt;/b&gt;" in page
    assert "<b>n°42</b>" not in page
    assert "<script>alert" not in page
    assert 'href="https://offerline.test/p/lien-html?x=1&amp;y=2"' in page
    assert "devis-42.pdf" in page
    assert "482913" in page


def test_the_page_keeps_the_security_headers(client):
    headers = client.http.get("/dev/outbox").headers

    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"
    assert "default-src 'none'" in headers["Content-Security-Policy"]


def test_without_a_local_moto_there_is_no_outbox(client, monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL_SESV2")

    response = client.http.get("/dev/outbox.json")

    assert response.status_code == 404
    assert response.json_body["error"]["code"] == "not_found"
