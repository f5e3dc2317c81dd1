"""``smmgen schema``: JSON Schemas of the three file kinds, for editor completion."""

from __future__ import annotations

import json
from functools import reduce
from operator import or_
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, create_model

from smmgen import registry
from smmgen.errors import SmmgenError
from smmgen.models.base import Name
from smmgen.models.calendar import CalendarFile
from smmgen.models.channels import ChannelsFile
from smmgen.models.post import FrontMatter

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMAS: dict[str, type[BaseModel]] = {
    "front-matter": FrontMatter,
    "channels": ChannelsFile,
    "calendar": CalendarFile,
}


def channels_file_model() -> type[BaseModel]:
    """channels.yaml's model with each channel as one of the registered networks'
    settings (told apart by ``type``), for the schema; loading validates each
    entry with its own network's model instead."""
    union: Any = reduce(or_, [network.settings for network in registry.networks()])
    fields: dict[str, Any] = {
        name: (field.annotation, field) for name, field in ChannelsFile.model_fields.items()
    }
    channels = ChannelsFile.model_fields["channels"]
    fields["channels"] = (
        dict[Name, Annotated[union, Field(discriminator="type")]],
        Field(description=channels.description),
    )
    return create_model(
        "ChannelsFile", __config__=ChannelsFile.model_config, __doc__=ChannelsFile.__doc__, **fields
    )


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one file kind, generated from its model."""
    model = channels_file_model() if name == "channels" else SCHEMAS[name]
    generated = model.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": DIALECT, **generated}


def all_schemas() -> dict[str, dict[str, Any]]:
    return {name: schema(name) for name in SCHEMAS}


def file_name(name: str) -> str:
    return f"{name}.schema.json"


#: Where `smmgen init` writes the schemas: committed with the content, so every
#: teammate's editor finds them (.smmgen/ is the cache, which git ignores).
SCHEMA_DIR = "schemas"


def schema_text(document: dict[str, Any]) -> str:
    """A schema as the files hold it: indented JSON, UTF-8 kept, a final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def modeline(kind: str) -> str:
    """The first line of channels.yaml or calendar.yaml that tells editors with the
    YAML language server (VS Code's YAML extension, Neovim, Helix, ...) the file's
    schema, relative to the file, with no editor settings."""
    return f"# yaml-language-server: $schema={SCHEMA_DIR}/{file_name(kind)}\n"


def write_schemas(directory: Path, name: str | None = None) -> list[Path]:
    """Write the schema ``name`` (default: all three) as ``<name>.schema.json`` files."""
    documents = {name: schema(name)} if name else all_schemas()
    written = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for kind, document in documents.items():
            path = directory / file_name(kind)
            path.write_text(schema_text(document), "utf-8")
            written.append(path)
    except OSError as exc:
        raise SmmgenError(f"cannot write {exc.filename or directory}: {exc.strerror}") from None
    return written
