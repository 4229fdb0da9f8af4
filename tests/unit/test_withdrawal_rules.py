"""Each product's withdrawal period and the products' transitions (domain/orders/withdrawal.py)."""
from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.dealers import WithdrawalDays
from chalicelib.domain.errors import InvalidInput, InvalidTransition
from chalicelib.domain.orders.withdrawal import (
    ProductStatus, WithdrawalRecord, Withdrawals, period_of, products_of, refund_due_on,
)
from chalicelib.domain.quotes import LineKind
from tests import samples

DAYS = WithdrawalDays()
AT = datetime(2026, 11, 24, 9, tzinfo=UTC)


def test_a_service_contract_ending_on_a_saturday_ends_on_the_monday():
    period = period_of(LineKind.SERVICE_CONTRACT, DAYS, date(2026, 11, 21), None, None)  # a Saturday
    assert period.ends_on == date(2026, 12, 7)  # Saturday 5 December → Monday 7 (art. L221-19)


def test_an_insurance_product_has_thirty_days_from_the_signature():
    period = period_of(LineKind.INSURANCE, DAYS, date(2026, 11, 24), None, None)
    assert (period.days, period.ends_on) == (30, date(2026, 12, 24))
    assert "L112-10" in period.legal_basis


def test_the_vehicle_period_past_a_public_holiday_ends_the_next_working_day():
    period = period_of(LineKind.VEHICLE, DAYS, date(2026, 10, 1), date(2026, 10, 28), None)
    assert period.ends_on == date(2026, 11, 12)  # 11 November is a public holiday
    assert period_of(LineKind.VEHICLE, DAYS, date(2026, 10, 1), None, None).open_on(date(2027, 1, 1))


def test_fees_follow_the_vehicle():
    assert period_of(LineKind.FEE, DAYS, date(2026, 11, 24), None, None).ends_on is None


def record() -> WithdrawalRecord:
    return WithdrawalRecord(id="W1", at=AT, withdrawn=[], vehicle=False, handed_over=False, customer_name="Marie",
                            customer_address="Lyon", refund_cents=0, refund_due_on=refund_due_on(AT.date()))


def state() -> tuple[Withdrawals, dict]:
    products = products_of(samples.proposal().lines)
    periods = {p.line_id: period_of(p.kind, DAYS, date(2026, 11, 24), None, None) for p in products}
    return Withdrawals(dealer_id="D1", proposal_id="P1", products=products), periods


def of(withdrawals: Withdrawals, kind: LineKind):
    return next(p for p in withdrawals.products if p.kind == kind)


def test_withdrawing_the_vehicle_ends_every_other_product():
    before, periods = state()
    after = before.withdraw([of(before, LineKind.VEHICLE).line_id], periods, record(), AT.date(), credit="Cetelem")
    assert of(after, LineKind.VEHICLE).status == ProductStatus.WITHDRAWN
    assert {of(after, k).status for k in (LineKind.ACCESSORY, LineKind.SERVICE_CONTRACT, LineKind.FEE)} == {
        ProductStatus.ENDED}
    assert after.last.vehicle and after.last.credit_ended == "Cetelem" and after.version == 1


def test_a_withdrawn_product_is_not_withdrawn_again():
    before, periods = state()
    service = of(before, LineKind.SERVICE_CONTRACT)
    after = before.withdraw([service.line_id], periods, record(), AT.date(), credit="Cetelem")
    assert after.last.credit_ended is None  # only the car's withdrawal ends its credit
    with pytest.raises(InvalidTransition):
        of(after, LineKind.SERVICE_CONTRACT).moved_to(ProductStatus.ENDED, AT, "W2")
    assert after.already([service.line_id])


def test_a_fee_is_not_withdrawn_alone():
    before, periods = state()
    with pytest.raises(InvalidInput):
        before.withdraw([of(before, LineKind.FEE).line_id], periods, record(), AT.date())
