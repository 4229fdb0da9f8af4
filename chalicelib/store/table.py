"""The one DynamoDB table: reads, conditional writes and transactions.

Callers get plain dicts and domain errors; botocore errors never leave this module.
Conditions sit next to the write they guard.
"""
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Iterable

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from chalicelib.clients import client
from chalicelib.domain.errors import AlreadyExists, DomainError, InvalidTransition, NotFound, StaleVersion
from chalicelib.settings import settings
from chalicelib.store import keys
from chalicelib.store.keys import Key

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_dynamo(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(_plain(v)) for k, v in item.items() if v is not None}


def from_dynamo(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _python(_deserializer.deserialize(v)) for k, v in item.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _python(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _python(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_python(v) for v in value]
    if isinstance(value, set):
        return {_python(v) for v in value}
    return value


# --- conditions -----------------------------------------------------------------

@dataclass(frozen=True)
class Condition:
    """A condition expression with its names and values, and the error it means when false."""
    expression: str
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)


def if_absent() -> Condition:
    return Condition("attribute_not_exists(#pk)", {"#pk": keys.PK})


def if_exists() -> Condition:
    return Condition("attribute_exists(#pk)", {"#pk": keys.PK})


def if_version(version: int) -> Condition:
    return Condition("#version = :expected_version", {"#version": "version"}, {":expected_version": version})


def if_status(*statuses: str) -> Condition:
    placeholders = {f":status{i}": s for i, s in enumerate(statuses)}
    return Condition(f"#status IN ({', '.join(placeholders)})", {"#status": "status"}, placeholders)


def if_attribute_equals(attribute: str, value: Any) -> Condition:
    return Condition("#cmp_attr = :cmp_value", {"#cmp_attr": attribute}, {":cmp_value": value})


def _merged(first: dict[str, Any], second: dict[str, Any], what: str) -> dict[str, Any]:
    """Two placeholder maps as one; a placeholder meaning two things would silently change a condition."""
    clash = sorted(p for p in set(first) & set(second) if first[p] != second[p])
    if clash:
        raise ValueError(f"{what} {clash} defined twice with different meanings")
    return first | second


def all_of(*conditions: Condition) -> Condition:
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    for c in conditions:
        names = _merged(names, c.names, "Condition names")
        values = _merged(values, c.values, "Condition values")
    return Condition(" AND ".join(f"({c.expression})" for c in conditions), names, values)


# --- writes ----------------------------------------------------------------------

@dataclass(frozen=True)
class Put:
    key: Key
    attributes: dict[str, Any]
    condition: Condition | None = None
    error: DomainError | None = None


@dataclass(frozen=True)
class Update:
    """SET the given attributes, REMOVE the listed ones (e.g. leaving the due index)."""
    key: Key
    set: dict[str, Any] = field(default_factory=dict)
    remove: tuple[str, ...] = ()
    add: dict[str, int] = field(default_factory=dict)
    condition: Condition | None = None
    error: DomainError | None = None


@dataclass(frozen=True)
class Delete:
    key: Key
    condition: Condition | None = None
    error: DomainError | None = None


@dataclass(frozen=True)
class Check:
    key: Key
    condition: Condition
    error: DomainError | None = None


Write = Put | Update | Delete | Check


def _update_expression(op: Update) -> tuple[str, dict[str, str], dict[str, Any]]:
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    parts = []
    sets = []
    for i, (name, value) in enumerate(op.set.items()):
        names[f"#s{i}"] = name
        values[f":s{i}"] = value
        sets.append(f"#s{i} = :s{i}")
    if sets:
        parts.append("SET " + ", ".join(sets))
    adds = []
    for i, (name, amount) in enumerate(op.add.items()):
        names[f"#a{i}"] = name
        values[f":a{i}"] = amount
        adds.append(f"#a{i} :a{i}")
    if adds:
        parts.append("ADD " + ", ".join(adds))
    if op.remove:
        removes = []
        for i, name in enumerate(op.remove):
            names[f"#r{i}"] = name
            removes.append(f"#r{i}")
        parts.append("REMOVE " + ", ".join(removes))
    return " ".join(parts), names, values


def _request(op: Write) -> tuple[str, dict[str, Any]]:
    """The TransactWriteItems form of one write; the single-item calls reuse it."""
    request: dict[str, Any] = {"TableName": settings().table_name}
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    if isinstance(op, Put):
        kind = "Put"
        request["Item"] = to_dynamo({**op.attributes, **op.key})
    else:
        kind = {Update: "Update", Delete: "Delete", Check: "ConditionCheck"}[type(op)]
        request["Key"] = to_dynamo(op.key)
    if isinstance(op, Update):
        expression, names, values = _update_expression(op)
        request["UpdateExpression"] = expression
    if op.condition is not None:
        request["ConditionExpression"] = op.condition.expression
        names = _merged(names, op.condition.names, "Placeholder names")
        values = _merged(values, op.condition.values, "Placeholder values")
    if names:
        request["ExpressionAttributeNames"] = names
    if values:
        request["ExpressionAttributeValues"] = to_dynamo(values)
    request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return kind, request


def _failure(op: Write, old_item: dict[str, Any] | None) -> DomainError:
    """Names why a condition failed, from the item as it stood."""
    if op.error is not None:
        return op.error
    condition = op.condition.expression if op.condition else ""
    if "attribute_not_exists" in condition:
        return AlreadyExists("Cet élément existe déjà.")
    if old_item is None:
        return NotFound("Élément introuvable.")
    if op.condition is not None and "#version" in condition \
            and old_item.get("version") != op.condition.values.get(":expected_version"):
        return StaleVersion()
    if "#status" in condition:
        return InvalidTransition(f"Action impossible dans l'état « {old_item.get('status')} ».")
    return InvalidTransition("L'élément n'est plus dans l'état attendu.")


class Pages:
    """Reading a whole partition page after page, the same for every table (DynamoDB's, tests/memory's)."""

    query: Callable[..., tuple[list[dict[str, Any]], Key | None]]  # one page, and the key to go on after

    def query_all(self, partition: str, sort_prefix: str | None = None, **options: Any) -> list[dict[str, Any]]:
        items, after = self.query(partition, sort_prefix, **options)
        while after:
            more, after = self.query(partition, sort_prefix, start_after=after, **options)
            items.extend(more)
        return items


class Table(Pages):
    """The project's DynamoDB table. One instance serves every repository."""

    @property
    def _client(self):
        return client("dynamodb")

    @property
    def name(self) -> str:
        return settings().table_name

    def get(self, key: Key, consistent: bool = True) -> dict[str, Any] | None:
        answer = self._client.get_item(TableName=self.name, Key=to_dynamo(key), ConsistentRead=consistent)
        item = answer.get("Item")
        return from_dynamo(item) if item else None

    def query(
        self,
        partition: str,
        sort_prefix: str | None = None,
        *,
        limit: int | None = None,
        start_after: Key | None = None,
        newest_first: bool = False,
        index: str | None = None,
        partition_attribute: str = keys.PK,
        sort_attribute: str = keys.SK,
        sort_at_most: str | None = None,
        filter: Condition | None = None,
    ) -> tuple[list[dict[str, Any]], Key | None]:
        """One page of a partition, in sort-key order; returns the key to continue after."""
        names = {"#p": partition_attribute}
        values: dict[str, Any] = {":p": partition}
        expression = "#p = :p"
        if sort_prefix is not None:
            names["#s"] = sort_attribute
            values[":s"] = sort_prefix
            expression += " AND begins_with(#s, :s)"
        elif sort_at_most is not None:
            names["#s"] = sort_attribute
            values[":s"] = sort_at_most
            expression += " AND #s <= :s"
        request: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": expression,
            "ScanIndexForward": not newest_first,
        }
        if filter is not None:
            request["FilterExpression"] = filter.expression
            names |= filter.names
            values |= filter.values
        request["ExpressionAttributeNames"] = names
        request["ExpressionAttributeValues"] = to_dynamo(values)
        if index:
            request["IndexName"] = index
        else:
            request["ConsistentRead"] = True
        if limit:
            request["Limit"] = limit
        if start_after:
            request["ExclusiveStartKey"] = to_dynamo(start_after)
        answer = self._client.query(**request)
        last = answer.get("LastEvaluatedKey")
        return [from_dynamo(i) for i in answer.get("Items", [])], (from_dynamo(last) if last else None)

    def write(self, op: Write) -> dict[str, Any] | None:
        """One conditional write. Returns the item as written for an Update."""
        kind, request = _request(op)
        call = {
            "Put": self._client.put_item,
            "Update": self._client.update_item,
            "Delete": self._client.delete_item,
        }[kind]
        if kind == "Update":
            request["ReturnValues"] = "ALL_NEW"
        try:
            answer = call(**request)
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                old = error.response.get("Item")
                raise _failure(op, from_dynamo(old) if old else None) from None
            raise
        attributes = answer.get("Attributes")
        return from_dynamo(attributes) if attributes else None

    def transact(self, ops: Iterable[Write]) -> None:
        """All writes or none. A failed condition raises the error of the write that failed."""
        ops = list(ops)
        requests = [dict([_request(op)]) for op in ops]
        try:
            self._client.transact_write_items(TransactItems=requests)
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = error.response.get("CancellationReasons", [])
            for op, reason in zip(ops, reasons):
                if reason.get("Code") == "ConditionalCheckFailed":
                    old = reason.get("Item")
                    raise _failure(op, from_dynamo(old) if old else None) from None
            raise

    def batch_get(self, item_keys: list[Key]) -> list[dict[str, Any]]:
        """Reads up to 100 items by key; order is not kept."""
        found: list[dict[str, Any]] = []
        pending = {self.name: {"Keys": [to_dynamo(k) for k in item_keys], "ConsistentRead": True}}
        while pending and pending[self.name]["Keys"]:
            answer = self._client.batch_get_item(RequestItems=pending)
            found.extend(from_dynamo(i) for i in answer["Responses"].get(self.name, []))
            pending = answer.get("UnprocessedKeys") or {}
        return found


class _TableInUse:
    """The table every repository writes to: DynamoDB, unless a test installed the in-memory one."""

    def __init__(self) -> None:
        self.current: Any = Table()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.current, name)


_in_use = _TableInUse()
table: Table = _in_use  # type: ignore[assignment]


def install(replacement: Any) -> Any:
    """Makes every repository use `replacement` (tests: tests/memory); returns what it replaces."""
    previous, _in_use.current = _in_use.current, replacement
    return previous
