"""`publish` keeps an X channel within its monthly budget, and `--dry-run` shows
each X item's price and the month's total against the budget.

There is no X driver on this branch, so the X network is used as it is (its
settings with ``budget``, its ``price`` hook) with a small test driver
(:class:`TollDriver`) that posts to a loopback stand-in for ``POST /2/tweets``
(:class:`TollServer`): the engine's enforcement is what is tested, through the
CLI in-process, against what the server received and what the ledger holds."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from smmgen import registry
from smmgen.adapt.variants import Variant
from smmgen.commands.publish import ledger_init
from smmgen.networks.x import NETWORK
from smmgen.publish.driver import Driver, Remote
from smmgen.publish.http import status_error
from tests.conftest import MakeProject
from tests.servers.base import Reply, Request, TestServer

KEY = "toll-key-4f1e"


class TollServer(TestServer):
    """Takes ``POST /2/tweets`` with a bearer key; keeps every post it created."""

    def __init__(self) -> None:
        super().__init__()
        self.posts: list[dict[str, Any]] = []
        self.errors: list[str] = []

    def handle(self, request: Request) -> Reply:
        if (request.method, request.path) != ("POST", "/2/tweets"):
            self.errors.append(f"unexpected {request.method} {request.path}")
            return Reply(404, {"title": "Not Found"})
        if request.header("authorization") != f"Bearer {KEY}":
            return Reply(401, {"title": "Unauthorized"})
        body = request.json()
        if set(body) - {"text", "reply"} or not isinstance(body.get("text"), str):
            self.errors.append(f"bad body {body!r}")
            return Reply(400, {"title": "Invalid Request"})
        ident = str(1000 + len(self.posts))
        self.posts.append({"id": ident, **body})
        return Reply(201, {"data": {"id": ident, "text": body["text"]}})


class TollDriver(Driver[Any]):
    """Posts each part to the test server, the later parts as replies."""

    credentials = ("api_key_env",)

    def verify(self) -> str:
        return "a test account"

    def publish(self, variant: Variant, index: int, *, key: str, thread: list[Remote]) -> Remote:
        body: dict[str, Any] = {"text": variant.parts[index].text}
        if thread:
            body["reply"] = {"in_reply_to_tweet_id": thread[-1].id}
        response = self.http.send(
            "POST",
            f"{self.channel.api_base}/2/tweets",
            json=body,
            headers={"Authorization": f"Bearer {self.secret('api_key_env')}"},
        )
        if response.status_code != 201:
            raise status_error(response, response.text)
        ident = response.json()["data"]["id"]
        return Remote(ident, f"https://x.example/i/status/{ident}")


class ReconcilingTollDriver(TollDriver):
    """The same, as a driver that can reconcile: the engine claims up to 25 items at
    once before sending any, so the budget must count the ones claimed before."""

    reconcilable = True

    def reconcile(
        self, variant: Variant, index: int, *, key: str, thread: list[Remote], since: Any
    ) -> Remote | None:
        return None


@pytest.fixture(params=["TollDriver", "ReconcilingTollDriver"])
def server(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[TollServer]:
    registry.network("x")  # the networks are loaded, then X gets the test driver
    driver = f"{__name__}:{request.param}"
    monkeypatch.setitem(registry._NETWORKS, "x", replace(NETWORK, driver=driver))
    monkeypatch.setenv("TOLL_KEY", KEY)
    monkeypatch.setenv("SMMGEN_RETRY_SCALE", "0.001")
    monkeypatch.setenv("SMMGEN_HTTP_TIMEOUT", "5")
    with TollServer() as toll:
        yield toll
    assert toll.errors == []


def channels(url: str, budget: str) -> str:
    return (
        "defaults:\n  channels: [xm]\nchannels:\n  xm:\n    type: x\n"
        f"    api_base: '{url}'\n    api_key_env: TOLL_KEY\n    api_secret_env: TOLL_S\n"
        "    access_token_env: TOLL_T\n    access_token_secret_env: TOLL_TS\n"
        f"    budget: {budget}\nledger: {{store: local}}\n"
    )


def post(ident: str, body: str, minute: int, front: str = "") -> str:
    # due: the tests run at 2026-11-25 12:00 (tests/conftest.py)
    return f"---\nid: {ident}\npublish_at: 2026-11-25 11:{minute:02d}\n{front}---\n{body}\n"


LINKS = {
    f"p{n}.md": post(f"p{n}", f"Post {n}: https://example.com/{n}", n) for n in (1, 2, 3)
}  # $0.200 each


def project(make_project: MakeProject, url: str, budget: str, posts: dict[str, str]) -> Path:
    calendar = "timezone: UTC\nmax_lateness: 6h\nmin_gap: 0m\n"
    root = make_project(channels=channels(url, budget), calendar=calendar, posts=posts)
    ledger_init(root)
    return root


def publish(run: Any, root: Path, *args: str) -> tuple[int, dict[str, dict[str, Any]]]:
    result = run("--root", root, "publish", "--format", "json", *args)
    report = json.loads(result.output)
    return result.exit_code, {item["post"]: item for item in report["items"]}


def records(root: Path) -> list[dict[str, Any]]:
    path = root / "ledger" / "xm.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def set_budget(root: Path, budget: str) -> None:
    path = root / "channels.yaml"
    text = path.read_text("utf-8")
    start = text.index("    budget: ")
    end = text.index("\n", start)
    path.write_text(f"{text[:start]}    budget: {budget}{text[end:]}", "utf-8")


def test_the_item_that_would_cross_the_budget_is_blocked_until_it_is_raised(
    run: Any, make_project: MakeProject, server: TollServer
) -> None:
    root = project(make_project, server.url, "0.45", LINKS)
    code, items = publish(run, root)
    assert code == 0  # blocked, like an item in a blackout: not a failure
    assert [items[p]["outcome"] for p in ("p1", "p2", "p3")] == [
        "published",
        "published",
        "blocked",
    ]
    assert [items[p]["price"] for p in ("p1", "p2", "p3")] == ["0.200"] * 3
    detail = items["p3"]["detail"]
    assert detail.startswith("over budget: this post costs $0.200 on X, and xm has spent $0.400")
    assert "of its $0.450 budget in " in detail
    assert [p["text"] for p in server.posts] == [
        f"Post {n}: https://example.com/{n}" for n in (1, 2)
    ]
    written = records(root)
    published = [r for r in written if r["event"] == "published"]
    assert [(r["post"], r["price"]) for r in published] == [("p1", "0.200"), ("p2", "0.200")]
    assert not [r for r in written if r["post"] == "p3"]  # nothing recorded of it
    # the next run counts what the ledger says was spent: still blocked
    code, items = publish(run, root)
    assert items["p3"]["outcome"] == "blocked"
    assert len(server.posts) == 2
    # a raised budget lets it go: $0.600 of $0.600 is within it
    set_budget(root, "0.6")
    code, items = publish(run, root)
    assert code == 0
    assert items["p3"]["outcome"] == "published"
    assert items["p3"]["price"] == "0.200"
    assert len(server.posts) == 3


def test_only_this_months_spend_counts(
    run: Any, make_project: MakeProject, server: TollServer
) -> None:
    root = project(make_project, server.url, "0.2", {"p1.md": LINKS["p1.md"]})
    assert publish(run, root)[1]["p1"]["outcome"] == "published"  # $0.200 of $0.200
    (root / "content" / "p2.md").write_text(LINKS["p2.md"], "utf-8")
    assert publish(run, root)[1]["p2"]["outcome"] == "blocked"
    # the same ledger, as if p1 had been published last month
    path = root / "ledger" / "xm.jsonl"
    moved = [
        {**r, "at": "2000-01-31T23:59:59.000Z"} if r["event"] == "published" else r
        for r in records(root)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in moved), "utf-8")
    assert publish(run, root)[1]["p2"]["outcome"] == "published"
    assert len(server.posts) == 2


def test_a_thread_costs_each_part_and_its_price_is_recorded(
    run: Any, make_project: MakeProject, server: TollServer
) -> None:
    body = "Words only.\n\n---\n\nThen a link: lumen.io/v2\n\n---\n\nAnd words."
    posts = {"t.md": post("t", body, 5, "thread: true\n")}
    root = project(make_project, server.url, "0.23", posts)  # $0.230: the thread fits
    code, items = publish(run, root)
    assert code == 0
    assert items["t"]["outcome"] == "published"
    assert items["t"]["price"] == "0.230"  # 0.015 + 0.200 + 0.015
    assert len(server.posts) == 3
    (published,) = [r for r in records(root) if r["event"] == "published"]
    assert published["price"] == "0.230"
    # the same thread on a smaller budget: none of it goes out
    root2 = root.parent / "second"
    root.rename(root2)
    root = project(make_project, server.url, "0.229", posts)
    assert publish(run, root)[1]["t"]["outcome"] == "blocked"
    assert len(server.posts) == 3


def test_dry_run_shows_each_price_and_the_months_total(
    run: Any, make_project: MakeProject, server: TollServer
) -> None:
    posts = {**LINKS, "w.md": post("w", "Only words.", 4)}  # $0.015
    root = project(make_project, server.url, "0.45", posts)
    before = (root / "ledger").stat().st_mtime_ns, sorted((root / "ledger").iterdir())
    code, items = publish(run, root, "--dry-run")
    assert code == 0
    assert [(p, items[p]["outcome"], items[p]["price"]) for p in ("p1", "p2", "p3", "w")] == [
        ("p1", "would publish", "0.200"),
        ("p2", "would publish", "0.200"),
        ("p3", "blocked", "0.200"),
        ("w", "would publish", "0.015"),  # $0.415 after it: within the budget
    ]
    assert items["p1"]["detail"].endswith("(UTC): $0.200 of the $0.450 budget")
    assert items["p2"]["detail"].endswith("(UTC): $0.400 of the $0.450 budget")
    assert items["w"]["detail"].endswith("(UTC): $0.415 of the $0.450 budget")
    assert "over budget" in items["p3"]["detail"]
    text = run("--root", root, "publish", "--dry-run").output
    line = next(
        line for line in text.splitlines() if line.startswith("would publish") and " w " in line
    )
    assert "$0.015 " in line
    assert "$0.415 of the $0.450 budget" in line
    blocked = next(line for line in text.splitlines() if line.startswith("blocked"))
    assert " p3 " in blocked
    assert "$0.200 over budget" in blocked
    markdown = run("--root", root, "publish", "--dry-run", "--format", "markdown").output
    assert "| would publish | `w` | xm | \\$0.015 " in markdown
    assert server.posts == []  # nothing sent, nothing recorded
    assert ((root / "ledger").stat().st_mtime_ns, sorted((root / "ledger").iterdir())) == before


def test_a_half_sent_thread_is_finished_whatever_the_budget(
    run: Any, make_project: MakeProject, server: TollServer
) -> None:
    """A run stopped after part 1 of 2 (the ledger says so): the next run sends part 2
    even though the thread's price is now over the budget."""
    body = "One: https://example.com/1\n\n---\n\nTwo: https://example.com/2"
    root = project(make_project, server.url, "1", {"t.md": post("t", body, 5, "thread: true\n")})
    assert publish(run, root)[1]["t"]["outcome"] == "published"
    path = root / "ledger" / "xm.jsonl"
    kept = [r for r in records(root) if r["event"] == "intent" or r.get("index") == 0]
    stopped = {**kept[-1], "rid": "0123456789abcdef", "event": "failed", "index": 1}
    stopped.update(error="interrupted after part 1 of 2", retryable=True)
    stopped.pop("remote", None)
    path.write_text("".join(json.dumps(r) + "\n" for r in [*kept, stopped]), "utf-8")
    del server.posts[1:]  # as if part 2 had never been sent
    set_budget(root, "0.1")  # less than the thread's $0.400
    code, items = publish(run, root)
    assert code == 0
    assert items["t"]["outcome"] == "published", items["t"]
    assert [p["text"] for p in server.posts] == [
        "One: https://example.com/1",
        "Two: https://example.com/2",
    ]
    assert server.posts[1]["reply"] == {"in_reply_to_tweet_id": server.posts[0]["id"]}
