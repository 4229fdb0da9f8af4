"""The demo data `make dev` seeds: what a new user meets first."""
from local import seed


def test_the_demo_dealer_takes_an_acompte_so_a_new_user_sees_the_whole_path(memory):
    team = seed.seed_team()

    deposit = team.dealer.settings.deposit
    assert deposit.enabled
    assert deposit.percent == 10
    assert team.dealer.settings.remote_selling
