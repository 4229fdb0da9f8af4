"""The customer portal: public, server-rendered French pages under /p/{token}, no script.

Each route reads the form (if any), calls one use case (services/portal.py, signing.py, deposits.py)
and renders a page or redirects (303) by what the link shows now. Every answer, errors
included, carries the portal's headers with a fresh CSP nonce for the inline stylesheet.
Links and redirects are relative, so the pages work under any base path. A closed state
(expired link or proposal, withdrawn) is shown at the link's own address: other addresses
redirect there, so the expired-link page never carries anything but its nonce and CSRF token.
"""
import functools
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import parse_qsl, quote

from chalice import Blueprint, Response

from chalicelib.api.middleware import UnsupportedMediaType, status_of
from chalicelib.domain import errors
from chalicelib.domain.codes import CodeForAnotherVersion
from chalicelib.domain.deposits import RETURN_PATH
from chalicelib.domain.links import PortalState
from chalicelib.domain.proposals.options import since_sent
from chalicelib.domain.quotes import describes_a_vehicle
from chalicelib.domain.proposals.model import SIGNER_LABELS, SignerRole
from chalicelib.domain.signing import (
    QUESTION_MAX, REASON_MAX, code_mobile, consent_parts, periods_of, signer_address, signer_name,
)
from chalicelib.observability import logger
from chalicelib.portal import pages
from chalicelib.portal.security import csrf_token, new_nonce, portal_headers
from chalicelib.services import deposits, invoices, options, portal, questions, signing, visit as visits, withdrawal
from chalicelib.services.visit import Closed, Visit, Visitor
from chalicelib.settings import settings

portal_api = Blueprint(__name__)

PREFIX = "/p/"
MAX_FORM_BYTES = 16 * 1024
MAX_FORM_FIELDS = 20
HTML = "text/html; charset=utf-8"
CLOSED_PAGES = {
    PortalState.LINK_EXPIRED: ("link_expired.html", 410),
    PortalState.UNKNOWN: ("link_unknown.html", 404),
    PortalState.PROPOSAL_EXPIRED: ("proposal_expired.html", 410),
    PortalState.BLOCKED: ("blocked.html", 410),
}


# --- answers ---------------------------------------------------------------------------------

@dataclass
class Page:
    template: str
    status: int = 200
    context: dict[str, Any] = field(default_factory=dict)

    def response(self, nonce: str) -> Response:
        body = pages.render(self.template, nonce=nonce, favicon=favicon_href(),
                           **{"error": None, "values": {}, "proposal": None, "deposit": None, "beacon": False,
                              **self.context})
        headers = portal_headers(nonce, self.context.get("form_targets") or ())
        return Response(body=body, status_code=self.status, headers={**headers, "Content-Type": HTML})


@dataclass
class Redirect:
    location: str

    def response(self, nonce: str) -> Response:
        return Response(body="", status_code=303, headers={**portal_headers(nonce), "Location": self.location})


def page_route(path: str, method: str = "GET") -> Callable:
    """Registers a portal route: any content type reaches the view; every failure becomes a page."""

    def register(view: Callable[..., Page | Redirect]) -> Callable:
        @functools.wraps(view)
        def answered(**params: str) -> Response:
            nonce = new_nonce()
            try:
                answer = view(**params)
            except Exception:
                logger.exception("portal page failed", extra={"route": path})
                answer = Page("error.html", 500)
            return answer.response(nonce)

        portal_api.route(path, methods=[method], content_types=["*/*"])(answered)
        return view

    return register


def error_page(status: int, message: str) -> Response:
    """What the middleware answers on a portal path (body too large, method not allowed, failure): app.py
    registers it for PREFIX, before this module is imported."""
    nonce = new_nonce()
    template = "error.html" if status >= 500 else "refused.html"
    return Page(template, status, {"message": message}).response(nonce)


# --- the tab's icon ----------------------------------------------------------------------------------

FAVICON = pages.TEMPLATES / "favicon.svg"
SEEN_IMAGE = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'
PREFETCH_HEADERS = ("sec-purpose", "purpose", "x-moz", "x-purpose")


