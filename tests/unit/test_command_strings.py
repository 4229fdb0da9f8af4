"""Every model the API reads from a body trims its text before checking its length (one rule, everywhere)."""
from typing import get_args

from pydantic import BaseModel

import app as application


def _models(model: type[BaseModel], seen: set) -> None:
    if model in seen:
        return
    seen.add(model)
    for field in model.model_fields.values():
        pending = [field.annotation]
        while pending:
            kind = pending.pop()
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                _models(kind, seen)
            pending.extend(get_args(kind))


def test_every_body_model_and_the_models_inside_it_trim_their_strings():
    seen: set = set()
    for methods in application.app.routes.values():
        for entry in methods.values():
            operation = getattr(entry.view_function, "operation", None)
            if operation is not None and operation.body is not None:
                _models(operation.body, seen)

    assert len(seen) > 20
    assert sorted(m.__name__ for m in seen if not m.model_config.get("str_strip_whitespace")) == []
