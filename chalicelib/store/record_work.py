"""Tasks, documents and a quote's history kept on a record (quote, proposal, order). Keys: keys.record_work."""
from typing import Any

from chalicelib.domain.errors import NotFound
from chalicelib.domain.record_work import QuoteEvent, RecordDocument, RecordKind, RecordRef, RecordTask, RecordWork
from chalicelib.store import keys
from chalicelib.store.table import Check, Delete, Put, if_absent, if_exists, if_status, table

_RECORD_KEYS = {RecordKind.QUOTE: keys.quote, RecordKind.PROPOSAL: keys.proposal, RecordKind.ORDER: keys.order}


def work(dealer_id: str, record: RecordRef) -> RecordWork:
    """Everything kept on the record: one Query on its prefix."""
    partition, prefix = keys.record_work(dealer_id, record.kind, record.id)
    tasks, documents, history = [], [], []
    for item in table.query_all(partition, prefix):
        kind = keys.record_part_kind(item[keys.SK])
        if kind == "task":
            tasks.append(RecordTask.model_validate(item))
        elif kind == "document":
            documents.append(RecordDocument.model_validate(item))
        elif kind == "event":
            history.append(QuoteEvent.model_validate(item))
    return RecordWork(record=record, tasks=sorted(tasks, key=lambda t: (not t.is_open, t.due_at)),
                      documents=documents, history=sorted(history, key=lambda e: (e.at, e.id)))


def task(dealer_id: str, record: RecordRef, task_id: str) -> RecordTask:
    item = table.get(keys.record_part(dealer_id, record.kind, record.id, "task", task_id))
    if item is None:
        raise NotFound("Tâche introuvable.")
    return RecordTask.model_validate(item)


def document(dealer_id: str, record: RecordRef, document_id: str) -> RecordDocument:
    item = table.get(keys.record_part(dealer_id, record.kind, record.id, "document", document_id))
    if item is None:
        raise NotFound("Document introuvable.")
    return RecordDocument.model_validate(item)


def assigned(dealer_id: str, user_id: str, limit: int) -> tuple[list[RecordTask], bool]:
    """The user's open tasks on records, the earliest due first; True when more were left unread."""
    items, last = table.query(keys.assigned_tasks(dealer_id, user_id), index=keys.DEADLINE_INDEX,
                              partition_attribute=keys.DEADLINE_PK, sort_attribute=keys.DEADLINE_SK, limit=limit)
    return [RecordTask.model_validate(i) for i in items], last is not None


# --- writes -------------------------------------------------------------------------------

def record_exists(dealer_id: str, record: RecordRef) -> Check:
    """A transaction guard: the record has not been deleted meanwhile."""
    return Check(_RECORD_KEYS[record.kind](dealer_id, record.id), if_exists())


def task_added(dealer_id: str, task: RecordTask) -> Put:
    return Put(_task_key(dealer_id, task), _task_item(dealer_id, task), if_absent())


def task_replaced(dealer_id: str, before: RecordTask, after: RecordTask) -> Put:
    """The task as changed, if it is still as read (a done task leaves its assignee's list)."""
    return Put(_task_key(dealer_id, after), _task_item(dealer_id, after), if_status(before.status.value))


def document_added(dealer_id: str, record: RecordRef, document: RecordDocument) -> Put:
    return Put(_document_key(dealer_id, record, document.id), _item(dealer_id, document), if_absent())


def document_replaced(dealer_id: str, record: RecordRef, before: RecordDocument, after: RecordDocument) -> Put:
    """The document as changed, if its status is still the one read."""
    return Put(_document_key(dealer_id, record, after.id), _item(dealer_id, after), if_status(before.status.value))


def document_removed(dealer_id: str, record: RecordRef, document: RecordDocument) -> Delete:
    return Delete(_document_key(dealer_id, record, document.id), if_exists())


def quote_event_added(dealer_id: str, event: QuoteEvent) -> Put:
    return Put(keys.record_part(dealer_id, RecordKind.QUOTE, event.quote_id, "event", event.id),
               _item(dealer_id, event), if_absent())


def _task_key(dealer_id: str, task: RecordTask) -> keys.Key:
    return keys.record_part(dealer_id, task.record.kind, task.record.id, "task", task.id)


def _document_key(dealer_id: str, record: RecordRef, document_id: str) -> keys.Key:
    return keys.record_part(dealer_id, record.kind, record.id, "document", document_id)


def _task_item(dealer_id: str, task: RecordTask) -> dict[str, Any]:
    listing = (keys.assigned_task_listing(dealer_id, task.assignee.id, task.due_at, task.id) if task.is_open else {})
    return {**_item(dealer_id, task), **listing}


def _item(dealer_id: str, part: Any) -> dict[str, Any]:
    return {**part.model_dump(mode="json"), "dealer_id": dealer_id}


