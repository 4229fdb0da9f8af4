"""Optional products chosen by the customer on the portal, and the seller's lock on them (SPEC L.4).

The customer takes or leaves an option (portal form, services/visit.py): the domain makes the next
version (domain/proposals/options.py), its PDF is rendered and stored, and one unit of work writes the
new version with its document (on condition of the version, the chain head and no lock), the evidence
and history events "options modifiées par le client" (which options, old and new totals and acompte),
and the seller's notice. A code sent for the earlier version no longer signs (domain/codes.py): the
sign form is needed again. The seller locks or unlocks the options from the API (history event).
"""
from chalicelib.domain import clock, evidence
from chalicelib.domain.dealers import Staff
from chalicelib.domain.links import PortalState
from chalicelib.domain.proposals import options
from chalicelib.domain.proposals.model import EventKind
from chalicelib.domain.proposals.views import ProposalView
from chalicelib.services import notifications
from chalicelib.services.customer_contact import stored_pdf
from chalicelib.services.visit import Record, Visitor, checked, commit, open_link, retried
from chalicelib.store import dealers as dealer_store
from chalicelib.store import options as store
from chalicelib.store import proposals as proposal_store
from chalicelib.store.unit_of_work import UnitOfWork

FORM = "options"


# --- the customer ----------------------------------------------------------------------------

def choose(token: str, form: dict[str, str], visitor: Visitor) -> None:
    """Takes or leaves one option for the version the customer was shown (a new version, its PDF)."""
    checked(token, FORM, form)
    choice = options.read_choice(form)
    retried(lambda: _choose(token, choice, visitor))


def _choose(token: str, choice: options.OptionChoice, visitor: Visitor) -> None:
    looked = open_link(token)
    if looked.proposal is not None and looked.state in (PortalState.ACCEPTED_VIEW, PortalState.DECLINED_VIEW):
        raise options.OptionsClosed(looked.proposal.status)  # said on its page: the customer may have missed it
    visit = looked.require(PortalState.SHOW)
    proposal, now = visit.proposal, visit.now
    chosen = options.with_choice(proposal, choice, now)
    if chosen is proposal:
        return  # already as asked (the same form posted twice from one page): nothing to record
    after = stored_pdf(chosen, by_fingerprint=True)  # the document read, and signed, from now on
    assert after.pdf is not None
    change = options.changes(proposal.lines, after.lines, after)
    record = Record(visit.aggregate, visitor, now)
    record.add(evidence.EventKind.OPTIONS_CHANGED, EventKind.OPTIONS_CHANGED, details={
        "from_version": proposal.version, "proposal_version": after.version,
        "added": " ; ".join(line.label for line in change.added) or None,
        "removed": " ; ".join(line.label for line in change.removed) or None,
        "old_ttc_cents": change.old_ttc_cents, "new_ttc_cents": change.new_ttc_cents,
        "old_deposit_cents": change.old_deposit_cents, "new_deposit_cents": change.new_deposit_cents,
        "document_sha256": after.pdf.sha256,
    }, history_details={
        "from_version": proposal.version, "version": after.version,
        "added": [line.label for line in change.added], "removed": [line.label for line in change.removed],
        "old_ttc_cents": change.old_ttc_cents, "new_ttc_cents": change.new_ttc_cents,
        "old_deposit_cents": change.old_deposit_cents, "new_deposit_cents": change.new_deposit_cents,
    })
    commit([store.chosen(proposal, record.chained(after)), *record.writes],
           [notifications.seller_notice(after, EventKind.OPTIONS_CHANGED, now, options=change)])


# --- the seller ------------------------------------------------------------------------------

def lock(dealer_id: str, proposal_id: str, command: options.OptionsLock, by: Staff) -> ProposalView:
    """Locks (or unlocks) the options of a proposal not yet answered; the history says who and when."""
    dealer_store.get(dealer_id).require_remote_selling()
    view = proposal_store.get_with_history(dealer_id, proposal_id)
    proposal = view.proposal
    after = options.locked(proposal, command.locked)
    if after.options_locked == proposal.options_locked:
        return view
    now = clock.now()
    kind = EventKind.OPTIONS_LOCKED if command.locked else EventKind.OPTIONS_UNLOCKED
    event = proposal_store.record_event(dealer_id, proposal_id, kind, now, {"version": proposal.version},
                                        by=by.user_id)
    UnitOfWork(store.lock_changed(proposal, after), event).commit()
    return view.then(after, proposal_store.event_of(event))
