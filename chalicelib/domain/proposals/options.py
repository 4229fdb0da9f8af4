"""Optional products the customer adds or removes on the portal, and the seller's lock on them (SPEC L.4).

Plain rules, no I/O. A proposal offers optional lines (`QuoteLine.optional`); the ones the customer takes
(`chosen`) count in the totals, the VAT and the acompte (domain/quotes.py). Before signing, the customer
may take or leave each of them: every change is a new version of the proposal (its own PDF; a code sent
for the earlier version no longer signs, domain/codes.py). The customer's form carries the version it
was shown: a change made meanwhile (another tab, the seller) refuses it with the page to read again. The
seller may lock the options: the portal then shows them read-only and refuses a change.
"""
from datetime import datetime

from pydantic import Field

from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.model import Command, Entity
from chalicelib.domain.money import format_euros
from chalicelib.domain.proposals.model import Proposal
from chalicelib.domain.proposals.status import STATUS_LABELS, WITH_THE_CUSTOMER, ProposalStatus
from chalicelib.domain.quotes import QuoteLine, deposit_cents, totals_of


class OptionsLocked(Conflict):
    code = "options_locked"

    def __init__(self) -> None:
        super().__init__("Votre conseiller a figé les options de cette proposition : pour en ajouter ou en retirer "
                         "une, posez-lui la question.")


class OptionsClosed(Conflict):
    code = "options_closed"

    def __init__(self, status: ProposalStatus):
        super().__init__(f"Cette proposition est {STATUS_LABELS[status]} : ses options ne peuvent plus changer.")


class OptionsOutdated(Conflict):
    code = "options_outdated"

    def __init__(self) -> None:
        super().__init__("La proposition a changé entre-temps : voici sa version à jour. Vérifiez les options et le "
                         "total, puis faites à nouveau votre choix.")


class OptionsLock(Command):
    """The seller's toggle on a proposal (PUT /proposals/{id}/options-lock)."""
    locked: bool = Field(description="true: the customer may no longer add or remove optional products")


class OptionChoice(Entity):
    """One option taken or left, as the portal's form posts it, for the version the customer was shown."""
    line_id: str
    chosen: bool
    version: int


def read_choice(form: dict[str, str]) -> OptionChoice:
    """The posted form (line, chosen 1/0, version), or InvalidInput in French."""
    line_id = (form.get("line") or "").strip()
    chosen = form.get("chosen")
    version = form.get("version") or ""
    if not line_id or chosen not in ("0", "1") or not version.isdigit() or len(line_id) > 40 or len(version) > 6:
        raise InvalidInput("Ce formulaire n'a pas pu être lu : rechargez la page, puis réessayez.",
                           {"line": "line, chosen (0 or 1) and version expected"})
    return OptionChoice(line_id=line_id, chosen=chosen == "1", version=int(version))


def chosen_ids(lines: list[QuoteLine]) -> list[str]:
    return [line.id for line in lines if line.optional and line.chosen]


def offers_options(proposal: Proposal) -> bool:
    return any(line.optional for line in proposal.lines)


def require_changeable(proposal: Proposal) -> None:
    """The customer may change the options now: sent, not answered, not locked by the seller."""
    if proposal.status not in WITH_THE_CUSTOMER:
        raise OptionsClosed(proposal.status)
    if proposal.options_locked:
        raise OptionsLocked()


def with_choice(proposal: Proposal, choice: OptionChoice, at: datetime) -> Proposal:
    """The next version with the option taken or left; the proposal itself when nothing changes.
    Refused: another version shown (OptionsOutdated), a closed or locked proposal, a line that is no option."""
    require_changeable(proposal)
    if choice.version != proposal.version:
        raise OptionsOutdated()
    line = next((line for line in proposal.lines if line.id == choice.line_id), None)
    if line is None or not line.optional:
        raise InvalidInput("Cette option ne fait pas partie de la proposition : rechargez la page.",
                           {"line": "not an optional line of this proposal"})
    if line.chosen == choice.chosen:
        return proposal
    lines = [item.model_copy(update={"chosen": choice.chosen}) if item.id == line.id else item
             for item in proposal.lines]
    updates = {"lines": lines, "version": proposal.version + 1, "version_created_at": at, "pdf": None}
    if proposal.options_sent is None:  # sent before the sent options were kept: the first change is against this one
        updates |= {"options_sent": chosen_ids(proposal.lines), "options_sent_version": proposal.version}
    return proposal.model_copy(update=updates)


def locked(proposal: Proposal, lock: bool) -> Proposal:
    """The seller locks (or unlocks) the options of a proposal not yet answered; not a new version (the document
    does not change)."""
    if proposal.terminal:
        raise OptionsClosed(proposal.status)
    return proposal.model_copy(update={"options_locked": lock})


# --- what changed since the version sent ----------------------------------------------------------

class OptionLine(Entity):
    id: str
    label: str
    ttc_cents: int


class OptionsChanges(Entity):
    """The customer's options against those of the version the seller sent: what the page and the events say."""
    sent_version: int | None = None
    added: list[OptionLine] = Field(default_factory=list)
    removed: list[OptionLine] = Field(default_factory=list)
    old_ttc_cents: int
    new_ttc_cents: int
    old_deposit_cents: int
    new_deposit_cents: int

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed)

    def named(self) -> list[str]:
        """Each option taken or left, as the seller's notice says it: « ajoutée : Extension de garantie »."""
        return [f"ajoutée : {line.label}" for line in self.added] + [f"retirée : {line.label}" for line in self.removed]

    def lines_text(self) -> str:
        """The change in full, one line each, for the seller's email."""
        told = [f"Ajoutée : {line.label} (+ {format_euros(line.ttc_cents)})" for line in self.added]
        told += [f"Retirée : {line.label} (− {format_euros(line.ttc_cents)})" for line in self.removed]
        told.append(f"Total TTC : {format_euros(self.old_ttc_cents)} → {format_euros(self.new_ttc_cents)}")
        if self.old_deposit_cents or self.new_deposit_cents:
            told.append(f"Acompte : {format_euros(self.old_deposit_cents)} → {format_euros(self.new_deposit_cents)}")
        return "\n".join(told)


def changes(before: list[QuoteLine], after: list[QuoteLine], proposal: Proposal,
            sent_version: int | None = None) -> OptionsChanges:
    """From the lines `before` to the lines `after` (the same lines, options taken or left)."""
    was, now = set(chosen_ids(before)), set(chosen_ids(after))
    old, new = totals_of(before).ttc_cents, totals_of(after).ttc_cents
    return OptionsChanges(
        sent_version=sent_version,
        added=[_shown(line) for line in after if line.id in now - was],
        removed=[_shown(line) for line in after if line.id in was - now],
        old_ttc_cents=old, new_ttc_cents=new,
        old_deposit_cents=deposit_cents(proposal.deposit, old), new_deposit_cents=deposit_cents(proposal.deposit, new),
    )


def since_sent(proposal: Proposal) -> OptionsChanges | None:
    """What the customer changed since the version the seller sent; None when nothing (or not known)."""
    if proposal.options_sent is None:
        return None
    sent = set(proposal.options_sent)
    as_sent = [line.model_copy(update={"chosen": line.id in sent}) if line.optional else line
               for line in proposal.lines]
    found = changes(as_sent, proposal.lines, proposal, proposal.options_sent_version)
    return found if found.any else None


def _shown(line: QuoteLine) -> OptionLine:
    return OptionLine(id=line.id, label=line.label, ttc_cents=line.totals.ttc_cents)
