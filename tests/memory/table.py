"""The table in memory, for the service unit tests: the real table's semantics, no process.

It answers the same calls as `chalicelib.store.table.Table` and is not allowed to be kinder
than DynamoDB: conditions are evaluated from the same expression strings, a transaction is
all or nothing (and refuses two writes to one item, or more than 100), items round-trip
through the same serialisation, the indexes are the ones declared in infra/resources.yaml
(sparse: an item is in an index only when it carries both of its key attributes), and a
Query's Limit counts items before the filter, as DynamoDB's does. The contract suite
(tests/contract) runs the same cases here and on DynamoDB Local.
"""
import copy
from collections import Counter
from functools import lru_cache
from typing import Any, Iterable

from chalicelib.store import keys
from chalicelib.store.keys import Key
from chalicelib.store.table import (
    Check, Delete, Pages, Put, Update, Write, _failure, _update_expression, from_dynamo, to_dynamo,
)
from local.table import table_properties
from tests.memory.expressions import compile_condition, placeholders

_MAX_TRANSACTION = 100
_MAX_ITEM_BYTES = 400 * 1024


@lru_cache(maxsize=1)  # infra/resources.yaml is read once per process, not once per test
def _schema() -> tuple[tuple[str, str], dict[str, tuple[str, str]]]:
    properties = table_properties()

    def pair(schema: list[dict[str, str]]) -> tuple[str, str]:
        by_type = {k["KeyType"]: k["AttributeName"] for k in schema}
        return by_type["HASH"], by_type["RANGE"]

    indexes = {i["IndexName"]: pair(i["KeySchema"]) for i in properties.get("GlobalSecondaryIndexes", [])}
    return pair(properties["KeySchema"]), indexes


