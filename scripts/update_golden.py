"""Regenerate the golden files of the example content's variants.

    python scripts/update_golden.py

Writes tests/golden/variants/<post id>/<channel>.json for every post in
content/ and every channel it goes to; tests/test_golden.py compares a fresh
build with them. Review the diff before committing it: it is exactly what
changed in what the networks will receive.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden" / "variants"


def golden_documents() -> dict[str, str]:
    """Relative path -> JSON text for every variant of the example content."""
    from smmgen.adapt.variants import build_variants
    from smmgen.loading import load_project as load

    project = load(REPO)
    out = {}
    for post in project.posts:
        for variant in build_variants(project, post):
            text = json.dumps(variant.as_dict(), indent=2, ensure_ascii=False) + "\n"
            out[f"{post.id}/{variant.channel}.json"] = text
    return out


def main() -> int:
    if GOLDEN.exists():
        shutil.rmtree(GOLDEN)
    documents = golden_documents()
    for relative, text in documents.items():
        path = GOLDEN / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(documents)} golden files to {GOLDEN.relative_to(REPO).as_posix()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
