"""Dealer settings and staff rights, as rules without AWS."""
from datetime import datetime, timezone

import pytest
from pydantic import ValidationError

from chalicelib.domain.dealers import (
    Branch, Dealer, DealerSettingsChange, DepositChange, Role, SellerProfile, Staff, User, WithdrawalDaysChange,
)
from chalicelib.domain.errors import Forbidden, InvalidInput, RemoteSellingDisabled

DEALER = Dealer(id="D1", name="Garage")


def test_settings_default_to_french_law_and_the_seeds():
    settings = DEALER.settings
    assert settings.proposal_validity_days == 30
    assert settings.link_validity_hours == 24
    assert (settings.withdrawal_days.service_contract, settings.withdrawal_days.insurance) == (14, 30)
    assert settings.withdrawal_days.vehicle == 14
    assert settings.remote_selling is False


def test_a_settings_change_touches_only_the_fields_given_and_bumps_the_version():
    changed = DEALER.with_settings(DealerSettingsChange(proposal_validity_days=45))
    assert changed.settings.proposal_validity_days == 45
    assert changed.settings.link_validity_hours == 24
    assert changed.version == DEALER.version + 1


def test_an_enabled_deposit_needs_an_amount_or_a_percentage():
    with pytest.raises(InvalidInput):
        DEALER.with_settings(DealerSettingsChange(deposit=DepositChange(enabled=True)))
    with_deposit = DEALER.with_settings(DealerSettingsChange(deposit=DepositChange(enabled=True, percent=10)))
    assert with_deposit.settings.deposit.percent == 10


def test_withdrawal_periods_cannot_go_below_the_legal_minimum():
    with pytest.raises(ValidationError):
        DealerSettingsChange(withdrawal_days=WithdrawalDaysChange(insurance=14))


def test_a_dealer_without_remote_selling_is_told_why():
    with pytest.raises(RemoteSellingDisabled, match="vente à distance"):
        DEALER.require_remote_selling()


def test_only_admins_administer():
    Staff(dealer_id="D1", user_id="U1", role=Role.ADMIN).require_admin()
    for role in (Role.SELLER, Role.MANAGER, Role.BACK_OFFICE):
        with pytest.raises(Forbidden):
            Staff(dealer_id="D1", user_id="U1", role=role).require_admin()


def test_two_branches_cannot_share_a_name():
    dealer = DEALER.with_branch(Branch(id="B1", name="Lyon"))
    with pytest.raises(InvalidInput):
        dealer.with_branch(Branch(id="B2", name="lyon"))


def test_an_unknown_branch_is_named_in_the_error():
    with pytest.raises(InvalidInput) as refused:
        DEALER.branch("nope")
    assert "branch_id" in refused.value.fields


def test_a_deactivated_user_cannot_be_deactivated_twice():
    user = User(id="U1", dealer_id="D1", email="a@example.com", name="A", role=Role.SELLER,
                created_at=datetime.now(timezone.utc))
    with pytest.raises(InvalidInput):
        user.deactivated().deactivated()


def test_a_user_is_reached_through_their_seller_profile_when_they_have_one():
    user = User(id="U1", dealer_id="D1", email="victor@example.com", name="Victor", role=Role.SELLER,
                created_at=datetime.now(timezone.utc))
    assert (user.contact_email, user.contact_phone, user.seller_block()) == ("victor@example.com", None, None)
    with_phone = user.model_copy(update={"phone": "+33600000000"})
    assert with_phone.seller_block() == SellerProfile(display_name="Victor", phone="+33600000000",
                                                      email="victor@example.com")
    profile = SellerProfile(display_name="Victor V.", phone="+33611223344", email="v@tilleuls.example")
    with_profile = with_phone.model_copy(update={"profile": profile})
    assert (with_profile.contact_email, with_profile.contact_phone) == ("v@tilleuls.example", "+33611223344")
    assert with_profile.seller_block() == profile
