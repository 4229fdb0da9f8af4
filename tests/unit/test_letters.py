"""The emails Offerline writes itself: fixed wording, every value escaped in the HTML part, none forgotten."""
import pytest
from jinja2 import UndefinedError

from chalicelib.domain import letters

DEALER = 'Garage <b>"Les Tilleuls"</b> & Fils'


def test_the_code_letter_shows_the_code_in_both_parts_and_escapes_the_dealer_in_html():
    letter = letters.write("signing_code", "Votre code", reference="P2026-00001", dealer=DEALER, code="123456")
    assert "123456" in letter.text and "123456" in letter.html
    assert DEALER in letter.text  # plain text is not HTML
    assert "<b>" not in letter.html and "Garage &lt;b&gt;&#34;Les Tilleuls&#34;&lt;/b&gt; &amp; Fils" in letter.html
    assert letter.parts() == {"subject": "Votre code", "text": letter.text, "html": letter.html}


def test_the_new_link_letter_links_to_the_escaped_url():
    letter = letters.write("link_renewed", "Nouveau lien", reference="P1", dealer="Garage", hours=24,
                           url="https://app.offerline.fr/p/abc?x=1&y=2", seller="Victor")
    assert 'href="https://app.offerline.fr/p/abc?x=1&amp;y=2"' in letter.html
    assert "https://app.offerline.fr/p/abc?x=1&y=2\n" in letter.text and "valable 24 heures" in letter.text


def test_the_receipt_says_acompte_and_ends_with_the_dealer():
    letter = letters.write("deposit_receipt", "Acompte reçu", amount="750,00 €", reference="P1", dealer="Garage",
                           paid_at="24/11/2026 à 10:00", payment_reference="pi_1", seller="Victor",
                           legal="Cette somme est versée à titre d'acompte.")
    assert "acompte de 750,00 €" in letter.text and letter.text.endswith("Victor\nGarage\n")
    assert "arrhes" not in letter.text + letter.html


def test_a_value_left_out_is_an_error_not_a_blank():
    with pytest.raises(UndefinedError):
        letters.write("signing_code", "Votre code", reference="P1", dealer="Garage")
