"""Issue 11, class 12 (part): ``channels verify`` says "ok" only for a channel
that can publish.

``channels verify`` answers "can this channel publish?". An enabled channel of
a network smmgen has no driver for (every built-in network has one since issue
15; a third-party network may not: here a built-in one stripped of its driver
stands for it) can never publish: it is reported ``unsupported`` (not ok: exit
1) with a detail saying so and what to do, never "ok"; disabled, it is
``disabled`` (ok). Every network type in the registry is tried, enabled and
disabled.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

from smmgen import registry
from smmgen.publish.driver import driver_class
from smmgen.registry import network, types

Run = Callable[..., Result]

NOWHERE = "http://127.0.0.1:9"  # nothing is contacted; were it, a closed port on loopback

# The least each network type needs in channels.yaml; its variables are never set.
MINIMAL: dict[str, dict[str, Any]] = {
    "mastodon": {"instance": NOWHERE, "token_env": "VERIFY_UNSET_TOKEN"},
    "bluesky": {
        "handle": "a.example.com",
        "service": NOWHERE,
        "password_env": "VERIFY_UNSET_PASSWORD",
    },
    "x": {
        "api_base": NOWHERE,
        "api_key_env": "VERIFY_UNSET_KEY",
        "api_secret_env": "VERIFY_UNSET_SECRET",
        "access_token_env": "VERIFY_UNSET_TOKEN",
        "access_token_secret_env": "VERIFY_UNSET_TOKEN_SECRET",
    },
    "linkedin": {
        "author": "urn:li:organization:1",
        "api_base": NOWHERE,
        "token_env": "VERIFY_UNSET_TOKEN",
    },
    "threads": {"api_base": NOWHERE, "token_env": "VERIFY_UNSET_TOKEN"},
    "facebook": {"page_id": "1", "api_base": NOWHERE, "token_env": "VERIFY_UNSET_TOKEN"},
    "telegram": {"chat_id": "@news", "api_base": NOWHERE, "token_env": "VERIFY_UNSET_TOKEN"},
    "discord": {"api_base": NOWHERE, "webhook_url_env": "VERIFY_UNSET_URL"},
    "slack": {"api_base": NOWHERE, "webhook_url_env": "VERIFY_UNSET_URL"},
    "webhook": {"url": f"{NOWHERE}/in"},
    "feed": {},
}


def write_project(root: Path, channels: dict[str, Any]) -> Path:
    (root / "content").mkdir(parents=True, exist_ok=True)
    document = {"channels": channels, "ledger": {"store": "local"}}
    (root / "channels.yaml").write_text(yaml.safe_dump(document, sort_keys=False), "utf-8")
    (root / "calendar.yaml").write_text("timezone: UTC\n", "utf-8")
    return root


def channel(kind: str, *, enabled: bool = True) -> dict[str, Any]:
    return {"type": kind, **MINIMAL[kind], "enabled": enabled}


def verify(run: Run, root: Path, *args: str) -> tuple[int, dict[str, dict[str, Any]]]:
    result = run("--root", root, "channels", "verify", "--format", "json", *args)
    report = json.loads(result.stdout)
    assert report["ok"] == (result.exit_code == 0)
    return result.exit_code, {c["channel"]: c for c in report["channels"]}


def test_every_registered_network_type_is_tried() -> None:
    assert set(MINIMAL) == set(types())


@pytest.mark.parametrize("kind", types())
def test_a_channel_is_ok_only_if_it_can_publish(tmp_path: Path, run: Run, kind: str) -> None:
    root = write_project(tmp_path, {"on": channel(kind), "off": channel(kind, enabled=False)})
    code, got = verify(run, root)
    on, off = got["on"], got["off"]
    assert (off["ok"], off["status"]) == (True, "disabled")
    title = network(kind).title
    if driver_class(network(kind)) is None:
        assert (on["ok"], on["status"]) == (False, "unsupported")
        assert f"cannot publish to {title} yet" in on["detail"]
        assert "enabled: false" in on["detail"]
        assert code == 1
    else:
        assert on["status"] != "unsupported"
        assert on["ok"] == (on["status"] == "ok")
        assert code == (0 if on["ok"] else 1)
    # verify --channel on the disabled one alone: nothing to fail
    assert verify(run, root, "--channel", "off")[0] == 0


@pytest.fixture
def driverless(monkeypatch: pytest.MonkeyPatch) -> str:
    """Facebook without its driver, as a third-party network without one is."""
    monkeypatch.setitem(registry._NETWORKS, "facebook", replace(network("facebook"), driver=None))
    return "facebook"


def test_a_network_without_a_driver_is_unsupported(
    tmp_path: Path, run: Run, driverless: str
) -> None:
    root = write_project(
        tmp_path, {"on": channel(driverless), "off": channel(driverless, enabled=False)}
    )
    code, got = verify(run, root)
    assert code == 1
    assert (got["off"]["ok"], got["off"]["status"]) == (True, "disabled")
    assert (got["on"]["ok"], got["on"]["status"]) == (False, "unsupported")
    assert "cannot publish to Facebook Page yet" in got["on"]["detail"]
    assert "enabled: false" in got["on"]["detail"]


def test_every_built_in_network_can_publish() -> None:
    assert [kind for kind in types() if driver_class(network(kind)) is None] == []


def test_all_types_at_once_every_channel_reported(
    tmp_path: Path, run: Run, driverless: str
) -> None:
    channels = {f"{kind}-on": channel(kind) for kind in types()}
    channels |= {f"{kind}-off": channel(kind, enabled=False) for kind in types()}
    root = write_project(tmp_path, channels)
    code, got = verify(run, root)
    assert code == 1
    assert sorted(got) == sorted(channels)
    unsupported = {k for k in types() if driver_class(network(k)) is None}
    assert unsupported == {driverless}
    assert {name for name, c in got.items() if c["status"] == "unsupported"} == {
        f"{kind}-on" for kind in unsupported
    }
    assert all(c["status"] == "disabled" for name, c in got.items() if name.endswith("-off"))
    assert got["feed-on"]["status"] == "ok"  # needs no credentials: it can publish

    text = run("--root", root, "channels", "verify")
    rows = {line.split()[1]: line.split()[0] for line in text.stdout.splitlines()[1:]}
    assert {rows[f"{kind}-on"] for kind in unsupported} == {"UNSUPPORTED"}
    assert rows["feed-on"] == "ok"
    assert rows["feed-off"] == "disabled"


def test_unsupported_channels_that_are_disabled_do_not_fail_verify(
    tmp_path: Path, run: Run, driverless: str
) -> None:
    channels = {"news": channel("feed")}
    channels |= {kind: channel(kind, enabled=False) for kind in types() if kind != "feed"}
    code, got = verify(run, write_project(tmp_path, channels))
    assert code == 0
    assert {c["status"] for c in got.values()} == {"ok", "disabled"}
