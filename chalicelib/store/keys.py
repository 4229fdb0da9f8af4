"""Every key format of the one table. Nothing outside store/ builds a key.

Tenant data lives under PK = DEALER#<dealer_id>; an aggregate's children share
its SK prefix so one Query reads the whole aggregate.
"""
import re
import zlib
from datetime import datetime, timezone

Key = dict[str, str]

PK, SK = "PK", "SK"
DUE_INDEX = "due"
DUE_PK, DUE_AT = "due_pk", "due_at"
TTL = "ttl"
# Fixed for the life of the table: changing it would hide items from the sweep.
DUE_SHARDS = 8

USER_PREFIX = "USER#"
# The table's stream consumer (jobs/delivery.py) and its Lambda filter (infra/resources.yaml) match it.
OUTBOX_PREFIX = "OUTBOX#"


def _dealer_pk(dealer_id: str) -> str:
    return f"DEALER#{dealer_id}"


def dealer(dealer_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: "DEALER"}


def user(dealer_id: str, user_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"{USER_PREFIX}{user_id}"}


def users_of(dealer_id: str) -> tuple[str, str]:
    """(partition, sort-key prefix) that lists a dealer's users."""
    return _dealer_pk(dealer_id), USER_PREFIX


def user_email(email: str) -> Key:
    """Keeps a login email unique across dealers and finds its user at login."""
    return {PK: f"USEREMAIL#{email.strip().lower()}", SK: "USEREMAIL"}


def link(token_hash: str) -> Key:
    return {PK: f"LINK#{token_hash}", SK: "LINK"}


def deposit_return(reference_hash: str) -> Key:
    """A checkout's return reference (services/deposits.py): leads to the acompte's result page only."""
    return {PK: f"RETURN#{reference_hash}", SK: "RETURN"}


def outbox(dealer_id: str, message_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"{OUTBOX_PREFIX}{message_id}"}


def is_outbox(key: Key) -> bool:
    return key.get(SK, "").startswith(OUTBOX_PREFIX)


def due_partition(kind: str, item_key: Key) -> str:
    """Spreads one kind of due work over DUE_SHARDS partitions of the GSI, stably per item."""
    return _due_pk(kind, zlib.crc32(f"{item_key[PK]}|{item_key[SK]}".encode()) % DUE_SHARDS)


def due_partitions(kind: str) -> list[str]:
    """Every partition a sweep of this kind reads."""
    return [_due_pk(kind, shard) for shard in range(DUE_SHARDS)]


def _due_pk(kind: str, shard: int) -> str:
    return f"DUE#{kind}#{shard}"


def due_attributes(kind: str, item_key: Key, due_at: datetime) -> dict[str, str]:
    """Attributes that put an item in the sparse due-work index until it is handled."""
    return {DUE_PK: due_partition(kind, item_key), DUE_AT: iso(due_at)}


DUE_ATTRIBUTES = (DUE_PK, DUE_AT, "due_claim")


def iso(moment: datetime) -> str:
    """UTC ISO-8601 with a fixed width, so string order is time order."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: every stored time is UTC-aware")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"
_ISO_TIME = re.compile(_ISO)
_LISTING_SORT_VALUE = re.compile(rf"{_ISO}#[0-9A-HJKMNP-TV-Z]{{26}}")


def is_iso(value: object) -> bool:
    """A time as `iso` writes it (a cursor coming back from a client is checked with it)."""
    return isinstance(value, str) and _ISO_TIME.fullmatch(value) is not None


def is_listing_sort_value(value: object) -> bool:
    """A listing's sort value, `iso(time)#<ULID>`, as the lead and proposal listings write it."""
    return isinstance(value, str) and _LISTING_SORT_VALUE.fullmatch(value) is not None


# --- leads -----------------------------------------------------------------------
# A lead is LEAD#<lead_id> and each of its parts LEAD#<lead_id>#<PART>#<part_id>: one
# Query on the prefix LEAD#<lead_id> reads the whole lead page. Lead ids are ULIDs
# (fixed length), so the prefix of one lead never matches another.

LEAD_PREFIX = "LEAD#"
LEAD_PARTS = {
    "trade_in": "TRADEIN", "offer": "OFFER", "test_drive": "TESTDRIVE", "remark": "REMARK",
    "document": "DOCUMENT", "communication": "MESSAGE", "task": "TASK", "deadline": "DEADLINE",
    "event": "EVENT", "proposal": "PROPOSAL", "order": "ORDER",
}
_LEAD_PART_OF_SEGMENT = {segment: part for part, segment in LEAD_PARTS.items()}

