"""The managers' dashboard (SPEC K): the funnel sent → viewed → signed → paid → handed over, per seller and
per site over a period, with conversion and the median time to sign.

Figures come from counters kept as events happen (one per dealer, Paris day and seller), never from
reading proposals: each counted event adds to its day's counter in its own unit of work, once (the
first send, the first counted view, the acceptance, the acompte paid, the handover of an order that
came from a proposal). The time to sign (first send → signature) is kept as a histogram of
SIGN_BUCKETS, and the median is read from it: the bucket where half the signatures are reached,
interpolated linearly inside it (the last, open bucket gives its lower bound). It is an estimate,
as precise as the buckets (docs/decisions.md).
"""
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from pydantic import Field

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.model import Command, Entity

PERIOD_MAX_DAYS = 366


class Step(StrEnum):
    SENT = "sent"
    VIEWED = "viewed"
    SIGNED = "signed"
    PAID = "paid"
    HANDED_OVER = "handed_over"


# Upper bounds (hours) of the time-to-sign buckets; the last bucket is open.
SIGN_BUCKETS_HOURS = (1, 4, 24, 48, 72, 168, 336, 720)
SIGN_BUCKET_COUNT = len(SIGN_BUCKETS_HOURS) + 1


def sign_bucket(elapsed: timedelta) -> int:
    hours = elapsed.total_seconds() / 3600
    return next((i for i, bound in enumerate(SIGN_BUCKETS_HOURS) if hours <= bound), len(SIGN_BUCKETS_HOURS))


def sign_attribute(bucket: int) -> str:
    return f"sign_h{bucket}"


def median_hours(histogram: list[int]) -> float | None:
    """The median time to sign, in hours, from the buckets' counts (None without a signature)."""
    total = sum(histogram)
    if total == 0:
        return None
    half, seen = total / 2, 0
    for bucket, count in enumerate(histogram):
        if count and seen + count >= half:
            lower = SIGN_BUCKETS_HOURS[bucket - 1] if bucket else 0
            if bucket == len(SIGN_BUCKETS_HOURS):
                return float(lower)
            upper = SIGN_BUCKETS_HOURS[bucket]
            return round(lower + (upper - lower) * (half - seen) / count, 1)
        seen += count
    raise AssertionError("unreachable: the counts add up to total")


class Figures(Entity):
    """One row of the dashboard: a seller, a site, or the whole dealer."""
    id: str
    name: str
    sent: int = 0
    viewed: int = 0
    signed: int = 0
    paid: int = 0
    handed_over: int = 0
    sign_histogram: list[int] = Field(default_factory=lambda: [0] * SIGN_BUCKET_COUNT)

    @property
    def conversion(self) -> float | None:
        """Signed ÷ sent in the period, in percent (None when nothing was sent)."""
        return round(100 * self.signed / self.sent, 1) if self.sent else None

    def plus(self, counter: dict[str, Any]) -> "Figures":
        return self.model_copy(update={
            **{step.value: getattr(self, step.value) + int(counter.get(step.value, 0)) for step in Step},
            "sign_histogram": [n + int(counter.get(sign_attribute(i), 0)) for i, n in enumerate(self.sign_histogram)],
        })


class FunnelRow(Entity):
    id: str
    name: str
    sent: int
    viewed: int
    signed: int
    paid: int
    handed_over: int
    conversion_percent: float | None = Field(description="signed ÷ sent over the period")
    median_hours_to_sign: float | None = Field(description="estimated from the time-to-sign histogram")

    @classmethod
    def of(cls, figures: Figures) -> "FunnelRow":
        return cls(id=figures.id, name=figures.name, sent=figures.sent, viewed=figures.viewed, signed=figures.signed,
                   paid=figures.paid, handed_over=figures.handed_over, conversion_percent=figures.conversion,
                   median_hours_to_sign=median_hours(figures.sign_histogram))


class Dashboard(Entity):
    start: date
    end: date
    total: FunnelRow
    sellers: list[FunnelRow]
    sites: list[FunnelRow]


class DashboardQuery(Command):
    model_config = Command.model_config | {"strict": False, "populate_by_name": True}

    start: date = Field(alias="from")
    end: date = Field(alias="to")

    def check(self) -> "DashboardQuery":
        if self.end < self.start:
            raise InvalidInput("La fin de la période précède son début.", {"to": "before from"})
        if (self.end - self.start).days >= PERIOD_MAX_DAYS:
            raise InvalidInput(f"Choisissez une période d'au plus {PERIOD_MAX_DAYS} jours.", {"to": "period too long"})
        return self
