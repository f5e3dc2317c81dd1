"""``smmgen schema``: JSON Schemas of the three file kinds, for editor completion."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from smmgen.models.calendar import CalendarFile
from smmgen.models.channels import ChannelsFile
from smmgen.models.post import FrontMatter

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMAS: dict[str, type[BaseModel]] = {
    "front-matter": FrontMatter,
    "channels": ChannelsFile,
    "calendar": CalendarFile,
}


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one file kind, generated from its model."""
    generated = SCHEMAS[name].model_json_schema(by_alias=True, mode="validation")
    return {"$schema": DIALECT, **generated}


def all_schemas() -> dict[str, dict[str, Any]]:
    return {name: schema(name) for name in SCHEMAS}


def file_name(name: str) -> str:
    return f"{name}.schema.json"


def write_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, document in all_schemas().items():
        path = directory / file_name(name)
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
        written.append(path)
    return written