# Generic listing indexes, shared by every aggregate that needs a per-dealer list:
# gsi1 orders a dealer's items by recent activity, gsi2 by a deadline (sparse).
LIST_INDEX, LIST_PK, LIST_SK = "gsi1", "gsi1pk", "gsi1sk"
DEADLINE_INDEX, DEADLINE_PK, DEADLINE_SK = "gsi2", "gsi2pk", "gsi2sk"


def lead(dealer_id: str, lead_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"{LEAD_PREFIX}{lead_id}"}


def lead_part(dealer_id: str, lead_id: str, part: str, part_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"{LEAD_PREFIX}{lead_id}#{LEAD_PARTS[part]}#{part_id}"}


def lead_part_kind(sort_key: str) -> str | None:
    """Which part of a lead an item of its aggregate is (None for the lead item itself)."""
    segments = sort_key.split("#")
    if len(segments) < 4:
        return None
    return _LEAD_PART_OF_SEGMENT.get(segments[2])


def lead_aggregate(dealer_id: str, lead_id: str) -> tuple[str, str]:
    """(partition, sort-key prefix) of a lead and all its parts."""
    return _dealer_pk(dealer_id), f"{LEAD_PREFIX}{lead_id}"


def lead_code_counter(dealer_id: str, year: int) -> Key:
    """The per-dealer, per-year counter behind readable lead codes (L-2026-000123)."""
    return counter(dealer_id, f"LEADCODE#{year}")


def lead_listing(dealer_id: str, last_activity: datetime, lead_id: str) -> dict[str, str]:
    """Puts a lead in its dealer's list, most recent activity last in key order."""
    return {LIST_PK: lead_listing_partitions(dealer_id)[LIST_INDEX], LIST_SK: f"{iso(last_activity)}#{lead_id}"}


def lead_deadline_listing(dealer_id: str, deadline: datetime, lead_id: str) -> dict[str, str]:
    """Puts an open lead with a pending deadline in its dealer's deadline list (sparse)."""
    return {DEADLINE_PK: lead_listing_partitions(dealer_id)[DEADLINE_INDEX],
            DEADLINE_SK: f"{iso(deadline)}#{lead_id}"}


def lead_listing_partitions(dealer_id: str) -> dict[str, str]:
    """The partition of each lead listing index for a dealer."""
    return {LIST_INDEX: f"LEADS#{dealer_id}", DEADLINE_INDEX: f"LEADDEADLINES#{dealer_id}"}


def lead_listing_start(dealer_id: str, index: str, sort_value: str) -> Key:
    """The ExclusiveStartKey that resumes a lead listing after the lead at sort_value."""
    pk, sk = (LIST_PK, LIST_SK) if index == LIST_INDEX else (DEADLINE_PK, DEADLINE_SK)
    lead_id = sort_value.rsplit("#", 1)[1]
    return {**lead(dealer_id, lead_id), pk: lead_listing_partitions(dealer_id)[index], sk: sort_value}


# --- customers, quotes, proposals, email templates (issue 3, dealer side) -------------
# docs/proposals.md lists the access patterns these keys serve.

ACCOUNT_PREFIX = "ACCOUNT#"
QUOTE_PREFIX = "QUOTE#"
PROPOSAL_PREFIX = "PROPOSAL#"
EVENT_INFIX = "#EVENT#"
# Proposals list themselves in the generic listing index (gsi1) under PROPOSALS#<dealer_id>.


def account(dealer_id: str, account_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"{ACCOUNT_PREFIX}{account_id}"}


def contact(dealer_id: str, account_id: str, contact_id: str) -> Key:
    """A contact sits under its account: one Query reads the account and its contacts."""
    return {PK: _dealer_pk(dealer_id), SK: f"{ACCOUNT_PREFIX}{account_id}#CONTACT#{contact_id}"}


def accounts_of(dealer_id: str) -> tuple[str, str]:
    """(partition, prefix) of every account and contact of a dealer."""
    return _dealer_pk(dealer_id), ACCOUNT_PREFIX


def account_with_contacts(dealer_id: str, account_id: str) -> tuple[str, str]:
    return _dealer_pk(dealer_id), f"{ACCOUNT_PREFIX}{account_id}"


