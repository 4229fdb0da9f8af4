"""Email templates: the link to the document stays, the syntax is checked, the sandbox holds."""
from datetime import datetime, timezone

import pytest

from chalicelib.domain import templates
from chalicelib.domain.errors import Forbidden, InvalidInput
from chalicelib.domain.templates import TemplateChange, TemplateKind, TemplatePreview

AT = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
SEND = templates.default(TemplateKind.SEND)


def change(**parts) -> TemplateChange:
    return TemplateChange(**({"subject": SEND.subject, "text": SEND.text, "html": SEND.html} | parts))


@pytest.mark.parametrize("kind", list(TemplateKind))
def test_every_shipped_default_is_french_valid_and_renders(kind):
    default = templates.default(kind)
    templates.check(kind, {"subject": default.subject, "text": default.text, "html": default.html})
    rendered = templates.render(default, templates.SAMPLES[kind])
    assert rendered.subject and "proposition" in (rendered.subject + rendered.text).lower()


def test_send_and_reminder_defaults_are_different_emails():
    sample = templates.SAMPLES[TemplateKind.SEND]
    send = templates.render(templates.default(TemplateKind.SEND), sample)
    remind = templates.render(templates.default(TemplateKind.REMINDER), sample)
    assert send.subject != remind.subject and send.text != remind.text
    assert sample["link"] in send.text and sample["link"] in remind.text


@pytest.mark.parametrize("kind", [TemplateKind.SEND, TemplateKind.REMINDER])
@pytest.mark.parametrize("part", ["text", "html"])
def test_an_edit_that_drops_the_document_link_is_refused_naming_the_part(kind, part):
    with pytest.raises(InvalidInput) as refused:
        templates.edited(kind, change(**{part: "Bonjour {{ customer_name }}, à bientôt."}), SEND, "U1", AT)
    assert part in refused.value.fields and "{{ link }}" in refused.value.message


def test_a_link_hidden_in_a_condition_or_a_comment_does_not_count():
    for text in ("{% if false %}{{ link }}{% endif %}", "{# {{ link }} #}", "link"):
        with pytest.raises(InvalidInput):
            templates.edited(TemplateKind.SEND, change(text=text), SEND, "U1", AT)


def test_the_link_may_be_filtered_or_spaced_differently():
    for text in ("{{link}}", "{{ link|e }}", "Lien : {{- link -}} !"):
        templates.edited(TemplateKind.SEND, change(text=text), SEND, "U1", AT)


def test_acknowledgements_do_not_need_the_link():
    ack = templates.default(TemplateKind.QUESTION_ACK)
    edited = templates.edited(TemplateKind.QUESTION_ACK, TemplateChange(
        subject=ack.subject, text="Merci {{ customer_name }}.", html="<p>Merci {{ customer_name }}.</p>"),
        ack, "U1", AT)
    assert edited.custom and edited.version == 1


def test_a_dealers_template_read_back_offers_the_variables_of_today_not_those_it_was_saved_with():
    saved_long_ago = {"kind": "question_ack", "subject": "s", "text": "t", "html": "h", "version": 3,
                      "custom": False, "variables": ["customer_name"]}
    read = templates.EmailTemplate.model_validate(saved_long_ago)
    assert read.custom and read.variables == sorted(templates.VARIABLES[TemplateKind.QUESTION_ACK])
    assert not templates.default(TemplateKind.QUESTION_ACK).custom


def test_invalid_jinja_syntax_is_refused_with_its_line():
    with pytest.raises(InvalidInput) as refused:
        templates.edited(TemplateKind.SEND, change(text="{{ link }}\n{% if note %}oubli de endif"), SEND, "U1", AT)
    assert "syntax error" in refused.value.fields["text"]


def test_an_unknown_variable_is_refused_before_it_reaches_a_customer():
    with pytest.raises(InvalidInput) as refused:
        templates.edited(TemplateKind.SEND, change(text="{{ link }} {{ iban }}"), SEND, "U1", AT)
    assert refused.value.fields == {"text": "unknown variable iban"}


def test_the_sandbox_refuses_to_reach_python_internals():
    with pytest.raises(InvalidInput):
        templates.edited(TemplateKind.SEND, change(text="{{ link }} {{ link.__class__.__mro__ }}"), SEND, "U1", AT)


def test_html_is_escaped_and_text_is_not():
    rendered = templates.render(SEND, templates.SAMPLES[TemplateKind.SEND] | {"customer_name": "<b>Tom & Jerry</b>"})
    assert "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;" in rendered.html
    assert "<b>Tom & Jerry</b>" in rendered.text


def test_a_subject_stays_on_one_line():
    rendered = templates.render_parts({"subject": "Bonjour\n{{ customer_name }}\r\n"}, {"customer_name": "Marie"})
    assert rendered["subject"] == "Bonjour Marie"


def test_a_preview_renders_a_draft_with_sample_data():
    shown = templates.preview(SEND, TemplatePreview(subject="Votre offre {{ reference }}"))
    assert shown.subject == "Votre offre P2026-00012"
    assert templates.SAMPLES[TemplateKind.SEND]["link"] in shown.text


def test_only_admins_and_managers_edit_templates():
    templates.require_editor("admin")
    templates.require_editor("manager")
    with pytest.raises(Forbidden):
        templates.require_editor("seller")
