"""The Facebook Pages driver against the strict Graph API test server
(tests/servers/facebook.py): text, link and photo posts, unpublished photos kept
in the ledger and reused, threads as comments, Graph errors by code, rate
limits from the usage headers, reconciling, tokens, verify and preview."""

from __future__ import annotations

import hashlib
import json
import traceback
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import smmgen
from smmgen.adapt.variants import Part, Variant, build_variant
from smmgen.errors import (
    CannotTell,
    MissingCredentials,
    NotSent,
    PublishError,
    Rejected,
    Transient,
    Unknown,
)
from smmgen.networks.facebook import GRAPH_VERSION, NETWORK, FacebookChannel
from smmgen.networks.facebook.driver import FacebookDriver, photo_count, same_text
from smmgen.networks.graph import APP_LIMIT_WAIT, graph_error, kind_of, usage_wait
from smmgen.project import Project
from smmgen.publish.driver import Context, Handles, Remote, driver_class, part_key
from smmgen.publish.http import Http
from tests.conftest import MakeProject
from tests.i18n_strategies import SCRIPTS, sentences
from tests.servers.base import Faults
from tests.servers.facebook import (
    APP_TOKEN,
    APP_TOKEN_ENV,
    PAGE_ID,
    PAGE_NAME,
    PAGE_TOKEN,
    SYSTEM_USER_NAME,
    SYSTEM_USER_TOKEN,
    TOKEN_ENV,
    Comment,
    FacebookServer,
    GraphFail,
    channel_yaml,
)
from tests.servers.telegram import png

TEXT = "v2 is out: faster builds, fewer surprises."
LINK = "https://example.com/v2"
START = datetime.now(UTC) - timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMMGEN_RETRY_SCALE", "0")


@pytest.fixture
def server() -> Iterator[FacebookServer]:
    with FacebookServer() as running:
        yield running
    assert running.errors == []


def channels_yaml(server: FacebookServer, **extra: Any) -> str:
    entry = channel_yaml(server, **extra)
    return yaml.safe_dump({"defaults": {"channels": ["page"]}, "channels": {"page": entry}})


def post(body: str, **front: Any) -> str:
    fields = {"id": "p1", "publish_at": "2026-11-25 11:00", **front}
    return f"---\n{yaml.safe_dump(fields, sort_keys=False, allow_unicode=True)}---\n{body}\n"


def build(
    make_project: MakeProject,
    server: FacebookServer,
    body: str = TEXT,
    *,
    images: int = 0,
    channel: dict[str, Any] | None = None,
    **front: Any,
) -> tuple[Project, Variant]:
    media = [f"media/shot{n}.png" for n in range(images)]
    if media:
        front["media"] = [{"path": p, "alt": f"Screenshot {n}"} for n, p in enumerate(media)]
    root = make_project(
        channels=channels_yaml(server, **(channel or {})),
        posts={"p.md": post(body, **front)},
        media=media,
    )
    project = smmgen.load(root)
    return project, build_variant(project, project.posts[0], "page")


@contextmanager
def driver_for(
    project: Project, token: str | None = PAGE_TOKEN, **more: str
) -> Iterator[FacebookDriver]:
    env = {TOKEN_ENV: token} if token is not None else {}
    env.update(more)
    channel = project.channels["page"]
    assert isinstance(channel, FacebookChannel)
    driver = FacebookDriver(Context("page", channel, project, Http(), env))
    try:
        yield driver
    finally:
        driver.close()


def publish_all(driver: FacebookDriver, variant: Variant) -> list[Remote]:
    thread: list[Remote] = []
    for index in range(len(variant.parts)):
        key = part_key(variant.post, variant.channel, index)
        thread.append(driver.publish(variant, index, key=key, thread=list(thread)))
    return thread


def sent(server: FacebookServer, method: str, suffix: str) -> list[Any]:
    return [r for r in server.requests if r.method == method and r.path.endswith(suffix)]


def assert_no_token(exc: BaseException) -> None:
    shown = str(exc) + repr(exc) + "".join(traceback.format_exception(exc))
    assert PAGE_TOKEN not in shown
    assert SYSTEM_USER_TOKEN not in shown