def quote(dealer_id: str, quote_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"{QUOTE_PREFIX}{quote_id}"}


def quotes_of(dealer_id: str) -> tuple[str, str]:
    return _dealer_pk(dealer_id), QUOTE_PREFIX


def counter(dealer_id: str, name: str) -> Key:
    """A per-dealer sequence (quote and proposal numbers), incremented atomically."""
    return {PK: _dealer_pk(dealer_id), SK: f"COUNTER#{name}"}


def proposal(dealer_id: str, proposal_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"{PROPOSAL_PREFIX}{proposal_id}"}


def proposal_event(dealer_id: str, proposal_id: str, event_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"{PROPOSAL_PREFIX}{proposal_id}{EVENT_INFIX}{event_id}"}


def proposal_with_history(dealer_id: str, proposal_id: str) -> tuple[str, str]:
    """(partition, prefix): the proposal item and all its events, in time order (ULIDs)."""
    return _dealer_pk(dealer_id), f"{PROPOSAL_PREFIX}{proposal_id}"


def proposals_list(dealer_id: str) -> str:
    """The listing-index partition of a dealer's proposals."""
    return f"PROPOSALS#{dealer_id}"


def proposal_listing(dealer_id: str, created_at: datetime, proposal_id: str) -> dict[str, str]:
    """Puts a proposal in its dealer's list, in creation order (events never carry these)."""
    return {LIST_PK: proposals_list(dealer_id), LIST_SK: f"{iso(created_at)}#{proposal_id}"}


def email_template(dealer_id: str, kind: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"EMAILTEMPLATE#{kind}"}


# --- schedules (issue 5) ------------------------------------------------------------------
# Kinds of due work live in each repository (store.proposals.EXPIRY, LINK_EXPIRY, REMINDER_KIND;
# store.leads.DUE_KIND; store.outbox.KIND); the one new key is the reminder schedule of a proposal.

def proposal_reminder(dealer_id: str, proposal_id: str) -> Key:
    """The automatic-reminder schedule of a proposal: a child item, so the proposal item keeps its own
    place in the due index (its expiry) and the reminder waits in the index under this key.

    It sits under the proposal's prefix (read along with its history, and ignored there).
    """
    return {PK: _dealer_pk(dealer_id), SK: f"{PROPOSAL_PREFIX}{proposal_id}#REMINDER"}


# --- customer portal and signing (issue 3, portal side) -------------------------------
# Under the proposal's prefix, in sort order: the proposal, its signing code (#CODE), its
# history (#EVENT#<ulid>), its evidence chain (#EVIDENCE#<seq>). One Query on the prefix
# reads them all; with Limit 3 it reads the proposal and its signers' codes only.

CODE_SUFFIX = "#CODE"
CO_HOLDER_CODE_SUFFIX = "#CO_HOLDER"
EVIDENCE_INFIX = "#EVIDENCE#"
EVIDENCE_SEQ_DIGITS = 6


def proposal_code(dealer_id: str, proposal_id: str, co_holder: bool = False) -> Key:
    """A signer's signing challenge (the live code's HMAC, tries, recent issues) and pending form: the holder's,
    or the co-holder's just after it (both sort before the events, so the portal's Limit-3 read finds them)."""
    return {PK: _dealer_pk(dealer_id), SK: f"{PROPOSAL_PREFIX}{proposal_id}{CODE_SUFFIX}"
                                            f"{CO_HOLDER_CODE_SUFFIX if co_holder else ''}"}


def evidence_event(dealer_id: str, proposal_id: str, seq: int) -> Key:
    """One event of the proposal's hash-chained evidence, in chain order (seq zero-padded)."""
    return {PK: _dealer_pk(dealer_id),
            SK: f"{PROPOSAL_PREFIX}{proposal_id}{EVIDENCE_INFIX}{seq:0{EVIDENCE_SEQ_DIGITS}d}"}


def proposal_part(proposal_id: str, sort_key: str) -> str | None:
    """Which part of a proposal's aggregate an item is: proposal, code, event, evidence (None: not this one)."""
    base = f"{PROPOSAL_PREFIX}{proposal_id}"
    if sort_key == base:
        return "proposal"
    if sort_key == base + CODE_SUFFIX:
        return "code"
    if sort_key == base + CODE_SUFFIX + CO_HOLDER_CODE_SUFFIX:
        return "co_holder_code"
    if sort_key.startswith(base + EVENT_INFIX):
        return "event"
    if sort_key.startswith(base + EVIDENCE_INFIX):
        return "evidence"
    return None