@portal_api.route(PREFIX + "favicon.svg", methods=["GET"])
def favicon():
    """The pages' icon: static, so cached for a day; an SVG that runs nothing (its own CSP)."""
    return Response(body=FAVICON.read_text(encoding="utf-8"), status_code=200, headers={
        "Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=86400",
        "Content-Security-Policy": "default-src 'none'", "X-Content-Type-Options": "nosniff",
    })


def favicon_href() -> str:
    """The icon relative to the page (pages stay relative to work under any base path): /p/{token} is one
    segment below /p/, /p/{token}/sign two."""
    request = portal_api.current_request
    route = getattr(request, "path", None) or PREFIX
    depth = max(route.removeprefix(PREFIX).count("/"), 0)
    return "../" * depth + "favicon.svg"


# --- request pieces ---------------------------------------------------------------------------

def _visitor() -> Visitor:
    request = portal_api.current_request
    identity = (request.context or {}).get("identity") or {}
    return Visitor.of(identity.get("sourceIp"), request.headers.get("user-agent"))


def _prefetch() -> bool:
    """A browser's speculative fetch (link prefetch, prerender): not the customer looking."""
    headers = portal_api.current_request.headers
    return any("prefetch" in (headers.get(name) or "").lower() for name in PREFETCH_HEADERS)


def _form() -> dict[str, str]:
    """The posted form: url-encoded UTF-8, small, each field once; anything else is refused (4xx)."""
    request = portal_api.current_request
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise UnsupportedMediaType("Ce formulaire n'a pas été envoyé correctement : rechargez la page, puis réessayez.")
    raw = request.raw_body or b""
    if isinstance(raw, str):
        raw = raw.encode()
    if len(raw) > MAX_FORM_BYTES:
        raise errors.PayloadTooLarge("Votre texte est trop long : raccourcissez-le, puis réessayez.")
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS,
                          encoding="utf-8", errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise errors.InvalidInput("Ce formulaire n'a pas pu être lu : rechargez la page, puis réessayez.") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise errors.InvalidInput("Ce formulaire n'a pas pu être lu : rechargez la page, puis réessayez.")
        form[name] = value
    return form


def _root(token: str, depth: int) -> str:
    """The link's page, relative to a page `depth` levels below it (whatever was typed as a token stays
    one path segment: a redirect never leaves the portal)."""
    segment = quote(token, safe="")
    return segment if depth == 0 else "../" * depth + segment


# --- pages by state -------------------------------------------------------------------------------

def _context(visit: Visit, token: str, depth: int) -> dict[str, Any]:
    proposal = visit.proposal
    signed = visit.state == PortalState.ACCEPTED_VIEW
    deposit = deposits.shown(proposal, visit.now) if signed else None
    return {
        "invoices": invoices.shown(proposal) if signed and proposal else [],
        "deposit": deposit, "form_targets": (deposits.checkout_origin(),) if deposit and deposit.payable else (),
        "proposal": proposal, "root": _root(token, depth), "now": visit.now, "state": visit.state.value,
        "csrf": lambda form: csrf_token(settings().csrf_secret, visit.token_hash, form),
        "periods": periods_of(proposal) if proposal else [],
        "options_changes": since_sent(proposal) if proposal and visit.state == PortalState.SHOW else None,
        "question_max": QUESTION_MAX, "reason_max": REASON_MAX, "signer_labels": SIGNER_LABELS,
        # The acceptance opened an order when the proposal sells a described vehicle (no read needed here).
        "has_order": signed and proposal is not None and describes_a_vehicle(proposal.lines),
    }


def _state_page(visit: Visit, token: str, depth: int = 0, here: bool = False, status: int | None = None,
                **extra: Any) -> Page | Redirect:
    """The page of what the link shows now, at the link's own address (other addresses redirect there,
    unless `here`: a form refused because the proposal was signed or declined meanwhile says why in place)."""
    state = visit.state
    if depth and not (here and state not in CLOSED_PAGES):
        return Redirect(_root(token, depth))
    if state in CLOSED_PAGES:
        template, closed_status = CLOSED_PAGES[state]
    else:
        template, closed_status = {PortalState.SHOW: "proposal.html", PortalState.ACCEPTED_VIEW: "accepted.html",
                                   PortalState.DECLINED_VIEW: "declined.html"}[state], 200
    proposal = visit.proposal
    if state in (PortalState.SHOW, PortalState.ACCEPTED_VIEW) and proposal is not None and proposal.question_count:
        # The questions and their answers: one more Query, only once the customer asked one.
        extra = {"thread": questions.thread(proposal.dealer_id, proposal.id), **extra}
    return Page(template, status or closed_status, {**_context(visit, token, depth), **extra})