KEY = part_key("p1", "page", 0)


# -- the network --------------------------------------------------------------------------


def test_the_network_names_its_driver_and_threads_as_comments() -> None:
    assert driver_class(NETWORK) is FacebookDriver
    assert FacebookDriver.reconcilable
    assert FacebookDriver.credentials == ("token_env",)
    assert NETWORK.threads
    assert NETWORK.link_card
    channel = FacebookChannel(type="facebook", page_id="1", token_env="T")
    assert channel.graph_version == GRAPH_VERSION == "v26.0"


def test_a_graph_version_that_is_not_one_is_refused_by_the_settings() -> None:
    with pytest.raises(ValueError, match="graph_version"):
        FacebookChannel(type="facebook", page_id="1", token_env="T", graph_version="26")


# -- posting ------------------------------------------------------------------------------


def test_text_post_with_its_link_and_permalink(
    server: FacebookServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server, link=LINK)
    with driver_for(project) as driver:
        remote = driver.publish(variant, 0, key=KEY, thread=[])
    [made] = server.posts
    assert remote == Remote(made.id, made.permalink)
    assert made.message == variant.parts[0].text
    assert made.link == variant.link
    [request] = sent(server, "POST", "/feed")
    assert request.path == f"/{GRAPH_VERSION}/{PAGE_ID}/feed"
    assert request.query == {"fields": ["id,permalink_url"]}
    assert request.header("authorization") == f"Bearer {PAGE_TOKEN}"
    assert request.json() == {"message": variant.parts[0].text, "link": variant.link}
    # the token answered as the Page: no other read before the post
    assert [(r.method, r.path.split("/", 2)[2]) for r in server.requests] == [
        ("GET", "me"),
        ("POST", f"{PAGE_ID}/feed"),
    ]


def test_the_graph_version_setting_is_the_path(make_project: MakeProject) -> None:
    with FacebookServer() as server:
        project, variant = build(make_project, server, channel={"graph_version": "v24.0"})
        with driver_for(project) as driver:
            driver.publish(variant, 0, key=KEY, thread=[])
        assert {r.path.split("/")[1] for r in server.requests} == {"v24.0"}
        project, variant = build(make_project, server, channel={"graph_version": "v99.0"})
        with driver_for(project) as driver, pytest.raises(Rejected, match="Unknown path"):
            driver.publish(variant, 0, key=KEY, thread=[])
        assert server.errors == []


def test_one_photo_goes_to_photos_with_its_alt_text(
    server: FacebookServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server, "A picture.", images=1)
    with driver_for(project) as driver:
        remote = driver.publish(variant, 0, key=KEY, thread=[])
    [photo] = server.uploads()
    [made] = server.posts
    assert photo.published
    assert photo.alt == "Screenshot 0"
    assert photo.post_id == made.id
    assert photo.data == (project.root / "media/shot0.png").read_bytes()
    assert made.message == "A picture."
    assert made.photos == [photo.id]
    assert remote == Remote(made.id, made.permalink)  # read after the upload
    [upload] = sent(server, "POST", "/photos")
    assert upload.header("content-type", "").startswith("multipart/form-data")
    assert sent(server, "POST", "/feed") == []


def test_several_photos_are_uploaded_unpublished_then_attached(
    server: FacebookServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server, "Three pictures.", images=3)
    written: list[dict[str, Any]] = []
    with driver_for(project) as driver:
        driver.handles = Handles(None, written.append)
        remote = driver.publish(variant, 0, key=KEY, thread=[])
    photos = server.uploads()
    assert [p.published for p in photos] == [False] * 3
    assert [p.alt for p in photos] == ["Screenshot 0", "Screenshot 1", "Screenshot 2"]
    [made] = server.posts
    assert made.photos == [p.id for p in photos]
    assert remote.id == made.id
    [feed] = sent(server, "POST", "/feed")
    assert feed.json()["attached_media"] == [{"media_fbid": p.id} for p in photos]
    # each id went to the ledger as soon as it existed, before the feed call
    assert [list(w) for w in written] == [["photo:0"], ["photo:1"], ["photo:2"]]
    assert [w[f"photo:{n}"]["value"]["id"] for n, w in enumerate(written)] == [p.id for p in photos]
    assert server.requests.index(feed) == len(server.requests) - 1