# --- withdrawal (docs/withdrawal.md) -------------------------------------------------------------
# The withdrawal state of a signed proposal (its products, the declarations made): one item under the
# proposal's prefix, after its events and evidence, so the portal's Limit-3 read never meets it.

def proposal_withdrawals(dealer_id: str, proposal_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"{PROPOSAL_PREFIX}{proposal_id}#WITHDRAWALS"}


# --- deposit payment (docs/payments.md) ----------------------------------------------------
# The payment's state is the proposal item's `deposit_payment` attribute (read by the portal's one
# Query). Each provider event that changed it leaves a marker under the proposal's prefix, so a
# replayed event finds its marker and changes nothing.

PAYMENT_EVENT_INFIX = "#PAYMENT#"


def payment_event(dealer_id: str, proposal_id: str, event_id: str) -> Key:
    """The marker of one processed payment webhook event (its provider id)."""
    return {PK: _dealer_pk(dealer_id), SK: f"{PROPOSAL_PREFIX}{proposal_id}{PAYMENT_EVENT_INFIX}{event_id}"}


def anomaly_settled(dealer_id: str, proposal_id: str, anomaly_id: str) -> Key:
    """The marker that a payment anomaly (its history event's id) was settled: written once."""
    return {PK: _dealer_pk(dealer_id),
            SK: f"{PROPOSAL_PREFIX}{proposal_id}{PAYMENT_EVENT_INFIX}SETTLED#{anomaly_id}"}


# --- orders (issue 12, docs/orders.md) ------------------------------------------------------
# An order is ORDER#<order_id> and each of its parts ORDER#<order_id>#<PART>#<part_id>: one Query
# on the prefix reads the order page (milestones, documents, payments, history). Order ids are
# ULIDs (fixed length), so one order's prefix never matches another's. Orders list themselves in
# gsi1 under ORDERS#<dealer_id>, open ones first by their next action's time (overdue first).

ORDER_PREFIX = "ORDER#"
ORDER_PARTS = {"milestone": "MILESTONE", "document": "DOCUMENT", "payment": "PAYMENT", "event": "EVENT"}
_ORDER_PART_OF_SEGMENT = {segment: part for part, segment in ORDER_PARTS.items()}
ORDER_LIST_OPEN, ORDER_LIST_CLOSED = "0", "1"


def order(dealer_id: str, order_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"{ORDER_PREFIX}{order_id}"}


def order_part(dealer_id: str, order_id: str, part: str, part_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"{ORDER_PREFIX}{order_id}#{ORDER_PARTS[part]}#{part_id}"}


def order_part_kind(sort_key: str) -> str | None:
    """Which part of an order an item of its aggregate is (None for the order item itself)."""
    segments = sort_key.split("#", 3)
    return _ORDER_PART_OF_SEGMENT.get(segments[2]) if len(segments) == 4 else None


def order_aggregate(dealer_id: str, order_id: str) -> tuple[str, str]:
    """(partition, sort-key prefix) of an order and all its parts."""
    return _dealer_pk(dealer_id), f"{ORDER_PREFIX}{order_id}"


def order_origin(dealer_id: str, source: str, source_id: str) -> Key:
    """One order per quote or proposal: written if absent when the order opens."""
    return {PK: _dealer_pk(dealer_id), SK: f"ORDERFROM#{source.upper()}#{source_id}"}


def order_customer_reminders(dealer_id: str, order_id: str) -> Key:
    """The customer's reminders of a remote sale's order (which were sent); outside the order's prefix, so
    the order page's Query does not read it."""
    return {PK: _dealer_pk(dealer_id), SK: f"ORDERREMINDERS#{order_id}"}


def order_template(dealer_id: str) -> Key:
    """The dealer's milestone template (absent: the default one)."""
    return {PK: _dealer_pk(dealer_id), SK: "ORDERTEMPLATE"}


def orders_list(dealer_id: str) -> str:
    return f"ORDERS#{dealer_id}"


def order_listing(dealer_id: str, is_open: bool, sort_time: datetime, order_id: str) -> dict[str, str]:
    """Open orders first, by their next action's time (so overdue ones lead), then closed ones."""
    rank = ORDER_LIST_OPEN if is_open else ORDER_LIST_CLOSED
    return {LIST_PK: orders_list(dealer_id), LIST_SK: f"{rank}#{iso(sort_time)}#{order_id}"}
