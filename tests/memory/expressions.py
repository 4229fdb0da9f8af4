"""DynamoDB condition expressions, evaluated in memory.

The in-memory table (store/memory.py) must refuse exactly what DynamoDB refuses, so it
reads the same expression strings the real writes carry instead of a parallel model of
them. The grammar covers what DynamoDB's condition and filter expressions allow:
comparisons, IN, BETWEEN, AND / OR / NOT, parentheses, attribute_exists,
attribute_not_exists, attribute_type, begins_with, contains and size, on attribute
paths written with #names (and .nested / [index] parts).
"""
import re
from dataclasses import dataclass
from typing import Any, Callable

_TOKEN = re.compile(r"\s*(<>|<=|>=|=|<|>|\(|\)|,|\.|\[\d+\]|[#:]?[A-Za-z_][A-Za-z0-9_]*)")
_MISSING = object()
Evaluator = Callable[[dict[str, Any]], Any]


@dataclass
class _Parser:
    tokens: list[str]
    names: dict[str, str]
    values: dict[str, Any]
    at: int = 0

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token.upper() != expected):
            raise ValueError(f"Invalid expression near {token!r}: expected {expected or 'more'}")
        self.at += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token.upper() == word:
            self.at += 1
            return True
        return False

    def expression(self) -> Evaluator:
        left = self.conjunction()
        while self.keyword("OR"):
            left = _or(left, self.conjunction())
        return left

    def conjunction(self) -> Evaluator:
        left = self.negation()
        while self.keyword("AND"):
            left = _and(left, self.negation())
        return left

    def negation(self) -> Evaluator:
        if self.keyword("NOT"):
            inner = self.negation()
            return lambda item: not inner(item)
        return self.predicate()

    def predicate(self) -> Evaluator:
        if self.peek() == "(":
            self.take("(")
            inner = self.expression()
            self.take(")")
            return inner
        token = self.peek() or ""
        if token in _BOOLEAN_FUNCTIONS:
            return self.function()
        left = self.operand()
        if self.keyword("IN"):
            self.take("(")
            options = [self.operand()]
            while self.peek() == ",":
                self.take(",")
                options.append(self.operand())
            self.take(")")
            return lambda item: any(_equal(left(item), o(item)) for o in options)
        if self.keyword("BETWEEN"):
            low = self.operand()
            self.take("AND")
            high = self.operand()
            return lambda item: _compare(">=", left(item), low(item)) and _compare("<=", left(item), high(item))
        operator = self.take()
        if operator not in ("=", "<>", "<", "<=", ">", ">="):
            raise ValueError(f"Invalid comparison operator {operator!r}")
        right = self.operand()
        return lambda item: _compare(operator, left(item), right(item))

    def function(self) -> Evaluator:
        name = self.take()
        self.take("(")
        path = self.path()
        argument: Evaluator | None = None
        if self.peek() == ",":
            self.take(",")
            argument = self.operand()
        self.take(")")
        return _BOOLEAN_FUNCTIONS[name](path, argument)

    def operand(self) -> Evaluator:
        token = self.peek() or ""
        if token.startswith(":"):
            self.take()
            if token not in self.values:
                raise ValueError(f"Value {token} is not defined")
            value = self.values[token]
            return lambda item: value
        if token == "size":
            self.take()
            self.take("(")
            path = self.path()
            self.take(")")
            return lambda item: _size(path(item))
        return self.path()

    def path(self) -> Evaluator:
        parts: list[str | int] = [self.name()]
        while self.peek() == "." or (self.peek() or "").startswith("["):
            token = self.take()
            parts.append(self.name() if token == "." else int(token[1:-1]))
        return lambda item: _resolve(item, parts)

    def name(self) -> str:
        token = self.take()
        if token.startswith("#"):
            if token not in self.names:
                raise ValueError(f"Name {token} is not defined")
            return self.names[token]
        if token.startswith(":") or not re.match(r"[A-Za-z_]", token):
            raise ValueError(f"Invalid attribute name {token!r}")
        return token