def test_a_resumed_part_reuses_the_photos_an_earlier_run_uploaded(
    server: FacebookServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server, "Two pictures.", images=2)
    saved: dict[str, Any] = {}
    with driver_for(project) as driver:
        driver.handles = Handles(None, saved.update)
        server.fail_next("POST", rf"{PAGE_ID}/feed", GraphFail(500, 2, "Service unavailable"))
        with pytest.raises(Transient):
            driver.publish(variant, 0, key=KEY, thread=[])
    assert len(server.uploads()) == 2
    assert server.posts == []
    with driver_for(project) as driver:  # a later run, given what the ledger kept
        driver.handles = Handles(saved)
        driver.publish(variant, 0, key=KEY, thread=[])
    assert len(server.uploads()) == 2
    [made] = server.posts
    assert made.photos == [p.id for p in server.uploads()]


def test_photos_gone_from_facebook_are_uploaded_again(
    server: FacebookServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server, "Two pictures.", images=2)

    def digest(n: int) -> str:
        return hashlib.sha256((project.root / f"media/shot{n}.png").read_bytes()).hexdigest()

    stale = {
        f"photo:{n}": {
            "value": {"id": f"99{n}", "path": f"media/shot{n}.png", "alt": f"Screenshot {n}",
                      "sha256": digest(n)}
        }
        for n in range(2)
    }  # fmt: skip
    forgotten: list[dict[str, Any]] = []
    with driver_for(project) as driver:
        driver.handles = Handles(stale, forgotten.append)
        with pytest.raises(Transient, match="uploaded again"):
            driver.publish(variant, 0, key=KEY, thread=[])
        assert forgotten == [{"photo:0": None, "photo:1": None}]
        driver.publish(variant, 0, key=KEY, thread=[])
    assert len(server.uploads()) == 2
    assert len(server.posts) == 1


def test_a_changed_file_is_not_taken_for_the_uploaded_one(
    server: FacebookServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server, "Two pictures.", images=2)
    saved: dict[str, Any] = {}
    with driver_for(project) as driver:
        driver.handles = Handles(None, saved.update)
        server.fail_next("POST", rf"{PAGE_ID}/feed", GraphFail(500, 1, "An unknown error"))
        with pytest.raises(Transient):
            driver.publish(variant, 0, key=KEY, thread=[])
    (project.root / "media/shot1.png").write_bytes(png(3, 3))  # another picture, same name
    with driver_for(project) as driver:
        driver.handles = Handles(saved)
        driver.publish(variant, 0, key=KEY, thread=[])
    first, _, again = server.uploads()
    assert server.posts[0].photos == [first.id, again.id]


def test_a_thread_becomes_comments_on_the_first_post(
    server: FacebookServer, make_project: MakeProject
) -> None:
    body = "One.\n\n---\n\nTwo.\n\n---\n\nThree."
    project, variant = build(make_project, server, body, thread=True)
    with driver_for(project) as driver:
        remotes = publish_all(driver, variant)
    [made] = server.posts
    assert [c.message for c in server.comments] == ["Two.", "Three."]
    assert {c.post_id for c in server.comments} == {made.id}
    assert [r.id for r in remotes] == [made.id, *[c.id for c in server.comments]]
    assert remotes[1].url == server.comments[0].permalink
    assert [p["reply_to"] for p in server.published()] == [None, made.id, made.id]
    for request in sent(server, "POST", "/comments"):
        assert request.json() == {"message": request.json()["message"]}
        assert request.query == {"fields": ["id,permalink_url"]}


