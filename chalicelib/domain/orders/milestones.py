"""Milestones: seed 001's to-do list, dated from the reservation or the handover day.

The dealer's template (default: default_template()) is copied onto an order when it opens; each
milestone is due at 09:00 Paris on its anchor day plus its offset, so moving the handover day
moves every milestone anchored on it. A milestone may apply only to some orders (`when`: paid by
credit, delivered at home, a car that needs its roadworthiness test...): whether it applies is
read from the order as it stands. A guard milestone must be checked before the order moves on:
before the handover for those due before the handover day, before "sold" for the others.
"""
from functools import lru_cache
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from pydantic import Field, model_validator

from chalicelib.domain.dealers import Role
from chalicelib.domain.model import Command, Entity
from chalicelib.domain.orders.model import (
    DeliveryMode, Order, PaymentMethod, OrderVehicle, paris_moment,
)

DUE_TIME = time(9, 0)
MAX_ITEMS = 40  # an order's opening writes them all in one transaction (≤ 100 items)


class Anchor(StrEnum):
    RESERVATION = "reservation"
    HANDOVER = "handover"


class Stage(StrEnum):
    RESERVATION = "reservation"      # À la réservation : J ou J+1
    STOCK_RELEASE = "stock_release"  # Déstockage : J ou J+1
    ORGANISATION = "organisation"    # Organisation du rendez-vous : J-5
    VALIDATION = "validation"        # Validation du rendez-vous : J-3
    SALE_DAY = "sale_day"            # Jour de la vente
    AFTER_SALE = "after_sale"        # Après la vente


STAGE_LABELS = {
    Stage.RESERVATION: "À la réservation", Stage.STOCK_RELEASE: "Déstockage",
    Stage.ORGANISATION: "Organisation du rendez-vous (J-5)", Stage.VALIDATION: "Validation du rendez-vous (J-3)",
    Stage.SALE_DAY: "Jour de la vente", Stage.AFTER_SALE: "Après la vente",
}


class When(StrEnum):
    ALWAYS = "always"
    CREDIT = "credit"
    TRANSFER = "transfer"
    BANKERS_CHEQUE = "bankers_cheque"
    OWN_FUNDS = "own_funds"        # transfer or banker's cheque
    BRANCH = "branch"              # handover at the branch
    HOME_DELIVERY = "home_delivery"
    ROADWORTHINESS = "roadworthiness"


class TemplateItem(Command):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$", description="stable id of the milestone on each order")
    stage: Stage
    label: str = Field(min_length=3, max_length=200)
    anchor: Anchor
    offset_days: int = Field(ge=-30, le=60, description="days after (or before, negative) the anchor day")
    role: Role = Role.SELLER
    guard: bool = Field(default=False, description="must be checked before the order moves on")
    when: When = When.ALWAYS


class OrderTemplate(Entity):
    items: list[TemplateItem]
    version: int = 0


class OrderTemplateChange(Command):
    version: int = Field(ge=0, description="the template's version as read (0: still the default)")
    items: list[TemplateItem] = Field(min_length=1, max_length=MAX_ITEMS)

    @model_validator(mode="after")
    def _unique_codes(self) -> "OrderTemplateChange":
        codes = [i.code for i in self.items]
        if len(codes) != len(set(codes)):
            raise ValueError("each item has its own code")
        return self


def _item(code: str, stage: Stage, label: str, anchor: Anchor, offset: int, role: Role = Role.SELLER,
          guard: bool = False, when: When = When.ALWAYS) -> TemplateItem:
    return TemplateItem(code=code, stage=stage, label=label, anchor=anchor, offset_days=offset, role=role,
                        guard=guard, when=when)


_R, _H = Anchor.RESERVATION, Anchor.HANDOVER
_BO, _MGR = Role.BACK_OFFICE, Role.MANAGER


