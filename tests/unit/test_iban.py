"""IBAN for direct debit: a clear French message for each mistake, a masked form for display."""
import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.iban import InvalidIban, check_iban, masked

VALID_FR = "FR76 3000 6000 0112 3456 7890 189"


def test_a_valid_french_iban_is_kept_without_spaces_in_upper_case():
    assert check_iban(" fr76 3000 6000 0112 3456 7890 189 ") == "FR7630006000011234567890189"


def test_a_valid_iban_of_another_sepa_country_is_accepted():
    assert check_iban("DE89 3704 0044 0532 0130 00") == "DE89370400440532013000"


@pytest.mark.parametrize("typed, says", [
    ("", "Saisissez l'IBAN"),
    ("XX76 3000 6000 0112 3456 7890 189", "code de son pays"),
    ("FR76 3000 6000 0112 3456 7890", "nombre de caractères"),
    ("FR76 3000 6000 0112 3456 78$0 189", "lettres et des chiffres"),
    ("FR76 3000 6000 0112 3456 7890 188", "clé de contrôle"),
    ("FR06 3000 6000 0112 3456 7890 188", "clé de contrôle"),
])
def test_each_mistake_gets_a_french_message_on_the_iban_field(typed, says):
    with pytest.raises(InvalidIban) as refused:
        check_iban(typed)
    assert says in refused.value.message
    assert refused.value.fields == {"iban": refused.value.message}
    assert isinstance(refused.value, InvalidInput)


def test_a_bank_account_outside_the_sepa_zone_cannot_be_debited():
    with pytest.raises(InvalidIban, match="zone SEPA"):
        check_iban("BR18 0036 0305 0000 1000 9795 493C 1")


def test_pages_and_evidence_show_only_the_start_and_the_last_four_characters():
    assert masked(check_iban(VALID_FR)) == "FR76 •••• •••• 0189"