def test_a_comment_part_with_media_or_without_its_post_is_refused(
    server: FacebookServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server, "One.\n\n---\n\nTwo.", images=1, thread=True)
    with driver_for(project) as driver:
        with pytest.raises(Rejected, match="first post is unknown"):
            driver.publish(variant, 1, key=KEY, thread=[])
        second = replace(variant.parts[1], media=variant.parts[0].media)
        with_media = replace(variant, parts=[variant.parts[0], second])
        with pytest.raises(Rejected, match="text only"):
            driver.publish(with_media, 1, key=KEY, thread=[Remote("1")])
    assert server.requests == []


# -- errors ---------------------------------------------------------------------------------


def test_a_refused_token_says_what_to_do_and_never_shows_it(
    server: FacebookServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server)
    server.revoked.add(PAGE_TOKEN)
    with driver_for(project) as driver, pytest.raises(Rejected) as caught:
        driver.publish(variant, 0, key=KEY, thread=[])
    assert caught.value.status == 401
    message = str(caught.value)
    assert f"refused the access token in {TOKEN_ENV}" in message
    assert "code 190, subcode 460" in message
    assert f"set {TOKEN_ENV}" in message
    assert_no_token(caught.value)


def test_a_missing_permission_names_the_permissions(make_project: MakeProject) -> None:
    with FacebookServer(permissions=frozenset({"pages_read_engagement"})) as server:
        project, variant = build(make_project, server)
        with driver_for(project) as driver, pytest.raises(Rejected) as caught:
            driver.publish(variant, 0, key=KEY, thread=[])
        assert caught.value.status == 403
        assert "pages_manage_posts" in str(caught.value)
        assert "CREATE_CONTENT task" in str(caught.value)
        assert server.posts == []


@pytest.mark.parametrize(
    ("failure", "kind", "words"),
    [
        (GraphFail(400, 368, "Temporarily blocked for policies violations", subcode=1390008),
         Transient, "rate limit"),
        (GraphFail(400, 368, "It looks like you were misusing this feature"), Rejected,
         "policy violation"),
        (GraphFail(500, 1, "An unknown error occurred"), Transient, "unknown error"),
        (GraphFail(400, 2, "Service temporarily unavailable"), Transient, "temporarily"),
        (GraphFail(400, 506, "Duplicate status message"), Rejected, "duplicate of an earlier"),
        (GraphFail(400, 100, "Invalid parameter", user_title="Bad link",
                   user_msg="The link could not be read"), Rejected, "Bad link: The link"),
    ],
)  # fmt: skip
def test_graph_errors_by_code(
    server: FacebookServer,
    make_project: MakeProject,
    failure: GraphFail,
    kind: type[PublishError],
    words: str,
) -> None:
    project, variant = build(make_project, server)
    server.fail_next("POST", rf"{PAGE_ID}/feed", failure)
    with driver_for(project) as driver, pytest.raises(kind) as caught:
        driver.publish(variant, 0, key=KEY, thread=[])
    assert type(caught.value) is kind or isinstance(caught.value, kind)
    assert words in str(caught.value)
    assert "fbtrace_id" in str(caught.value)
    assert server.posts == []


def test_a_rate_limit_waits_as_the_business_use_case_header_says(
    make_project: MakeProject,
) -> None:
    with FacebookServer(Faults(), retry_minutes=3) as server:
        project, variant = build(make_project, server)
        server.faults.next("rate_429")
        with driver_for(project) as driver:
            driver._token()
            with pytest.raises(Transient) as caught:
                driver.publish(variant, 0, key=KEY, thread=[])
        assert caught.value.retry_after == 180.0
        assert "80001" in str(caught.value)
        assert "rate limit" in str(caught.value)
        assert server.posts == []
        assert server.errors == []


