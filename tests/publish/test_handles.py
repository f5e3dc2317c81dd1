"""What a part's waiting steps leave on the network (``prepared`` records) is kept
in the ledger, folded per part, and given back until it expires; a name mapped
to null is forgotten. The drivers' own tests show a resumed run reusing them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from smmgen.publish.driver import Handles
from smmgen.publish.ledger import records as rec
from smmgen.publish.ledger.state import fold


def test_put_writes_before_returning_and_get_gives_it_back() -> None:
    written: list[dict[str, Any]] = []
    handles = Handles(None, written.append)
    handles.put("media:0", "1234")
    assert written == [{"media:0": {"value": "1234"}}]
    assert handles.get("media:0") == "1234"
    assert handles.get("other") is None


def test_an_expiring_handle_is_not_given_back() -> None:
    handles = Handles()
    now = datetime.now(UTC)
    handles.put("soon", "a", expires=now + timedelta(minutes=2))
    handles.put("later", "b", expires=now + timedelta(hours=2))
    handles.put("gone", "c", expires=now - timedelta(seconds=1))
    assert handles.get("soon") is None  # within the default margin of 5 minutes
    assert handles.get("soon", margin=timedelta(0)) == "a"
    assert handles.get("later") == "b"
    assert handles.get("gone", margin=timedelta(0)) is None


def test_forget_writes_null_and_fold_drops_it() -> None:
    written: list[dict[str, Any]] = []
    handles = Handles({"a": {"value": 1}, "b": {"value": 2}}, written.append)
    handles.forget("a", "missing")
    assert written == [{"a": None}]
    assert handles.get("a") is None
    assert handles.get("b") == 2


@given(
    st.lists(
        st.tuples(
            st.integers(0, 3),
            st.dictionaries(
                st.sampled_from(["m0", "m1", "container"]),
                st.one_of(st.none(), st.text(max_size=5)),
                min_size=1,
            ),
        ),
        max_size=12,
    )
)
def test_the_ledger_folds_prepared_records_as_the_driver_saw_them(
    writes: list[tuple[int, dict[str, str | None]]],
) -> None:
    """Whatever sequence of puts and forgets, per part: a run reading the ledger
    afterwards (records written as lines and read back) sees what the driver last
    saw for each part."""
    seen: dict[int, Handles] = {}
    lines = []
    for index, changes in writes:

        def keep(handles: dict[str, Any], index: int = index) -> None:
            record = rec.make("prepared", "p", "c", "run", index=index, handles=handles)
            lines.append(rec.dumps(record))

        handles = seen.setdefault(index, Handles())
        handles._write = keep
        for name, value in changes.items():
            if value is None:
                handles.forget(name)
            else:
                handles.put(name, value)
    records, problems = rec.parse_lines("\n".join(lines), "c.jsonl")
    assert problems == []
    state = fold(records).get(("p", "c"))
    for index, handles in seen.items():
        folded = Handles(state.prepared.get(index) if state else None)
        assert {n: folded.get(n) for n in folded.names()} == {
            n: handles.get(n) for n in handles.names()
        }