# Seed 001, line by line ("J ou J+1": due the day after the reservation at the latest).
@lru_cache(maxsize=1)  # built on first use: importing the app builds no model (cold start)
def default_template() -> OrderTemplate:
    return OrderTemplate(items=[
        _item("availability", Stage.RESERVATION, "Disponibilités du client et du véhicule", _R, 1),
        _item("appointment", Stage.RESERVATION, "Rendez-vous de cession ou livraison confirmé (selon travaux et "
              "partenaire)", _R, 1),
        _item("payment_method", Stage.RESERVATION, "Moyen de paiement confirmé (virement, chèque de banque, crédit), "
              "financement reparlé", _R, 1),
        _item("financing_amounts", Stage.RESERVATION, "Apport et montant financé saisis (frais de réservation, carte "
              "grise, livraison financés ?)", _R, 1, when=When.CREDIT),
        _item("credit_signed", Stage.RESERVATION, "Crédit : tous les documents signés par le client", _R, 1,
              when=When.CREDIT),
        _item("funds_deadline", Stage.RESERVATION, "Date butoir donnée au client : fonds reçus 48 h avant le "
              "rendez-vous, sinon pas de rendez-vous", _R, 1, when=When.OWN_FUNDS),
        _item("holder", Stage.RESERVATION, "Titulaire de la carte grise : titulaire, cotitulaire ou société", _R, 1),
        _item("documents_requested", Stage.RESERVATION, "Documents pour la carte grise demandés au client", _R, 1),
        _item("warranty", Stage.RESERVATION, "Extension de garantie reproposée", _R, 1),
        _item("insurance", Stage.RESERVATION, "Assurance reproposée", _R, 1),
        _item("unblock_request", Stage.STOCK_RELEASE, "Demande de déblocage du véhicule envoyée à l'ADV", _R, 1),
        _item("roadworthiness_test", Stage.STOCK_RELEASE, "Contrôle technique demandé (véhicule de 3 ans et 11 mois ou "
              "plus, ou dernier CT de plus de 5 mois)", _R, 1, _BO, when=When.ROADWORTHINESS),
        _item("service", Stage.STOCK_RELEASE, "Révision demandée si la dernière date de près d'un an ou plus",
              _R, 1, _BO),
        _item("cleaning", Stage.STOCK_RELEASE, "Nettoyage demandé", _R, 1, _BO),
        _item("handover_date_set", Stage.STOCK_RELEASE, "Date de cession fixée (10 à 15 jours après la réservation)",
              _R, 1),
        _item("documents_checked", Stage.ORGANISATION, "Documents reçus vérifiés, client relancé si besoin", _H, -5),
        _item("holder_present", Stage.ORGANISATION, "Futur titulaire présent, sinon procuration", _H, -5),
        _item("inspector_planned", Stage.ORGANISATION, "Inspecteur recherché et planifié", _H, -5, when=When.BRANCH),
        _item("inspector_accredited", Stage.ORGANISATION, "Chèque de banque : accréditation de l'inspecteur vérifiée",
              _H, -5, when=When.BANKERS_CHEQUE),
        _item("delivery_booked", Stage.ORGANISATION, "Livraison : partenaire réservé, prise en charge vérifiée", _H, -5,
              when=When.HOME_DELIVERY),
        _item("transfer_order", Stage.VALIDATION, "Ordre de virement confirmé 72 h avant le rendez-vous", _H, -3,
              when=When.TRANSFER),
        _item("funds_received", Stage.VALIDATION, "Réception des fonds vérifiée", _H, -3, when=When.OWN_FUNDS),
        _item("credit_approved", Stage.VALIDATION, "Crédit validé sans réserve", _H, -3, when=When.CREDIT),
        _item("roadworthiness_report", Stage.VALIDATION, "Procès-verbal de contrôle technique reçu et mis au dossier",
              _H, -3, _BO, when=When.ROADWORTHINESS),
        _item("documents_validated", Stage.VALIDATION, "Documents nécessaires validés", _H, -3, _BO, guard=True),
        _item("documents_to_partner", Stage.VALIDATION, "Documents transmis au partenaire de livraison (rapport "
              "d'inspection, bon d'enlèvement, copie de la carte grise)", _H, -3, when=When.HOME_DELIVERY),
        _item("handover_documents", Stage.SALE_DAY, "Documents de cession au dossier : bon de remise, certificat de "
              "cession (cerfa 15776), carte grise barrée", _H, 0, guard=True),
        _item("credit_funds_transfer", Stage.SALE_DAY, "Crédit : transfert des fonds de l'organisme vers l'acheteur "
              "demandé", _H, 0, _MGR, when=When.CREDIT),
        _item("marked_sold", Stage.SALE_DAY, "Véhicule passé en vendu", _H, 0),
        _item("review_call", Stage.SALE_DAY, "Appel de l'acheteur : demande d'avis, problèmes désamorcés", _H, 0),
        _item("sold_checked", Stage.AFTER_SALE, "Passage du véhicule en vendu vérifié", _H, 1, _BO),
        _item("handover_documents_checked", Stage.AFTER_SALE, "Documents de cession signés vérifiés", _H, 1, _BO),
    ])