# --- vehicles (issue 12) ----------------------------------------------------------------------
# A vehicle is VEHICLE#<id>; its open proposals VEHICLE#<id>#PROPOSALS (one small item, read by the
# acceptance and by a repricing); VIN#<vin> keeps a VIN unique in the dealer's stock. Lists: gsi1
# under VEHICLES#<dealer_id> (whole stock), gsi2 under VEHICLES#<dealer_id>#BRANCH#<branch_id>, both
# sorted <status rank>#<created>#<id> so a status filter is a key prefix. docs/data-model.md.

VEHICLE_PREFIX = "VEHICLE#"
_VEHICLE_PROPOSALS_SUFFIX = "#PROPOSALS"
# Listed newest first: available (3) before reserved (2) before sold (1).
VEHICLE_STATUS_RANK = {"available": "3", "reserved": "2", "sold": "1"}


def vehicle(dealer_id: str, vehicle_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"{VEHICLE_PREFIX}{vehicle_id}"}


def vehicle_vin(dealer_id: str, vin: str) -> Key:
    """Holds a VIN once per dealer: written if absent with the vehicle, in its transaction."""
    return {PK: _dealer_pk(dealer_id), SK: f"VIN#{vin}"}


def vehicle_proposals(dealer_id: str, vehicle_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"{VEHICLE_PREFIX}{vehicle_id}{_VEHICLE_PROPOSALS_SUFFIX}"}


def vehicles_partitions(dealer_id: str, branch_id: str | None) -> tuple[str, str, str]:
    """(index, partition attribute, partition) of the list to read: a branch's, or the dealer's."""
    if branch_id is not None:
        return DEADLINE_INDEX, DEADLINE_PK, f"VEHICLES#{dealer_id}#BRANCH#{branch_id}"
    return LIST_INDEX, LIST_PK, f"VEHICLES#{dealer_id}"


def vehicle_listing(dealer_id: str, branch_id: str, status: str, created_at: datetime,
                    vehicle_id: str) -> dict[str, str]:
    """Puts a vehicle in its dealer's list and its branch's list; rewritten when status or branch change."""
    sort_value = f"{vehicle_status_prefix(status)}{iso(created_at)}#{vehicle_id}"
    return {LIST_PK: vehicles_partitions(dealer_id, None)[2], LIST_SK: sort_value,
            DEADLINE_PK: vehicles_partitions(dealer_id, branch_id)[2], DEADLINE_SK: sort_value}


def vehicle_status_prefix(status: str) -> str:
    return f"{VEHICLE_STATUS_RANK[status]}#"


# --- invoices (issue 14, docs/invoices.md) ---------------------------------------------------
# An invoice is INVOICE#<seq, 12 digits>: the dealer's one sequence, so the sort key orders them by
# number, which is also their issue order; a Query on the prefix, newest first, is the seller's list.
# What has been credited on an invoice (INVOICECREDITED#<seq>) is the only part that changes, kept
# apart so the invoice item is written once. The counter is COUNTER#INVOICE; the source marker
# (INVOICEFROM#...) gives one invoice per event. Neither prefix starts with INVOICE#.
# The export by period reads gsi1 under INVOICES#<dealer_id>, sorted by issue time.

INVOICE_PREFIX = "INVOICE#"
INVOICE_SEQ_DIGITS = 12


def invoice(dealer_id: str, seq: int) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"{INVOICE_PREFIX}{seq:0{INVOICE_SEQ_DIGITS}d}"}


def invoices_of(dealer_id: str) -> tuple[str, str]:
    """(partition, prefix) of a dealer's invoices (and nothing else)."""
    return _dealer_pk(dealer_id), INVOICE_PREFIX


def invoice_credited(dealer_id: str, seq: int) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"INVOICECREDITED#{seq:0{INVOICE_SEQ_DIGITS}d}"}


def invoice_credit_note(dealer_id: str, seq: int, credit_seq: int) -> Key:
    """A credit note listed under the invoice it credits (read with its INVOICECREDITED item, one Query)."""
    prefix = invoice_credits(dealer_id, seq)[1]
    return {PK: _dealer_pk(dealer_id), SK: f"{prefix}#NOTE#{credit_seq:0{INVOICE_SEQ_DIGITS}d}"}


