"""Running due work: what every schedule does with the sparse due index.

A sweep reads only the items of its kind that are due, claims each one (of two
sweeps at once, one wins), and hands the claim to the kind's handler, whose own
write leaves the index. A handler that fails leaves the item claimed: the lease
runs out and the next sweep tries again.
"""
from typing import Callable

from chalicelib.domain import clock
from chalicelib.domain.errors import Conflict
from chalicelib.observability import logger
from chalicelib.store import due

Handler = Callable[[due.Claimed], None]

# Milestones of other capabilities (e.g. an order's "transfer confirmed 72 h before")
# plug in here by name; they are all read from the one "milestone" kind.
MILESTONE = "milestone"
_milestone_handlers: dict[str, Handler] = {}


def sweep(kind: str, handle: Handler) -> int:
    """Handles every item of `kind` due now; returns how many this sweep claimed.

    A handler whose conditional write finds the item changed meanwhile (a customer signed,
    a seller edited) is not an error: the item left the index, or comes back after its lease.
    """
    now = clock.now()
    handled = 0
    for item in due.due(kind, now):
        claimed = due.claim(item, now)
        if claimed is None:
            continue
        handled += 1
        try:
            handle(claimed)
        except Conflict as changed:
            logger.info("due item changed meanwhile", extra={"kind": kind, "reason": changed.message})
        except Exception:
            logger.exception("due work failed", extra={"kind": kind})
    return handled


def on_milestone(name: str) -> Callable[[Handler], Handler]:
    """Registers the handler of one milestone kind."""
    def register(handler: Handler) -> Handler:
        _milestone_handlers[name] = handler
        return handler
    return register


def sweep_milestones() -> int:
    return sweep(MILESTONE, _dispatch_milestone)


def _dispatch_milestone(claimed: due.Claimed) -> None:
    name = claimed.item.get("milestone")
    handler = _milestone_handlers.get(name) if isinstance(name, str) else None
    if handler is None:
        raise LookupError(f"no handler for milestone {name!r}")
    handler(claimed)
