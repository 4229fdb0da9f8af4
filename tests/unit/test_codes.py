"""One-time signing codes: 6 digits, HMAC only, 10 minutes, 5 tries, 3 per 15 minutes, one use."""
import hashlib
import hmac
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import SecretStr

from chalicelib.domain.codes import (
    CodeAlreadyUsed, CodeExpired, CodeForAnotherVersion, CodeLocked, MalformedCode, Outcome, SigningChallenge,
    TooManyCodes, WrongCode, read_code,
)
from chalicelib.domain.errors import Gone, TooManyRequests

SECRET = SecretStr("a-test-secret-of-at-least-32-characters")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def issue(at=NOW, previous=None, version=3):
    return SigningChallenge.issue(SECRET, "P1", version, at, previous)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_a_code_is_six_digits_and_only_its_hmac_is_kept():
    code, challenge = issue()
    assert len(code) == 6 and code.isdigit()
    stored = challenge.model_dump_json()
    assert code not in stored.replace(challenge.challenge_id, "")
    expected = hmac.new(SECRET.get_secret_value().encode(), f"{challenge.challenge_id}:P1:3:{code}".encode(),
                        hashlib.sha256).hexdigest()
    assert challenge.code_hmac == expected


def test_neither_the_code_nor_its_hmac_shows_in_a_repr_or_a_log_line():
    code, challenge = issue()
    for text in (repr(challenge), str(challenge), f"{challenge!r}"):
        assert challenge.code_hmac not in text
        assert "code_hmac" not in text


def test_codes_are_spread_over_the_million_possibilities():
    codes = {issue()[0] for _ in range(300)}
    assert len(codes) > 290
    assert any(code.startswith("0") for code in {issue()[0] for _ in range(300)})


def test_the_right_code_within_ten_minutes_is_verified_once():
    code, challenge = issue()
    verified = challenge.verify(SECRET, code, 3, NOW + timedelta(minutes=9, seconds=59))
    assert verified.outcome is Outcome.VERIFIED and verified.error is None
    assert verified.challenge.used_at == NOW + timedelta(minutes=9, seconds=59)
    again = verified.challenge.verify(SECRET, code, 3, NOW + timedelta(minutes=10))
    assert again.outcome is Outcome.USED
    assert isinstance(again.error, CodeAlreadyUsed)


def test_a_code_typed_with_spaces_is_read_as_six_digits():
    code, challenge = issue()
    spaced = f" {code[:3]} {code[3:]} "
    assert challenge.verify(SECRET, spaced, 3, NOW).outcome is Outcome.VERIFIED


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "12a456", "١٢٣٤٥٦"])
def test_a_malformed_code_is_refused_without_using_a_try(typed):
    with pytest.raises(MalformedCode):
        read_code(typed)
    _, challenge = issue()
    with pytest.raises(MalformedCode):
        challenge.verify(SECRET, typed, 3, NOW)


def test_the_right_code_after_ten_minutes_has_expired():
    code, challenge = issue()
    late = challenge.verify(SECRET, code, 3, NOW + timedelta(minutes=10))
    assert late.outcome is Outcome.EXPIRED
    assert isinstance(late.error, CodeExpired) and isinstance(late.error, Gone)


def test_each_wrong_code_uses_one_of_five_tries_and_says_how_many_are_left():
    code, challenge = issue()
    for left in (4, 3, 2, 1, 0):
        result = challenge.verify(SECRET, wrong(code), 3, NOW)
        assert result.outcome is Outcome.WRONG
        challenge = result.challenge
        assert isinstance(result.error, WrongCode) and result.error.remaining == left
    assert "demandez un nouveau code" in result.error.message
    assert "il vous reste 1 essai." in WrongCode(1).message


def test_the_sixth_try_is_refused_even_with_the_right_code():
    code, challenge = issue()
    for _ in range(5):
        challenge = challenge.verify(SECRET, wrong(code), 3, NOW).challenge
    locked = challenge.verify(SECRET, code, 3, NOW)
    assert locked.outcome is Outcome.LOCKED and isinstance(locked.error, CodeLocked)
    assert locked.challenge.wrong_attempts == 5


def test_a_code_sent_for_another_version_of_the_proposal_is_refused():
    code, challenge = issue(version=3)
    result = challenge.verify(SECRET, code, 4, NOW)
    assert result.outcome is Outcome.WRONG_VERSION and isinstance(result.error, CodeForAnotherVersion)
    assert result.challenge.used_at is None


def test_a_code_checked_with_another_secret_is_wrong():
    code, challenge = issue()
    assert challenge.verify(SecretStr("another-secret-another-secret-xx"), code, 3, NOW).outcome is Outcome.WRONG


def test_a_new_code_replaces_the_previous_one_and_starts_with_five_tries():
    first, challenge = issue()
    challenge = challenge.verify(SECRET, wrong(first), 3, NOW).challenge
    second, renewed = issue(NOW + timedelta(minutes=1), challenge)
    assert renewed.wrong_attempts == 0 and renewed.challenge_id != challenge.challenge_id
    if first != second:
        assert renewed.verify(SECRET, first, 3, NOW + timedelta(minutes=1)).outcome is Outcome.WRONG
    assert renewed.verify(SECRET, second, 3, NOW + timedelta(minutes=1)).outcome is Outcome.VERIFIED


def test_a_fourth_code_within_fifteen_minutes_is_refused_with_the_wait():
    challenge = None
    for minute in (0, 1, 2):
        _, challenge = issue(NOW + timedelta(minutes=minute), challenge)
    with pytest.raises(TooManyCodes) as refused:
        issue(NOW + timedelta(minutes=5), challenge)
    assert isinstance(refused.value, TooManyRequests)
    assert refused.value.wait == timedelta(minutes=10)
    assert "réessayez dans 10 minutes" in refused.value.message


def test_codes_may_be_sent_again_once_the_first_of_the_three_leaves_the_window():
    challenge = None
    for minute in (0, 1, 2):
        _, challenge = issue(NOW + timedelta(minutes=minute), challenge)
    _, fourth = issue(NOW + timedelta(minutes=15), challenge)
    assert fourth.recent_issues == (NOW + timedelta(minutes=1), NOW + timedelta(minutes=2),
                                    NOW + timedelta(minutes=15))


def test_a_challenge_survives_a_round_trip_through_storage():
    code, challenge = issue()
    restored = SigningChallenge.model_validate_json(challenge.model_dump_json())
    assert restored == challenge
    assert restored.verify(SECRET, code, 3, NOW).outcome is Outcome.VERIFIED