def invoice_credits(dealer_id: str, seq: int) -> tuple[str, str]:
    """(partition, prefix): what was credited on an invoice and its credit notes."""
    return _dealer_pk(dealer_id), invoice_credited(dealer_id, seq)[SK]


def invoice_counter(dealer_id: str) -> Key:
    return counter(dealer_id, "INVOICE")


def invoice_source(dealer_id: str, source: str, source_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"INVOICEFROM#{source.upper()}#{source_id}"}


def invoices_list(dealer_id: str) -> str:
    return f"INVOICES#{dealer_id}"


def invoice_listing(dealer_id: str, issued_at: datetime, seq: int) -> dict[str, str]:
    return {LIST_PK: invoices_list(dealer_id), LIST_SK: f"{iso(issued_at)}#{seq:0{INVOICE_SEQ_DIGITS}d}"}
# --- email fates (issue 17, docs/data-model.md) -------------------------------------------
# SES names a sent message by its own id: the lookup item written when the message is sent
# finds its outbox item (and proposal) from an SES event with one GetItem. A suppressed address
# sits under its dealer: one GetItem at send and remind.

SES_MESSAGE_PREFIX = "SESMSG#"


def ses_message(ses_message_id: str) -> Key:
    return {PK: f"{SES_MESSAGE_PREFIX}{ses_message_id}", SK: "SESMSG"}


def ses_message_id_of(key: Key) -> str | None:
    """The SES message id of a lookup item's key (None: another item)."""
    pk = key.get(PK, "")
    return pk.removeprefix(SES_MESSAGE_PREFIX) if pk.startswith(SES_MESSAGE_PREFIX) else None


def suppressed_address(dealer_id: str, email: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"SUPPRESSED#{email.strip().lower()}"}


# --- work kept on a quote, a proposal or an order (issue 18, docs/data-model.md) -----------------
# WORK#<KIND>#<record_id>#<PART>#<part_id>: a record's tasks, documents and (a quote's) history, one
# Query on WORK#<KIND>#<record_id># — apart from the record's own prefix, which lists (quotes) or
# reads (proposals, orders) other items. An open task also sits in gsi2 under its assignee:
# TASKS#<dealer_id>#<user_id>, sorted <due>#<task_id>, so the task overview reads it with one Query.

WORK_PREFIX = "WORK#"
WORK_PARTS = {"task": "TASK", "document": "DOCUMENT", "event": "EVENT"}
_WORK_PART_OF_SEGMENT = {segment: part for part, segment in WORK_PARTS.items()}


def record_work(dealer_id: str, record_kind: str, record_id: str) -> tuple[str, str]:
    """(partition, prefix) of everything kept on one record."""
    return _dealer_pk(dealer_id), f"{WORK_PREFIX}{record_kind.upper()}#{record_id}#"


def record_part(dealer_id: str, record_kind: str, record_id: str, part: str, part_id: str) -> Key:
    partition, prefix = record_work(dealer_id, record_kind, record_id)
    return {PK: partition, SK: f"{prefix}{WORK_PARTS[part]}#{part_id}"}


def record_part_kind(sort_key: str) -> str | None:
    """Which part of a record's work an item is (task, document, event)."""
    segments = sort_key.split("#")
    return _WORK_PART_OF_SEGMENT.get(segments[3]) if len(segments) == 5 else None


def assigned_tasks(dealer_id: str, user_id: str) -> str:
    """The gsi2 partition of a user's open tasks on quotes, proposals and orders."""
    return f"TASKS#{dealer_id}#{user_id}"


def assigned_task_listing(dealer_id: str, user_id: str, due_at: datetime, task_id: str) -> dict[str, str]:
    """Puts an open task in its assignee's list, by due time (sparse: a done task carries none)."""
    return {DEADLINE_PK: assigned_tasks(dealer_id, user_id), DEADLINE_SK: f"{iso(due_at)}#{task_id}"}


# --- a customer's vehicles (issue 18, docs/data-model.md) -----------------------------------------
# PARC#<account_id>#VEHICLE#<id> (a vehicle a seller recorded) and PARC#<account_id>#CONTRACT#<id> (a
# contract on any of the account's vehicles): one Query on PARC#<account_id># reads both. Apart from
# ACCOUNT#<account_id>, whose prefix lists the accounts and reads an account's contacts.

