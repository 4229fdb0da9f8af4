"""Quote lines, optional products, VAT and totals: computed on the server, in cents, rounded once per line."""
from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from chalicelib.domain.customers import AccountView
from chalicelib.domain.dealers import Deposit, WithdrawalDays
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.quotes import (
    LineInput, LineKind, Payment, WithdrawalStart, deposit_cents, totals_of, withdrawal_terms,
)
from tests.samples import account, contact, full_lines, line, quote


def test_a_line_is_quantity_times_unit_price_plus_its_vat():
    mats = line(LineKind.ACCESSORY, 1_249, quantity=4)
    assert (mats.totals.ht_cents, mats.totals.vat_cents, mats.totals.ttc_cents) == (4_996, 999, 5_995)


def test_vat_is_rounded_per_line_and_totals_add_the_rounded_lines():
    lines = [line(price=1_005, vat=5.5), line(price=1_005, vat=5.5), line(price=1_005, vat=5.5)]
    totals = totals_of(lines)
    assert [ln.totals.vat_cents for ln in lines] == [55, 55, 55]  # 55.275 each
    assert totals.vat_cents == 165  # not round(165.825) = 166
    assert totals.ttc_cents == totals.ht_cents + totals.vat_cents == 3_180


def test_each_vat_rate_is_summed_apart():
    totals = totals_of([line(price=10_000, vat=20), line(price=20_000, vat=5.5), line(price=5_000, vat=20),
                        line(price=3_000, vat=0)])
    assert [(r.vat_rate_bp, r.base_cents, r.vat_cents) for r in totals.by_rate] == [
        (2_000, 15_000, 3_000), (550, 20_000, 1_100), (0, 3_000, 0)]


def test_an_optional_product_counts_only_once_chosen():
    warranty = dict(kind=LineKind.INSURANCE, price=59_000, vat=0, optional=True)
    offered = totals_of([line(price=10_000), line(**warranty)])
    chosen = totals_of([line(price=10_000), line(**warranty, chosen=True)])
    assert offered.ttc_cents == 12_000 and offered.optional_ttc_cents == 59_000
    assert chosen.ttc_cents == 71_000 and chosen.optional_ttc_cents == 0


def test_the_full_offer_adds_up():
    totals = quote(full_lines()).totals
    assert totals.ht_cents == 1_582_500 + 4_996 + 89_000 + 25_000
    assert totals.ttc_cents == 1_899_000 + 5_995 + 106_800 + 30_000
    assert totals.direct_debit_ttc_cents == 106_800


def test_only_service_contracts_and_insurance_are_paid_by_direct_debit():
    LineInput(kind=LineKind.SERVICE_CONTRACT, label="Entretien", unit_price_cents=1, vat_rate=Decimal(20),
              payment=Payment.DIRECT_DEBIT)
    with pytest.raises(ValidationError, match="direct debit"):
        LineInput(kind=LineKind.ACCESSORY, label="Tapis", unit_price_cents=1, vat_rate=Decimal(20),
                  payment=Payment.DIRECT_DEBIT)


@pytest.mark.parametrize("vat", ["5.555", "-1", "101"])
def test_a_vat_rate_has_at_most_two_decimals_and_stays_between_0_and_100(vat):
    with pytest.raises(ValidationError):
        LineInput.model_validate_json(
            f'{{"kind": "fee", "label": "Frais", "unit_price_cents": 100, "vat_rate": {vat}}}')


def test_prices_are_whole_cents_never_floats():
    with pytest.raises(ValidationError):
        LineInput.model_validate_json('{"kind": "fee", "label": "Frais", "unit_price_cents": 10.5, "vat_rate": 20}')


def test_the_margin_scheme_is_for_a_vehicle_without_vat():
    with pytest.raises(ValidationError):
        LineInput(kind=LineKind.VEHICLE, label="Clio", unit_price_cents=1, vat_rate=Decimal(20), margin_scheme=True)
    used = LineInput(kind=LineKind.VEHICLE, label="Clio", unit_price_cents=900_000, vat_rate=Decimal(0),
                     margin_scheme=True).line("L1")
    assert used.totals.ttc_cents == 900_000
    totals = totals_of([used, line(price=10_000, vat=20)])
    assert [r.vat_rate_bp for r in totals.by_rate] == [2_000] and totals.margin_scheme_cents == 900_000
    assert totals.ttc_cents == 912_000


def test_only_an_optional_line_can_be_chosen():
    with pytest.raises(ValidationError):
        LineInput(kind=LineKind.FEE, label="Frais", unit_price_cents=1, vat_rate=Decimal(20), chosen=True)


def test_a_deposit_is_a_percentage_rounded_half_up_or_an_amount_at_most_the_total():
    assert deposit_cents(Deposit(enabled=True, percent=10), 2_041_795) == 204_180  # 204 179.5 → 204 180
    assert deposit_cents(Deposit(enabled=True, amount_cents=50_000), 30_000) == 30_000
    assert deposit_cents(Deposit(enabled=False), 30_000) == 0


def test_withdrawal_periods_follow_each_product_kind():
    terms = withdrawal_terms({LineKind.VEHICLE, LineKind.SERVICE_CONTRACT, LineKind.INSURANCE}, WithdrawalDays())
    by_kind = {term.kinds[0]: term for term in terms}
    assert (by_kind[LineKind.VEHICLE].days, by_kind[LineKind.VEHICLE].starts) == (14, WithdrawalStart.HANDOVER)
    assert (by_kind[LineKind.SERVICE_CONTRACT].days,
            by_kind[LineKind.SERVICE_CONTRACT].starts) == (14, WithdrawalStart.SIGNATURE)
    assert (by_kind[LineKind.INSURANCE].days, by_kind[LineKind.INSURANCE].starts) == (30, WithdrawalStart.SIGNATURE)
    assert by_kind[LineKind.INSURANCE].ends_on(date(2026, 11, 24)) == date(2026, 12, 24)
    assert "remise (ou de la livraison) du véhicule" in by_kind[LineKind.VEHICLE].label()


def test_a_dealer_may_give_longer_withdrawal_periods():
    [term] = withdrawal_terms({LineKind.SERVICE_CONTRACT}, WithdrawalDays(service_contract=21))
    assert term.days == 21


def test_a_duplicate_is_a_new_quote_with_the_same_lines_and_a_fresh_validity():
    original = quote()
    copy = original.duplicate("Q2", "D2026-00043", "U2", original.created_at, date(2027, 1, 30))
    assert (copy.id, copy.number, copy.version, copy.duplicated_from) == ("Q2", "D2026-00043", 1, "Q1")
    assert copy.valid_until == date(2027, 1, 30)
    assert copy.totals == original.totals


def test_a_quote_is_addressed_to_its_contact_else_to_the_accounts_first_and_never_to_nobody():
    marie = contact()
    paul = marie.model_copy(update={"id": "C2", "first_name": "Paul"})
    view = AccountView(account=account(), contacts=[paul, marie])
    assert quote().addressee(view) == marie
    assert quote(contact_id=None).addressee(view) == paul
    with pytest.raises(InvalidInput) as refused:
        quote(contact_id=None).addressee(AccountView(account=account()))
    assert refused.value.fields == {"contact_id": "the account has no contact"}
