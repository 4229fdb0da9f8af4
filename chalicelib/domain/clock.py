"""The one clock every rule and use case reads; tests move it."""
from datetime import datetime, timezone
from typing import Callable



def _real() -> datetime:
    return datetime.now(timezone.utc)


_source: Callable[[], datetime] = _real


def now() -> datetime:
    return _source()


def set_source(source: Callable[[], datetime]) -> None:
    global _source
    _source = source


def reset() -> None:
    set_source(_real)