def account_parc(dealer_id: str, account_id: str) -> tuple[str, str]:
    return _dealer_pk(dealer_id), f"PARC#{account_id}#"


def parc_vehicle(dealer_id: str, account_id: str, vehicle_id: str) -> Key:
    partition, prefix = account_parc(dealer_id, account_id)
    return {PK: partition, SK: f"{prefix}VEHICLE#{vehicle_id}"}


def parc_contract(dealer_id: str, account_id: str, contract_id: str) -> Key:
    partition, prefix = account_parc(dealer_id, account_id)
    return {PK: partition, SK: f"{prefix}CONTRACT#{contract_id}"}


def parc_part_kind(sort_key: str) -> str | None:
    """"vehicle" or "contract" for an item of an account's parc."""
    segments = sort_key.split("#")
    return {"VEHICLE": "vehicle", "CONTRACT": "contract"}.get(segments[2]) if len(segments) == 4 else None


# --- in-app notices (the bell) and the funnel's counters (issue 15) ---------------------------
# A user's notices are NOTICE#<user_id>#<notice_id> (ULIDs: newest first is one Query, reversed);
# an unread one also sits in the sparse gsi2 under UNREAD#<dealer_id>#<user_id>, which marking it
# read removes: the bell's count is one Query of the unread ones only. Both expire with `ttl`.

NOTICE_PREFIX = "NOTICE#"


def notice(dealer_id: str, user_id: str, notice_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"{NOTICE_PREFIX}{user_id}#{notice_id}"}


def notices_of(dealer_id: str, user_id: str) -> tuple[str, str]:
    """(partition, sort-key prefix) of a user's notices."""
    return _dealer_pk(dealer_id), f"{NOTICE_PREFIX}{user_id}#"


def unread_notices(dealer_id: str, user_id: str) -> str:
    """The gsi2 partition of a user's unread notices."""
    return f"UNREAD#{dealer_id}#{user_id}"


def unread_listing(dealer_id: str, user_id: str, created_at: datetime, notice_id: str) -> dict[str, str]:
    return {DEADLINE_PK: unread_notices(dealer_id, user_id), DEADLINE_SK: f"{iso(created_at)}#{notice_id}"}


# The funnel's counters: one item per dealer, Paris day and seller, FUNNEL#<YYYY-MM-DD>#<seller_id>,
# incremented (ADD) in the unit of work of each counted event. A period is read month by month
# (prefix FUNNEL#<YYYY-MM>): its cost follows days × sellers, never the number of proposals.

FUNNEL_PREFIX = "FUNNEL#"


def funnel_counter(dealer_id: str, day: str, seller_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"{FUNNEL_PREFIX}{day}#{seller_id}"}


def funnel_month(dealer_id: str, month: str) -> tuple[str, str]:
    """(partition, prefix) of a dealer's counters of one month (YYYY-MM)."""
    return _dealer_pk(dealer_id), f"{FUNNEL_PREFIX}{month}-"


def funnel_counter_of(sort_key: str) -> tuple[str, str]:
    """(day, seller_id) of a counter's sort key."""
    _, day, seller_id = sort_key.split("#", 2)
    return day, seller_id


# --- the dealer's terms (issue 16, docs/data-model.md) ------------------------------------------
# TERMS#<kind> is a kind's head (versions so far, the one in force, a revision for the condition);
# TERMS#<kind>#V<nnnn> one uploaded version, never changed: one Query on TERMS# reads them all.
# TERMSUPLOAD#<id> is an upload form waiting for its file (forgotten by TTL after a day).

TERMS_PREFIX = "TERMS#"
TERMS_VERSION_INFIX = "#V"


def dealer_terms(dealer_id: str) -> tuple[str, str]:
    """(partition, prefix) of every kind's head and versions."""
    return _dealer_pk(dealer_id), TERMS_PREFIX


def terms_head(dealer_id: str, kind: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"{TERMS_PREFIX}{kind}"}


def terms_version(dealer_id: str, kind: str, version: int) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"{TERMS_PREFIX}{kind}{TERMS_VERSION_INFIX}{version:04d}"}


def is_terms_version(sort_key: str) -> bool:
    return sort_key.startswith(TERMS_PREFIX) and TERMS_VERSION_INFIX in sort_key


def terms_upload(dealer_id: str, upload_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"TERMSUPLOAD#{upload_id}"}
