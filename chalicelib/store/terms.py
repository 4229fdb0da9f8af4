"""The dealer's terms per product kind: heads, versions, upload forms. Keys: keys.dealer_terms."""
from chalicelib.domain.errors import NotFound
from chalicelib.domain.quotes import KIND_LABELS
from chalicelib.domain.terms import (
    UPLOAD_KEPT, DealerTerms, KindTerms, TermsBeingReplaced, TermsUpload, TermsVersion, kind_terms,
)
from chalicelib.store import keys
from chalicelib.store.table import Delete, Put, if_absent, if_attribute_equals, if_exists, table

_HEAD_FIELDS = ("kind", "version", "current", "revision")


def all_of(dealer_id: str) -> DealerTerms:
    """Every kind (with or without terms) and its versions: one Query."""
    partition, prefix = keys.dealer_terms(dealer_id)
    heads: dict[str, dict] = {}
    versions: dict[str, list[TermsVersion]] = {}
    for item in table.query_all(partition, prefix):
        if keys.is_terms_version(item[keys.SK]):
            version = TermsVersion.model_validate(item)
            versions.setdefault(version.kind.value, []).append(version)
        else:
            heads[item["kind"]] = item
    kinds = []
    for kind in KIND_LABELS:
        head = heads.get(kind.value, {})
        current = TermsVersion.model_validate(head["current"]) if head.get("current") else None
        kinds.append(kind_terms(kind, int(head.get("version", 0)), current, versions.get(kind.value, []),
                                int(head.get("revision", 0))))
    return DealerTerms(kinds=kinds)


def upload(dealer_id: str, upload_id: str) -> TermsUpload:
    item = table.get(keys.terms_upload(dealer_id, upload_id))
    if item is None:
        raise NotFound("Envoi de conditions générales introuvable.")
    return TermsUpload.model_validate(item)


# --- writes -------------------------------------------------------------------------------

def upload_added(dealer_id: str, form: TermsUpload) -> Put:
    kept_until = form.created_at + UPLOAD_KEPT
    return Put(keys.terms_upload(dealer_id, form.id),
               {**form.model_dump(mode="json"), keys.TTL: int(kept_until.timestamp())}, if_absent())


def upload_used(dealer_id: str, form: TermsUpload) -> Delete:
    """The form is spent (its file kept as a version, or refused): confirming it again is a 404."""
    return Delete(keys.terms_upload(dealer_id, form.id), if_exists(),
                  error=NotFound("Envoi de conditions générales introuvable."))


def head_saved(dealer_id: str, before: KindTerms, after: KindTerms) -> Put:
    """The kind's head, if nobody changed it since it was read (its revision)."""
    condition = if_absent() if before.revision == 0 else if_attribute_equals("revision", before.revision)
    item = after.model_dump(mode="json", include=set(_HEAD_FIELDS))
    return Put(keys.terms_head(dealer_id, after.kind.value), item, condition, error=TermsBeingReplaced())


def version_added(dealer_id: str, version: TermsVersion) -> Put:
    return Put(keys.terms_version(dealer_id, version.kind.value, version.version), version.model_dump(mode="json"),
               if_absent(), error=TermsBeingReplaced())

