"""Base classes for domain models and for the commands the API accepts."""
from pydantic import BaseModel, ConfigDict


class Entity(BaseModel):
    """A stored aggregate: immutable, changed by returning a new copy."""
    model_config = ConfigDict(frozen=True, extra="ignore")


class Command(BaseModel):
    """What a user asks for: unknown fields and wrong types are refused, not guessed."""
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)