def test_usage_headers_as_waits() -> None:
    def headers(business: Any = None, app: Any = None) -> httpx.Headers:
        values = {}
        if business is not None:
            values["X-Business-Use-Case-Usage"] = json.dumps(business)
        if app is not None:
            values["X-App-Usage"] = json.dumps(app)
        return httpx.Headers(values)

    entry = {"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 7}
    assert (
        usage_wait(headers({"1": [entry, {**entry, "estimated_time_to_regain_access": 2}]})) == 420
    )
    assert usage_wait(headers(app={"call_count": 100, "total_time": 3})) == APP_LIMIT_WAIT
    assert usage_wait(headers(app={"call_count": 99})) is None
    assert (
        usage_wait(headers({"1": [{"call_count": 5, "estimated_time_to_regain_access": 0}]}))
        is None
    )
    assert usage_wait(httpx.Headers({"X-App-Usage": "not json"})) is None


def test_graph_error_parsing_and_kinds() -> None:
    def answer(status: int, body: Any) -> httpx.Response:
        return httpx.Response(status, json=body)

    error = graph_error(
        answer(400, {"error": {"message": "m", "code": "190", "error_subcode": 463}})
    )
    assert error is not None
    assert (error.code, error.subcode) == (190, 463)
    assert kind_of(error, 400) == "token"
    assert graph_error(answer(400, {"error": "text"})) is None
    assert graph_error(httpx.Response(502, text="<html>")) is None
    assert kind_of(None, 502) == "transient"
    assert kind_of(None, 404) == "refused"
    assert [kind_of(graph_error(answer(400, {"error": {"code": c}})), 400)
            for c in (4, 17, 32, 613, 80001, 80014, 1, 2, 10, 200, 299, 368, 100)] == [
        "rate", "rate", "rate", "rate", "rate", "rate", "transient", "transient",
        "permission", "permission", "permission", "policy", "refused",
    ]  # fmt: skip


def test_a_server_error_is_transient(server: FacebookServer, make_project: MakeProject) -> None:
    project, variant = build(make_project, server)
    with driver_for(project) as driver:
        driver._token()
        server.faults.next("error_500")
        with pytest.raises(Transient) as caught:
            driver.publish(variant, 0, key=KEY, thread=[])
        assert caught.value.status == 500
        driver.publish(variant, 0, key=KEY, thread=[])
    assert len(server.posts) == 1


def test_an_unanswered_post_is_unknown_and_reconcile_finds_it(
    server: FacebookServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server, images=2)
    with driver_for(project) as driver:
        driver._token()
        driver.handles = Handles()
        driver._unpublished(variant.parts[0])  # the waiting steps, done: only the post is left
        server.faults.next("reset_after")
        with pytest.raises(Unknown):
            driver.publish(variant, 0, key=KEY, thread=[])
        found = driver.reconcile(variant, 0, key=KEY, thread=[], since=START)
    [made] = server.posts
    assert found == Remote(made.id, made.permalink)
    assert len(server.uploads()) == 2


def test_an_unanswered_read_is_not_sent(server: FacebookServer, make_project: MakeProject) -> None:
    project, variant = build(make_project, server)
    server.faults.reads = True
    server.faults.next("reset_after")
    with driver_for(project) as driver, pytest.raises(NotSent):
        driver.publish(variant, 0, key=KEY, thread=[])
    assert server.posts == []


def test_reconcile_tells_posts_apart_by_text_time_and_photos(
    server: FacebookServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server, images=1)
    _, text_only = build(make_project, server)
    with driver_for(project) as driver:
        assert driver.reconcile(variant, 0, key=KEY, thread=[], since=START) is None
        driver.publish(text_only, 0, key=KEY, thread=[])  # the same text, no photo
        assert driver.reconcile(variant, 0, key=KEY, thread=[], since=START) is None
        driver.publish(variant, 0, key=KEY, thread=[])
        found = driver.reconcile(variant, 0, key=KEY, thread=[], since=START)
        assert found is not None
        assert found.id == server.posts[-1].id
        # a post made before the attempt is not this one
        later = datetime.now(UTC) + timedelta(hours=1)
        assert driver.reconcile(variant, 0, key=KEY, thread=[], since=later) is None


def test_reconcile_reads_older_pages_and_cannot_tell_past_its_reach(
    server: FacebookServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server, "The one.")
    _, other = build(make_project, server, "Another post.")
    with driver_for(project) as driver:
        driver.publish(variant, 0, key=KEY, thread=[])
        for _ in range(30):
            driver.publish(other, 0, key=KEY, thread=[])
        found = driver.reconcile(variant, 0, key=KEY, thread=[], since=START)
        assert found is not None
        assert found.id == server.posts[0].id
        assert len(sent(server, "GET", "/published_posts")) == 2
        for _ in range(100):
            driver.publish(other, 0, key=KEY, thread=[])
        with pytest.raises(CannotTell, match="look for it on the Page"):
            driver.reconcile(variant, 0, key=KEY, thread=[], since=START)


def test_reconcile_finds_a_comment_of_the_page_only(
    server: FacebookServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server, "One.\n\n---\n\nTwo.", thread=True)
    with driver_for(project) as driver:
        [first] = publish_all(driver, replace(variant, parts=variant.parts[:1]))
        ident = f"{first.id.split('_')[1]}_5"  # the same text, by somebody else
        server.comments.append(Comment(ident, first.id, "Two.", datetime.now(UTC), author="777"))
        assert driver.reconcile(variant, 1, key=KEY, thread=[first], since=START) is None
        made = driver.publish(variant, 1, key=KEY, thread=[first])
        assert driver.reconcile(variant, 1, key=KEY, thread=[first], since=START) == made
        with pytest.raises(CannotTell):
            driver.reconcile(variant, 1, key=KEY, thread=[], since=START)


def test_text_comparison_and_photo_counts() -> None:
    text = "Zażółć gęślą jaźń — שַׁבָּת"
    assert same_text(unicodedata.normalize("NFD", text), text)
    assert same_text(" a \n b ", "a b")
    assert not same_text("a b", "a c")
    assert same_text(None, "")
    assert not same_text(None, "x")
    album = {"data": [{"media_type": "album", "subattachments": {"data": [{}, {}, {}]}}]}
    assert photo_count({"attachments": album}) == 3
    assert photo_count({"attachments": {"data": [{"media_type": "photo"}]}}) == 1
    assert photo_count({"attachments": {"data": [{"media_type": "link"}]}}) == 0
    assert photo_count({}) == 0  # asked for, and none
    assert photo_count({"attachments": "?"}) is None


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.sampled_from(SCRIPTS).flatmap(lambda s: sentences(s, 1, 3)))
def test_texts_in_every_script_are_posted_as_written_and_found_again(
    server: FacebookServer, make_project: MakeProject, text: str
) -> None:
    project, variant = build(make_project, server, "placeholder")
    variant = replace(variant, parts=[Part(text, len(text))])
    with driver_for(project) as driver:
        remote = driver.publish(variant, 0, key=KEY, thread=[])
        assert server.posts[-1].message == text
        assert driver.reconcile(variant, 0, key=KEY, thread=[], since=START) == remote