class MemoryTable(Pages):
    """One table's items, keyed by (PK, SK)."""

    def __init__(self) -> None:
        (self._pk, self._sk), self._indexes = _schema()
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self.calls: Counter[str] = Counter()
        self.name = "memory"

    # --- reads ---------------------------------------------------------------------

    def get(self, key: Key, consistent: bool = True) -> dict[str, Any] | None:
        self.calls["GetItem"] += 1
        item = self.items.get(self._key(key))
        return copy.deepcopy(item) if item is not None else None

    def batch_get(self, item_keys: list[Key]) -> list[dict[str, Any]]:
        self.calls["BatchGetItem"] += 1
        if len(item_keys) > 100:
            raise ValueError("BatchGetItem reads at most 100 keys")
        if len({self._key(k) for k in item_keys}) != len(item_keys):
            raise ValueError("BatchGetItem refuses duplicate keys")
        return [copy.deepcopy(self.items[self._key(k)]) for k in item_keys if self._key(k) in self.items]

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
        filter: Any = None,
    ) -> tuple[list[dict[str, Any]], Key | None]:
        self.calls["Query"] += 1
        pk, sk = self._indexes[index] if index else (self._pk, self._sk)
        if (pk, sk) != (partition_attribute, sort_attribute):
            raise ValueError(f"Index {index or 'table'} is keyed on {pk}/{sk}, "
                             f"not {partition_attribute}/{sort_attribute}")
        matching = [i for i in self.items.values()
                    if i.get(pk) == partition and isinstance(i.get(sk), str)
                    and (sort_prefix is None or i[sk].startswith(sort_prefix))
                    and (sort_at_most is None or i[sk] <= sort_at_most)]
        # Ties on an index's sort key keep a stable order (by the table key).
        matching.sort(key=lambda i: (i[sk], i[self._pk], i[self._sk]), reverse=newest_first)
        if start_after is not None:
            marker = (start_after[sk], start_after[self._pk], start_after[self._sk])
            matching = [i for i in matching
                        if ((i[sk], i[self._pk], i[self._sk]) < marker if newest_first
                            else (i[sk], i[self._pk], i[self._sk]) > marker)]
        evaluated = matching[:limit] if limit else matching
        last: Key | None = None
        if limit and len(matching) >= limit and evaluated:
            tail = evaluated[-1]
            last = {name: tail[name] for name in {self._pk, self._sk, pk, sk}}
        if filter is not None:
            test = compile_condition(filter.expression, filter.names, filter.values)
            self._check_placeholders([filter.expression, "#p = :p"], {**filter.names, "#p": pk},
                                     {**filter.values, ":p": partition})
            evaluated = [i for i in evaluated if test(i)]
        return [copy.deepcopy(i) for i in evaluated], last

    # --- writes --------------------------------------------------------------------

    def write(self, op: Write) -> dict[str, Any] | None:
        if isinstance(op, Check):
            raise ValueError("A condition check alone is not a write: use a transaction")
        self.calls[type(op).__name__ + "Item"] += 1
        key = self._target(op)
        old = self.items.get(key)
        if not self._holds(op, old):
            raise _failure(op, copy.deepcopy(old) if old is not None else None)
        new = self._applied(op, old)
        self._store(key, new)
        return copy.deepcopy(new) if isinstance(op, Update) else None

    def transact(self, ops: Iterable[Write]) -> None:
        ops = list(ops)
        self.calls["TransactWriteItems"] += 1
        if not ops or len(ops) > _MAX_TRANSACTION:
            raise ValueError(f"A transaction holds 1 to {_MAX_TRANSACTION} writes, not {len(ops)}")
        targets = [self._target(op) for op in ops]
        if len(set(targets)) != len(targets):
            raise ValueError("A transaction cannot write one item twice")
        for op, key in zip(ops, targets):
            old = self.items.get(key)
            if not self._holds(op, old):
                raise _failure(op, copy.deepcopy(old) if old is not None else None)
        results = [(key, self._applied(op, self.items.get(key))) for op, key in zip(ops, targets)
                   if not isinstance(op, Check)]
        for key, new in results:
            self._store(key, new)

    # --- semantics -----------------------------------------------------------------

    def _target(self, op: Write) -> tuple[str, str]:
        # A Put's "key" may carry more attributes (they join the item); other writes take the key alone.
        return self._key({n: op.key[n] for n in (self._pk, self._sk)} if isinstance(op, Put) else op.key)

    def _key(self, key: Key) -> tuple[str, str]:
        if set(key) != {self._pk, self._sk}:
            raise ValueError(f"A key is {self._pk} and {self._sk}, not {sorted(key)}")
        return key[self._pk], key[self._sk]

    def _holds(self, op: Write, old: dict[str, Any] | None) -> bool:
        expressions, names, values = [], {}, {}
        if isinstance(op, Update):
            expression, names, values = _update_expression(op)
            expressions.append(expression)
        if op.condition is None:
            self._check_placeholders(expressions, names, values)
            return True
        expressions.append(op.condition.expression)
        clash = (set(names) & set(op.condition.names)) | (set(values) & set(op.condition.values))
        if clash:
            raise ValueError(f"Placeholders defined twice in one request: {sorted(clash)}")
        self._check_placeholders(expressions, {**names, **op.condition.names}, {**values, **op.condition.values})
        condition_values = from_dynamo(to_dynamo(op.condition.values))
        test = compile_condition(op.condition.expression, op.condition.names, condition_values)
        return bool(test(old if old is not None else {}))

    @staticmethod
    def _check_placeholders(expressions: list[str], names: dict[str, str], values: dict[str, Any]) -> None:
        used = set().union(*(placeholders(e) for e in expressions)) if expressions else set()
        unused = (set(names) | set(values)) - used
        if unused:
            raise ValueError(f"Placeholders no expression uses: {sorted(unused)}")

    def _applied(self, op: Write, old: dict[str, Any] | None) -> dict[str, Any] | None:
        if isinstance(op, Delete):
            return None
        if isinstance(op, Check):
            return old
        if isinstance(op, Put):
            return from_dynamo(to_dynamo({**op.attributes, **op.key}))
        assert isinstance(op, Update)
        item = copy.deepcopy(old) if old is not None else dict(op.key)
        touched = list(op.set) + list(op.add) + list(op.remove)
        if len(set(touched)) != len(touched):
            raise ValueError("An update cannot change one attribute twice")
        if set(touched) & {self._pk, self._sk}:
            raise ValueError("An update cannot change the key")
        for name, value in from_dynamo(to_dynamo(op.set)).items():
            item[name] = value
        for name, value in op.set.items():
            if value is None:
                raise ValueError(f"SET {name} to null: remove it instead")
        for name, amount in op.add.items():
            current = item.get(name, 0)
            if isinstance(amount, (set, frozenset)):
                item[name] = set(current or set()) | set(amount)
            else:
                item[name] = current + amount
        for name in op.remove:
            item.pop(name, None)
        return item

    def _store(self, key: tuple[str, str], item: dict[str, Any] | None) -> None:
        if item is None:
            self.items.pop(key, None)
            return
        for index, (pk, sk) in self._indexes.items():
            for name in (pk, sk):
                if name in item and not isinstance(item[name], str):
                    raise ValueError(f"{name} is a key of index {index}: a string")
        if len(repr(to_dynamo(item)).encode()) > _MAX_ITEM_BYTES:
            raise ValueError("Item larger than 400 KB")
        self.items[key] = item
