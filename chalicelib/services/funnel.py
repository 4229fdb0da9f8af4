"""The managers' dashboard: counting the funnel's events as they happen, and reading a period's figures.

`counted` is the one hook the use cases call: it returns the write to add to their unit of work,
which already records the event on condition that it has not happened yet (the first send, the
first counted view, the acceptance, the acompte, the handover): the counter moves once per event.
Reading a period costs one Query per month, the users and the dealer: never the proposals.
"""
import csv
import io
from datetime import datetime
from typing import Protocol

from chalicelib.domain import local_time
from chalicelib.domain.dealers import Role, Staff
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.funnel import Dashboard, DashboardQuery, Figures, FunnelRow, Step, sign_attribute, sign_bucket
from chalicelib.domain.proposals.model import Proposal
from chalicelib.store import dealers as dealer_store
from chalicelib.store import funnel as store
from chalicelib.store.unit_of_work import Write

MANAGERS = (Role.MANAGER, Role.ADMIN)
NO_SITE = "Sans agence"


class Counted(Protocol):
    """What an event is counted for: a proposal or an order, of a dealer and a seller."""
    @property
    def dealer_id(self) -> str: ...

    @property
    def seller_id(self) -> str: ...


def counted(of: Counted, at: datetime, *steps: Step) -> list[Write]:
    """The day's counter of the seller, moved by these steps (one write: a transaction touches an item once).
    A signature also lands in its time-to-sign bucket (from the proposal's first send)."""
    amounts = {step.value: 1 for step in steps}
    if Step.SIGNED in steps and isinstance(of, Proposal) and of.sent_at is not None:
        amounts[sign_attribute(sign_bucket(at - of.sent_at))] = 1
    return [store.added(of.dealer_id, local_time.paris_date(at), of.seller_id, amounts)] if amounts else []


def dashboard(staff: Staff, query: DashboardQuery) -> Dashboard:
    """Managers and admins only (a seller: 403, docs/api.md)."""
    require_manager(staff)
    dealer = dealer_store.get(staff.dealer_id)
    users = {u.id: u for u in dealer_store.list_users(staff.dealer_id)}
    sites = {b.id: b.name for b in dealer.branches}
    total = Figures(id=dealer.id, name=dealer.name)
    sellers: dict[str, Figures] = {}
    by_site: dict[str, Figures] = {}
    for counter in store.between(staff.dealer_id, query.start, query.end):
        seller_id = counter["seller_id"]
        user = users.get(seller_id)
        # A seller's site is their branch today: the counters are per seller (docs/decisions.md).
        site_id = (user.branch_id if user and user.branch_id in sites else None) or ""
        total = total.plus(counter)
        sellers[seller_id] = sellers.get(seller_id, Figures(id=seller_id, name=user.name if user else seller_id)) \
            .plus(counter)
        by_site[site_id] = by_site.get(site_id, Figures(id=site_id, name=sites.get(site_id, NO_SITE))).plus(counter)
    return Dashboard(start=query.start, end=query.end, total=FunnelRow.of(total),
                     sellers=sorted((FunnelRow.of(f) for f in sellers.values()), key=lambda r: r.name.casefold()),
                     sites=sorted((FunnelRow.of(f) for f in by_site.values()), key=lambda r: r.name.casefold()))


COLUMNS = ("Périmètre", "Nom", "Envoyées", "Consultées", "Signées", "Acomptes payés", "Remises",
           "Conversion (%)", "Délai médian de signature (h)")


def as_csv(board: Dashboard) -> str:
    """The same figures as the charts, for a spreadsheet (French Excel: semicolons, decimal comma)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    rows = [("Concession", board.total), *(("Vendeur", r) for r in board.sellers),
            *(("Agence", r) for r in board.sites)]
    for scope, row in rows:
        writer.writerow([scope, row.name, row.sent, row.viewed, row.signed, row.paid, row.handed_over,
                         _number(row.conversion_percent), _number(row.median_hours_to_sign)])
    return "\ufeff" + out.getvalue()


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}".replace(".", ",")


def require_manager(staff: Staff) -> None:
    if staff.role not in MANAGERS:
        raise Forbidden("Réservé aux responsables et administrateurs de la concession.")