class Milestone(Entity):
    """One item of an order's to-do list."""
    code: str
    stage: Stage
    label: str
    anchor: Anchor
    offset_days: int
    role: Role
    guard: bool = False
    when: When = When.ALWAYS
    due_by: datetime = Field(description="when it should be done: 09:00 Paris on its anchor day + offset")
    done_at: datetime | None = None
    done_by: str | None = None
    told_at: datetime | None = Field(default=None, description="when its assignee was told it is due")
    position: int = Field(default=0, description="its place in the template: the to-do list's order within a day")

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def is_overdue(self, order: Order, now: datetime) -> bool:
        return not self.done and applies(self, order, now) and self.due_by < now

    def blocks(self) -> str:
        """Which move a guard milestone holds back: the handover, or "sold"."""
        return "sold" if self.anchor == Anchor.HANDOVER and self.offset_days >= 0 else "handover"


def due_by_of(anchor: Anchor, offset_days: int, reserved_on: date, handover_on: date) -> datetime:
    day = (reserved_on if anchor == Anchor.RESERVATION else handover_on) + timedelta(days=offset_days)
    return paris_moment(day, DUE_TIME)


def milestones_of(template: OrderTemplate, reserved_on: date, handover_on: date) -> list[Milestone]:
    return [Milestone(**item.model_dump(), position=position,
                      due_by=due_by_of(item.anchor, item.offset_days, reserved_on, handover_on))
            for position, item in enumerate(template.items)]


def moved(milestones: list[Milestone], reserved_on: date, handover_on: date) -> list[Milestone]:
    """The milestones anchored on the handover that change with a new handover day (done ones stay)."""
    changed = []
    for m in milestones:
        if m.done or m.anchor != Anchor.HANDOVER:
            continue
        new = due_by_of(m.anchor, m.offset_days, reserved_on, handover_on)
        if new != m.due_by:
            changed.append(m.model_copy(update={"due_by": new, "told_at": None}))
    return changed


def applies(milestone: Milestone, order: Order, now: datetime) -> bool:
    method = order.payment.method if order.payment else None
    mode = order.delivery.mode if order.delivery else None
    match milestone.when:
        case When.CREDIT:
            return method == PaymentMethod.CREDIT
        case When.TRANSFER:
            return method == PaymentMethod.TRANSFER
        case When.BANKERS_CHEQUE:
            return method == PaymentMethod.BANKERS_CHEQUE
        case When.OWN_FUNDS:
            return method in (PaymentMethod.TRANSFER, PaymentMethod.BANKERS_CHEQUE)
        case When.BRANCH:
            return mode == DeliveryMode.BRANCH
        case When.HOME_DELIVERY:
            return mode == DeliveryMode.HOME
        case When.ROADWORTHINESS:
            return needs_roadworthiness_test(order.vehicle, order.handover_on)
    return True


def needs_roadworthiness_test(vehicle: OrderVehicle, handover_on: date) -> bool:
    """Seed 001: a test when the car is 3 years 11 months old or more, or its last test is over 5 months
    old. The law asks a test under 6 months old to sell a car over 4 years old (Code de la route,
    art. R323-22): the month's margin leaves time to book it. Ages are taken at the handover day."""
    if not vehicle.used:
        return False
    if vehicle.first_registration is None:
        return True  # unknown age: better a test than a sale the law forbids
    if _add_months(vehicle.first_registration, 47) > handover_on:
        return False
    return vehicle.last_roadworthiness_test is None or _add_months(vehicle.last_roadworthiness_test, 5) < handover_on


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def next_action(milestones: list[Milestone], order: Order, now: datetime) -> Milestone | None:
    """The first milestone to do: the earliest due among those not done that apply."""
    open_ = [m for m in milestones if not m.done and applies(m, order, now)]
    return min(open_, key=lambda m: (m.due_by, m.position), default=None)
