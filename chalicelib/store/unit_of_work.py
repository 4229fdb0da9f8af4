"""The one way a use case commits: everything it changes, written once.

A use case reads what it needs, asks the domain for the new state, and adds to one unit of
work the writes the repositories build for it (entity puts and updates with their
conditions, history and evidence events, outbox messages, due-work items). `commit` sends
them as one conditional write when there is one item, or one TransactWriteItems: all or
nothing. A lost condition raises the domain error its write names. See docs/decisions.md.
"""
from typing import Any, Iterable

from chalicelib.store.table import Check, Delete, Put, Update, Write, table

__all__ = ["MAX_WRITES", "UnitOfWork", "Write", "commit"]  # Write: for services' type hints

MAX_WRITES = 100  # TransactWriteItems' limit


class UnitOfWork:
    def __init__(self, *writes: Write | Iterable[Write]) -> None:
        self.writes: list[Write] = []
        self.add(*writes)

    def add(self, *writes: Write | Iterable[Write]) -> "UnitOfWork":
        """Adds writes (or lists of them); returns the unit of work, to chain."""
        for write in writes:
            if isinstance(write, (Put, Update, Delete, Check)):
                self.writes.append(write)
            else:
                self.writes.extend(write)
        return self

    def commit(self) -> dict[str, Any] | None:
        """Writes everything at once. For a lone update, returns the item as written."""
        if not self.writes:
            return None
        if len(self.writes) > MAX_WRITES:
            raise ValueError(f"One use case writes at most {MAX_WRITES} items, not {len(self.writes)}")
        if len(self.writes) == 1 and not isinstance(self.writes[0], Check):
            written = table.write(self.writes[0])
            return written if isinstance(self.writes[0], Update) else None
        table.transact(self.writes)
        return None


def commit(*writes: Write | Iterable[Write]) -> dict[str, Any] | None:
    """One unit of work, committed: `commit(a, b, *messages)`."""
    return UnitOfWork(*writes).commit()
