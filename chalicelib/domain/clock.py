"""The one clock every rule and use case reads; tests move it."""
from datetime import datetime, timezone
from typing import Callable

_source: Callable[[], datetime] = lambda: datetime.now(timezone.utc)


def now() -> datetime:
    return _source()


def set_source(source: Callable[[], datetime]) -> None:
    global _source
    _source = source


def reset() -> None:
    set_source(lambda: datetime.now(timezone.utc))