def _form_page(template: str, token: str, depth: int, allowed: tuple[PortalState, ...] = (PortalState.SHOW,),
               error: errors.DomainError | None = None, values: dict[str, str] | None = None,
               visit: Visit | None = None) -> Page | Redirect:
    """A form page if the link still allows it (with the error to fix), else the link's page.
    `visit`: the link as the route already read it (read here otherwise)."""
    visit = visit or visits.look(token)
    status = status_of(error) if error else 200
    signing_page = template in ("sign.html", "code.html")
    if visit.state not in allowed or (signing_page and not visit.signable):
        return _state_page(visit, token, depth, here=error is not None, status=status if error else None,
                           error=error)
    if template == "proposal.html":  # the page itself, a choice refused in place (options): as the link shows it
        return _state_page(visit, token, depth, here=True, status=status, error=error)
    context = {**_context(visit, token, depth), "error": error, "values": values or {}}
    if template == "sign.html":
        shown = visit.require(*allowed).proposal
        context["consent"] = consent_parts(shown)
        context.update(holder=SignerRole.HOLDER,
                       signer_names={role: signer_name(shown, role) for role in shown.signer_roles},
                       signer_addresses={role: signer_address(shown, role) for role in shown.signer_roles},
                       signer_mobiles={role: code_mobile(shown, role) for role in shown.signer_roles})
    if template == "code.html":
        role = _signer(visit, (values or {}).get("signer"))
        mine = visit.require(*allowed).aggregate.code_of(role)
        context.update(challenge=mine.challenge, pending=mine.pending,
                       signer=role.value if visit.require(*allowed).proposal.co_holder else None)
    if template == "withdrawal.html":
        opened = visit.require(*allowed)
        context["withdrawal"] = withdrawal.page(opened.proposal, opened.now)
    return Page(template, status, context)


def _posted(token: str, depth: int, act: Callable[[str, dict[str, str], Visitor], Any], template: str,
            success: Page | Redirect | None = None, keep: tuple[str, ...] = (),
            allowed: tuple[PortalState, ...] = (PortalState.SHOW,),
            refill: type[errors.DomainError] | None = None) -> Page | Redirect:
    """Runs a posted form's use case; `success` is the answer once it went through (None: a redirect to
    the address the use case returned). A refusal shows the form again with the error and the fields kept
    (a `refill` refusal shows the sign form instead: it must be filled again)."""
    form: dict[str, str] = {}
    try:
        form = _form()
        result = act(token, form, _visitor())
    except Closed:
        return Redirect(_root(token, depth))
    except signing.NeedsForm:
        return Redirect("sign" if depth == 1 else f"{_root(token, depth)}/sign")
    except errors.DomainError as error:
        shown = "sign.html" if refill is not None and isinstance(error, refill) else template
        return _form_page(shown, token, depth, allowed, error=error,
                          values={name: form[name] for name in keep if name in form})
    return success if success is not None else Redirect(result)


# --- routes ----------------------------------------------------------------------------------------

@page_route("/p/{token}")
def proposal_page(token: str):
    """The link's page. A prefetch opens it without recording anything; otherwise "lien ouvert" is recorded
    and the page's image (seen.svg, loaded by the customer's browser only) confirms the view."""
    if _prefetch():
        return _state_page(visits.look(token), token)
    return _state_page(portal.view(token, _visitor()), token, beacon=True)


@page_route("/p/{token}", method="HEAD")
def proposal_head(token: str):
    """Link checkers and mail scanners: the page's answer, recording nothing and telling nobody."""
    return _state_page(visits.look(token), token)


