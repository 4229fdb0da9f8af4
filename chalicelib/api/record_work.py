"""Dealer API: tasks on a quote, a proposal or an order; titled documents on a quote or a proposal (seed 003).

The same routes under each record: /quotes/{quote_id}/..., /proposals/{proposal_id}/..., /orders/{order_id}/...
(tasks only: an order's documents are its own, api/orders.py).
"""
from collections.abc import Callable
from typing import Any

from chalice import Blueprint

from chalicelib.api.auth import seller_auth
from chalicelib.api.http import current_staff, endpoint, parse
from chalicelib.domain.files import DocumentDownload
from chalicelib.domain.record_work import (
    DocumentChange, NewRecordDocument, RecordDocument, RecordKind, RecordTask, RecordUploadForm, RecordWork,
)
from chalicelib.domain.tasks import NewTask
from chalicelib.services import record_work

record_work_api = Blueprint(__name__)


def _route(path: str, name: str, view: Callable[..., Any], **options: Any) -> None:
    view.__name__ = name  # one view function per record kind and action
    endpoint(record_work_api, path, authorizer=seller_auth, tag="crm", **options)(view)


def _register(kind: RecordKind) -> None:
    base, param = f"/{kind.value}s/{{{kind.value}_id}}", f"{kind.value}_id"
    label = kind.label.lower()

    def work(**ids: str):
        return record_work.work(current_staff(record_work_api).dealer_id, kind, ids[param])

    def add_task(**ids: str):
        staff = current_staff(record_work_api)
        command = parse(NewTask, record_work_api.current_request)
        return record_work.add_task(staff.dealer_id, kind, ids[param], command, by=staff)

    def complete_task(task_id: str, **ids: str):
        staff = current_staff(record_work_api)
        return record_work.complete_task(staff.dealer_id, kind, ids[param], task_id, by=staff)

    _route(f"{base}/work", f"{kind}_work", work, response=RecordWork,
           summary=f"The {label}'s tasks (open first), documents and (a quote's) history")
    _route(f"{base}/tasks", f"add_{kind}_task", add_task, method="POST", body=NewTask, response=RecordTask,
           status=201, summary=f"Add a task to the {label} (assignee: its seller by default); recorded in its history")
    _route(f"{base}/tasks/{{task_id}}/complete", f"complete_{kind}_task", complete_task, method="POST",
           response=RecordTask, summary=f"Mark a task of the {label} done (once); recorded in its history")
    if not kind.keeps_documents:
        return

    def add_document(**ids: str):
        staff = current_staff(record_work_api)
        command = parse(NewRecordDocument, record_work_api.current_request)
        return record_work.request_upload(staff.dealer_id, kind, ids[param], command, by=staff)

    def confirm_document(document_id: str, **ids: str):
        staff = current_staff(record_work_api)
        return record_work.confirm_upload(staff.dealer_id, kind, ids[param], document_id, by=staff)

    def download_document(document_id: str, **ids: str):
        staff = current_staff(record_work_api)
        return record_work.download(staff.dealer_id, kind, ids[param], document_id)

    def change_document(document_id: str, **ids: str):
        staff = current_staff(record_work_api)
        command = parse(DocumentChange, record_work_api.current_request)
        return record_work.change_document(staff.dealer_id, kind, ids[param], document_id, command, by=staff)

    def delete_document(document_id: str, **ids: str):
        staff = current_staff(record_work_api)
        record_work.delete_document(staff.dealer_id, kind, ids[param], document_id, by=staff)

    document = f"{base}/documents/{{document_id}}"
    _route(f"{base}/documents", f"add_{kind}_document", add_document, method="POST", body=NewRecordDocument,
           response=RecordUploadForm, status=201,
           summary=f"A document on the {label}: a presigned POST (≤ 10 MB, private) for its file, then confirm")
    _route(f"{document}/confirm", f"confirm_{kind}_document", confirm_document, method="POST",
           response=RecordDocument, summary="Keep the uploaded file if its bytes are a PDF, a JPEG or a PNG "
           "of at most 10 MB (else it is deleted and refused)")
    _route(f"{document}/download", f"download_{kind}_document", download_document, response=DocumentDownload,
           summary="A short-lived download link (5 minutes)")
    _route(document, f"change_{kind}_document", change_document, method="PATCH", body=DocumentChange,
           response=RecordDocument, summary="Rename a document, or mark it to send with the proposal's email")
    _route(document, f"delete_{kind}_document", delete_document, method="DELETE", status=204,
           summary="Delete a document (recorded in the history)")


for _kind in RecordKind:
    _register(_kind)