def _resolve(item: Any, parts: list[str | int]) -> Any:
    current = item
    for part in parts:
        if isinstance(part, int):
            if not isinstance(current, list) or part >= len(current):
                return _MISSING
            current = current[part]
        else:
            if not isinstance(current, dict) or part not in current:
                return _MISSING
            current = current[part]
    return current


def _comparable(value: Any) -> Any:
    return value if not isinstance(value, bool) else ("bool", value)


def _equal(left: Any, right: Any) -> bool:
    if left is _MISSING or right is _MISSING:
        return False
    if isinstance(left, bool) != isinstance(right, bool):
        return False
    return bool(left == right)


def _compare(operator: str, left: Any, right: Any) -> bool:
    if operator == "=":
        return _equal(left, right)
    if operator == "<>":
        # DynamoDB: a missing attribute is "not equal" to any value.
        return left is _MISSING or right is _MISSING or not _equal(left, right)
    if left is _MISSING or right is _MISSING:
        return False
    numbers = (int, float)
    same_kind = (isinstance(left, numbers) and isinstance(right, numbers) and not isinstance(left, bool)
                 and not isinstance(right, bool)) or (type(left) is type(right) and isinstance(left, (str, bytes)))
    if not same_kind:
        return False
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[operator]


def _size(value: Any) -> Any:
    if value is _MISSING:
        return _MISSING
    if isinstance(value, (str, bytes, list, dict, set)):
        return len(value)
    return _MISSING


def _and(left: Evaluator, right: Evaluator) -> Evaluator:
    return lambda item: bool(left(item)) and bool(right(item))


def _or(left: Evaluator, right: Evaluator) -> Evaluator:
    return lambda item: bool(left(item)) or bool(right(item))


def _exists(path: Evaluator, _: Evaluator | None) -> Evaluator:
    return lambda item: path(item) is not _MISSING


def _not_exists(path: Evaluator, _: Evaluator | None) -> Evaluator:
    return lambda item: path(item) is _MISSING


def _begins_with(path: Evaluator, prefix: Evaluator | None) -> Evaluator:
    assert prefix is not None
    return lambda item: isinstance(path(item), str) and path(item).startswith(prefix(item))


def _contains(path: Evaluator, operand: Evaluator | None) -> Evaluator:
    assert operand is not None

    def evaluate(item: dict[str, Any]) -> bool:
        value, wanted = path(item), operand(item)
        if isinstance(value, str):
            return isinstance(wanted, str) and wanted in value
        if isinstance(value, (list, set)):
            return wanted in value
        return False
    return evaluate


_TYPES = {"S": str, "N": (int, float), "BOOL": bool, "M": dict, "L": list, "SS": set, "NS": set, "B": bytes}


def _attribute_type(path: Evaluator, kind: Evaluator | None) -> Evaluator:
    assert kind is not None
    return lambda item: path(item) is not _MISSING and isinstance(path(item), _TYPES[kind(item)])


_BOOLEAN_FUNCTIONS: dict[str, Callable[[Evaluator, Evaluator | None], Evaluator]] = {
    "attribute_exists": _exists,
    "attribute_not_exists": _not_exists,
    "begins_with": _begins_with,
    "contains": _contains,
    "attribute_type": _attribute_type,
}


def compile_condition(expression: str, names: dict[str, str], values: dict[str, Any]) -> Evaluator:
    """An evaluator for one condition expression; raises ValueError where DynamoDB would refuse it."""
    tokens = _tokens(expression)
    parser = _Parser(tokens, names, values)
    evaluator = parser.expression()
    if parser.peek() is not None:
        raise ValueError(f"Invalid expression: unexpected {parser.peek()!r}")
    return evaluator


def placeholders(expression: str) -> set[str]:
    """The #names and :values an expression uses (DynamoDB refuses a request defining others)."""
    return {t for t in _tokens(expression) if t[0] in "#:"}


def _tokens(expression: str) -> list[str]:
    tokens, at = [], 0
    while at < len(expression):
        if expression[at:].strip() == "":
            break
        match = _TOKEN.match(expression, at)
        if match is None:
            raise ValueError(f"Invalid expression at {expression[at:]!r}")
        tokens.append(match.group(1))
        at = match.end()
    return tokens
