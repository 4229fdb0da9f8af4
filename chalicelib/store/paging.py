"""Opaque page cursors: the key to continue after, checked to stay in the caller's partition."""
import base64
import binascii
import json

from chalicelib.domain.errors import InvalidInput
from chalicelib.store import keys
from chalicelib.store.keys import Key

_BAD = InvalidInput("Curseur de page invalide : recommencez la liste depuis le début.", {"cursor": "invalid"})


def encode(after: Key | None) -> str | None:
    if not after:
        return None
    return base64.urlsafe_b64encode(json.dumps(after, sort_keys=True).encode()).decode().rstrip("=")


def decode(cursor: str | None, expected: dict[str, str], sort_prefix: str, extra: tuple[str, ...] = ()) -> Key | None:
    """The start key, only if it carries exactly the expected partition values and a key of this list."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        raise _BAD from None
    if not isinstance(key, dict) or not all(isinstance(v, str) for v in key.values()):
        raise _BAD
    if any(key.get(name) != value for name, value in expected.items()):
        raise _BAD
    if not str(key.get(keys.SK, "")).startswith(sort_prefix):
        raise _BAD
    allowed = {keys.PK, keys.SK, *expected, *extra}
    if set(key) - allowed:
        raise _BAD
    return key