@portal_api.route(PREFIX + "{token}/seen.svg", methods=["GET"])
def seen(token: str):
    """The page's image: its fetch is the customer's browser showing the page (no script needed). The same
    blank image whatever the link shows, never cached, so each day's first showing reaches the server."""
    if not _prefetch():
        try:
            portal.seen(token, _visitor())
        except Exception:
            logger.exception("portal view not recorded", extra={"route": "seen"})
    return Response(body=SEEN_IMAGE, status_code=200, headers={
        "Content-Type": "image/svg+xml", "Cache-Control": "no-store",
        "Content-Security-Policy": "default-src 'none'", "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    })


@page_route("/p/{token}", method="POST")
def new_link(token: str):
    """The expired-link page's button: the same answer whether a link was sent or the hour's limit reached.
    Any other state (an unknown token included) is its own page."""
    try:
        portal.request_new_link(token, _form(), _visitor())
    except errors.DomainError as error:
        visit = visits.look(token)
        if visit.state != PortalState.LINK_EXPIRED:
            return _state_page(visit, token)
        return Page("link_expired.html", status_of(error), {**_context(visit, token, 0), "error": error})
    except Closed:
        return _state_page(visits.look(token), token)
    return Page("link_sent.html", 200)


@page_route("/p/{token}/document.pdf")
def document(token: str):
    try:
        return Redirect(portal.download(token, _visitor()))
    except Closed:
        return Redirect(_root(token, 1))


@page_route("/p/{token}/question")
def question_form(token: str):
    return _form_page("question.html", token, 1, visits.READABLE)


@page_route("/p/{token}/question", method="POST")
def ask_question(token: str):
    return _posted(token, 1, portal.ask, "question.html", Redirect("question/sent"), keep=("question",),
                   allowed=visits.READABLE)


@page_route("/p/{token}/question/sent")
def question_sent(token: str):
    return _form_page("question_sent.html", token, 2, visits.READABLE)


@page_route("/p/{token}/decline")
def decline_form(token: str):
    return _form_page("decline.html", token, 1)


@page_route("/p/{token}/decline", method="POST")
def decline(token: str):
    return _posted(token, 1, portal.decline, "decline.html", Redirect(_root(token, 1)), keep=("reason",))


@page_route("/p/{token}/sign")
def sign_form(token: str):
    return _form_page("sign.html", token, 1)


@page_route("/p/{token}/sign", method="POST")
def sign(token: str):
    return _posted(token, 1, _to_code(signing.start, "code"), "sign.html",
                   keep=("full_name", "iban", "terms", "no_claim", "signer"))


@page_route("/p/{token}/code")
def code_form(token: str):
    visit = visits.look(token)
    params = portal_api.current_request.query_params
    role = _signer(visit, params.get("signer") if params else None)
    proposal = visit.proposal
    challenge = visit.aggregate.code_of(role).challenge if visit.aggregate is not None else None
    if visit.signable and proposal and (challenge is None or challenge.proposal_version != proposal.version):
        return Redirect("sign")  # no code yet, or one for an earlier version (options changed): the form again
    return _form_page("code.html", token, 1, visit=visit, values={"signer": role.value})


@page_route("/p/{token}/code", method="POST")
def code(token: str):
    return _posted(token, 1, signing.confirm, "code.html", Redirect(_root(token, 1)), keep=("signer",),
                   refill=CodeForAnotherVersion)


@page_route("/p/{token}/code/resend", method="POST")
def resend_code(token: str):
    return _posted(token, 2, _to_code(signing.resend, "../code"), "code.html", keep=("signer",))


def _to_code(act: Callable[[str, dict[str, str], Visitor], SignerRole],
             page: str) -> Callable[[str, dict[str, str], Visitor], str]:
    """The use case, answering with the code page of the signer it sent a code to (the co-holder's says so)."""
    def acted(token: str, form: dict[str, str], visitor: Visitor) -> str:
        role = act(token, form, visitor)
        return page if role == SignerRole.HOLDER else f"{page}?signer={role.value}"
    return acted


def _signer(visit: Visit, raw: str | None) -> SignerRole:
    """Whose code page this is (the holder's unless a co-holder is named and asked for)."""
    if visit.proposal is None or raw != SignerRole.CO_HOLDER.value or visit.proposal.co_holder is None:
        return SignerRole.HOLDER
    return SignerRole.CO_HOLDER


@page_route("/p/{token}/options", method="POST")
def choose_option(token: str):
    """An option taken or left (services/options.py): the page again with the new version; a refusal (locked,
    changed meanwhile, signed) shows the page as it now is, with the reason."""
    return _posted(token, 1, options.choose, "proposal.html", Redirect(_root(token, 1)))


@page_route("/p/{token}/options")
def options_page(token: str):
    return Redirect(_root(token, 1))


@page_route("/p/{token}/deposit", method="POST")
def pay_deposit(token: str):
    """The accepted page's "Payer l'acompte" button: off to the provider's checkout (303)."""
    return _posted(token, 1, deposits.start, "accepted.html", allowed=(PortalState.ACCEPTED_VIEW,))


@page_route("/p/{token}/deposit")
def deposit_page(token: str):
    return Redirect(_root(token, 1))


# Back from the checkout by its return reference (RETURN_PATH), never the portal token: these pages
# show the acompte's result and the seller, and lead nowhere else (the proposal opens from the email's link).

@page_route(RETURN_PATH + "{reference}/paid")
def deposit_paid(reference: str):
    """The confirmation if the webhook has recorded it, else "en cours" (refresh)."""
    params = portal_api.current_request.query_params
    session = (params.get("session_id") if params else None) or ""
    return _returned(reference, "deposit_paid.html", session_id=session)


@page_route(RETURN_PATH + "{reference}/cancelled")
def deposit_cancelled(reference: str):
    return _returned(reference, "deposit_cancelled.html")


def _returned(reference: str, template: str, **extra: Any) -> Page:
    try:
        back = deposits.returned(reference)
    except errors.NotFound:
        return Page("return_unknown.html", 404)
    if back.purpose == "balance":  # an order's balance paid by card (services/balance.py): its own wording
        template = template.replace("deposit_", "balance_")
    return Page(template, 200, {"proposal": back.proposal, "deposit": back.deposit, **extra})


@page_route("/p/{token}/invoices/{number}")
def invoice_document(token: str, number: str):
    """One of the signed proposal's invoices: a redirect to its short-lived PDF URL (another's: not found)."""
    try:
        proposal = visits.look(token).require(PortalState.ACCEPTED_VIEW).proposal
    except Closed:
        return Redirect(_root(token, 2))
    try:
        return Redirect(invoices.proposal_download(proposal.dealer_id, proposal.id, number))
    except errors.NotFound:
        return _not_found()


@page_route("/p/{token}/conditions/{kind}")
def terms_document(token: str, kind: str):
    """The dealer's terms of one product kind, in the version the proposal took: a redirect to its short-lived
    PDF URL (a kind the proposal has none of: not found)."""
    try:
        return Redirect(portal.terms(token, kind))
    except Closed:
        return Redirect(_root(token, 2))
    except errors.NotFound:
        return _not_found()


@page_route("/p/{token}/retractation")
def withdrawal_form(token: str):
    """The model withdrawal form, per product, once signed (docs/withdrawal.md)."""
    return _form_page("withdrawal.html", token, 1, (PortalState.ACCEPTED_VIEW,))


@page_route("/p/{token}/retractation", method="POST")
def withdraw(token: str):
    return _posted(token, 1, withdrawal.withdraw, "withdrawal.html", Redirect("retractation"),
                   keep=("name", "address"), allowed=(PortalState.ACCEPTED_VIEW,))


def _not_found() -> Page:
    return Page("not_found.html", 404)


@page_route("/p/{token}/{page}")
def unknown_page(token: str, page: str):
    return _not_found()


@page_route("/p/{token}/{page}", method="POST")
def unknown_form(token: str, page: str):
    return _not_found()


@page_route("/p/{token}/{page}/{part}")
def unknown_subpage(token: str, page: str, part: str):
    return _not_found()


@page_route("/p/{token}/{page}/{part}", method="POST")
def unknown_subform(token: str, page: str, part: str):
    return _not_found()
