"""Base classes for domain models and for the commands the API accepts.

`defer_build`: a model's validator and serializer are built on its first use, not at import. Building
every model at import was most of what `import app` cost after the X-Ray SDK (docs/performance.md,
"Cold start"); a Lambda invocation builds only the few models its route touches.
"""
from pydantic import BaseModel, ConfigDict, Field


class Entity(BaseModel):
    """A stored aggregate: immutable, changed by returning a new copy."""
    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)


class Command(BaseModel):
    """What a user asks for: unknown fields and wrong types are refused, not guessed."""
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True, defer_build=True)


class PageQuery(Command):
    """`?limit=&cursor=` of a list route, newest first; a route's filters are its subclass's fields.
    Query strings are text, so its numbers are read from strings (not strict)."""
    model_config = Command.model_config | {"strict": False}

    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=2000, description="the previous page's `next_cursor`")