# -- tokens ----------------------------------------------------------------------------------


def test_verify_with_a_page_token(server: FacebookServer, make_project: MakeProject) -> None:
    project, _ = build(make_project, server)
    with driver_for(project) as driver:
        said = driver.verify()
    assert said.startswith(f"Page '{PAGE_NAME}' (id {PAGE_ID}), with a Page access token")
    assert [r.path for r in server.requests] == [f"/{GRAPH_VERSION}/me"]


def test_verify_shows_the_tokens_type_and_expiry_with_the_apps_token(
    make_project: MakeProject,
) -> None:
    with FacebookServer(permissions=frozenset({"pages_manage_posts"})) as server:
        later = int((datetime.now(UTC) + timedelta(days=30, hours=1)).timestamp())
        server.expires[SYSTEM_USER_TOKEN] = later
        project, _ = build(make_project, server, channel={"app_token_env": APP_TOKEN_ENV})
        with driver_for(project, **{APP_TOKEN_ENV: APP_TOKEN}) as driver:
            page = driver.verify()
            assert APP_TOKEN in driver.secrets()
            assert APP_TOKEN.split("|")[1] in driver.secrets()
        with driver_for(project, SYSTEM_USER_TOKEN, **{APP_TOKEN_ENV: APP_TOKEN}) as driver:
            user = driver.verify()
        with driver_for(project) as driver:
            unset = driver.verify()
        with driver_for(project, **{APP_TOKEN_ENV: PAGE_TOKEN}) as driver:
            with pytest.raises(Rejected, match="must provide an app access token") as caught:
                driver.verify()
            assert_no_token(caught.value)
        [debug, *_] = [r for r in server.requests if r.path.endswith("/debug_token")]
        assert debug.header("authorization") == f"Bearer {APP_TOKEN}"
        assert server.errors == []
    assert page.endswith("; token type PAGE, expires never, it lacks pages_read_engagement,"
                         " pages_manage_engagement")  # fmt: skip
    day = datetime.fromtimestamp(later, UTC)
    assert f"token type SYSTEM_USER, expires {day:%Y-%m-%d} (30 days left)" in user
    assert unset.endswith(
        f"its expiry is not shown: environment variable {APP_TOKEN_ENV} is not set"
    )


