"""The IBAN a customer gives for a product paid by direct debit (SPEC E.5).

schwifty checks the country, the length, the structure, the IBAN check digits and, where the
country has one (the French RIB key), the national check digits. It is imported on first use:
it costs about 50 ms, which only the signing form should pay.
"""
from chalicelib.domain.errors import InvalidInput

_FIELD = "iban"


class InvalidIban(InvalidInput):
    code = "invalid_iban"

    def __init__(self, message: str):
        super().__init__(message, {_FIELD: message})


def check_iban(raw: str) -> str:
    """The IBAN without spaces, upper case, or a French message saying what is wrong."""
    from schwifty import IBAN
    from schwifty import exceptions as problems

    typed = "".join((raw or "").split()).upper()
    if not typed:
        raise InvalidIban("Saisissez l'IBAN du compte à prélever : il figure sur votre RIB.")
    try:
        iban = IBAN(typed, validate_bban=True)
    except problems.InvalidCountryCode:
        raise InvalidIban("Un IBAN commence par le code de son pays (FR pour la France) : "
                          "vérifiez le début.") from None
    except problems.InvalidStructure:
        raise InvalidIban("Un IBAN ne contient que des lettres et des chiffres : vérifiez la saisie.") from None
    except problems.InvalidLength:
        raise InvalidIban("Le nombre de caractères ne correspond pas à un IBAN de ce pays "
                          "(27 pour un IBAN français).") from None
    except (problems.InvalidChecksumDigits, problems.InvalidBBANChecksum):
        raise InvalidIban("Cet IBAN contient une erreur (clé de contrôle incorrecte) : "
                          "recopiez-le depuis votre RIB.") from None
    except problems.SchwiftyException:
        raise InvalidIban("Cet IBAN n'est pas valide : recopiez-le depuis votre RIB.") from None
    if not iban.in_sepa_zone:
        raise InvalidIban("Le prélèvement SEPA demande un compte bancaire de la zone SEPA.")
    return iban.compact


def masked(iban: str) -> str:
    """What pages, emails and evidence show of an IBAN: its country, check digits and last four."""
    return f"{iban[:4]} •••• •••• {iban[-4:]}"
