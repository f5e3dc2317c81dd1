"""The base model and the small value types the file models share."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool

ENV_NAME_PATTERN = r"^[A-Z_][A-Z0-9_]*$"
_ENV_NAME = re.compile(ENV_NAME_PATTERN)
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
NAME_PATTERN = NAME_RE.pattern


class Model(BaseModel):
    """Strict about keys (unknown ones are errors), forgiving about numbers as text."""

    model_config = ConfigDict(
        extra="forbid",
        coerce_numbers_to_str=True,
        validate_default=False,
        populate_by_name=True,
    )


def _env_name(value: str) -> str:
    if not _ENV_NAME.fullmatch(value):
        raise ValueError(
            "expected the NAME of an environment variable (capitals, digits and _,"
            " like SMMGEN_MASTODON_TOKEN), never the secret itself"
        )
    return value


def _url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        raise ValueError(f"expected a URL starting with https://, got '{value}'")
    return value


def _name(value: str) -> str:
    if not NAME_RE.fullmatch(value):
        raise ValueError(
            f"'{value}' is not a usable name: use lowercase letters, digits, '-' and '_'"
        )
    return value


EnvName = Annotated[
    str,
    AfterValidator(_env_name),
    Field(json_schema_extra={"pattern": ENV_NAME_PATTERN}),
]
Url = Annotated[str, AfterValidator(_url), Field(json_schema_extra={"format": "uri"})]
Name = Annotated[str, AfterValidator(_name), Field(json_schema_extra={"pattern": NAME_PATTERN})]
PositiveInt = Annotated[int, Field(gt=0)]
# Only true and false: a text like "yes" is an error, not quietly true.
Bool = StrictBool