def test_a_system_user_token_posts_with_the_pages_token(
    server: FacebookServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server)
    with driver_for(project, SYSTEM_USER_TOKEN) as driver:
        said = driver.verify()
        driver.publish(variant, 0, key=KEY, thread=[])
        assert PAGE_TOKEN in driver.secrets()
        assert SYSTEM_USER_TOKEN in driver.secrets()
    assert f"with the token of '{SYSTEM_USER_NAME}'" in said
    assert "System User" in said
    [page] = [r for r in server.requests if r.path.endswith(f"/{PAGE_ID}")]
    assert page.query == {"fields": ["id,name,access_token"]}
    assert page.header("authorization") == f"Bearer {SYSTEM_USER_TOKEN}"
    [feed] = sent(server, "POST", "/feed")
    assert feed.header("authorization") == f"Bearer {PAGE_TOKEN}"


def test_a_system_user_without_the_page_is_told_what_to_do(make_project: MakeProject) -> None:
    with FacebookServer(system_user_has_page=False) as server:
        project, variant = build(make_project, server)
        with driver_for(project, SYSTEM_USER_TOKEN) as driver, pytest.raises(Rejected) as caught:
            driver.publish(variant, 0, key=KEY, thread=[])
        assert f"'{SYSTEM_USER_NAME}'" in str(caught.value)
        assert "Assign the Page to the system user" in str(caught.value)
        assert server.posts == []


def test_a_missing_token_is_reported_before_any_request(
    server: FacebookServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server)
    with driver_for(project, token=None) as driver:
        assert driver.missing() == [TOKEN_ENV]
        with pytest.raises(MissingCredentials, match=TOKEN_ENV):
            driver.publish(variant, 0, key=KEY, thread=[])
    assert server.requests == []


# -- --dry-run -------------------------------------------------------------------------------


def test_preview_needs_no_credentials_and_no_network(make_project: MakeProject) -> None:
    with FacebookServer() as server:
        project, photos = build(make_project, server, "Two pictures.", images=2)
        _, one = build(make_project, server, "A picture.", images=1)
        _, thread = build(make_project, server, "One.\n\n---\n\nTwo.", link=LINK, thread=True)
        with driver_for(project, token=None) as driver:
            many = driver.preview(photos, 0)
            single = driver.preview(one, 0)
            first, comment = driver.preview(thread, 0), driver.preview(thread, 1)
        assert server.requests == []
    assert many["request"] == f"POST /{GRAPH_VERSION}/{PAGE_ID}/feed?fields=id,permalink_url"
    assert many["body"]["attached_media"] == [
        {"media_fbid": "<id of media/shot0.png>"},
        {"media_fbid": "<id of media/shot1.png>"},
    ]
    assert [u["body"]["published"] for u in many["uploads"]] == ["false", "false"]
    assert single == {
        "request": f"POST /{GRAPH_VERSION}/{PAGE_ID}/photos",
        "body": {
            "source": "media/shot0.png",
            "published": "true",
            "message": "A picture.",
            "alt_text_custom": "Screenshot 0",
        },
    }
    assert first["body"] == {"message": thread.parts[0].text, "link": thread.link}
    assert comment["request"].endswith("/<id of part 1>/comments?fields=id,permalink_url")
