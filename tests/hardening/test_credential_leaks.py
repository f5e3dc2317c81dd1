"""Issue 11, class 7: a credential never leaks, whatever it holds or a server echoes.

- A credential holding whitespace or a control character anywhere (a token
  pasted with its newline) is refused, naming the variable and never showing
  the value in any form: raw, stripped, ``repr``/``ascii`` escaped,
  JSON-escaped, URL-encoded (``quote``, ``quote_plus``) or in base64 (HTTP
  Basic auth), at any alignment. Secrets are generated (hypothesis) with such
  characters at random places, next to non-ASCII characters and characters
  that every escaping changes.
- A valid credential echoed back by a hostile server in every one of those
  encodings (error bodies, headers, URLs) appears in no output, JSON report,
  ledger file or exception text.
- ``channels verify`` reports every channel, whatever fails for another: a
  refused credential, a driver refusing a credential's shape, an unexpected
  exception while verifying or while setting the driver up.

The forms looked for are computed here, independently of ``smmgen.secrets``.
"""

from __future__ import annotations

import base64
import html
import json
import string
import tempfile
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import quote, quote_plus

import httpx
import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import smmgen
from smmgen.cli import cli
from smmgen.commands.publish import ledger_init
from smmgen.errors import MissingCredentials, PublishError
from smmgen.publish.driver import Context, driver_class
from smmgen.publish.http import Http, RetryPolicy
from smmgen.registry import network
from smmgen.secrets import credential_problem
from tests.servers.base import Reply, Request, TestServer

Run = Callable[..., Result]

ALNUM = string.ascii_letters + string.digits
BAD = ["\n", "\r", "\r\n", "\t", " ", "\v", "\f", "\x00", "\x1b", "\x7f", "\x85", "\xa0",
       "\u2028", "\u200b", "\ufeff", "\u3000"]  # fmt: skip
ODD = list("\"'\\/%+&<>=?#:;,~!*@$^`|{}[]()")  # changed by some escaping or encoding
WIDE = ["é", "ü", "ß", "€", "😀", "中"]


# -- every form a value can be printed in (computed here, not by smmgen) ----------------


def _b64_tails(secret: bytes) -> set[str]:
    """The secret's part of base64(prefix + secret) for prefixes of 0 to 5 bytes:
    what HTTP Basic auth's ``user:secret`` shows of it, whatever the user."""
    out = set()
    for size in range(6):
        encoded = base64.b64encode(b"u" * size + secret).decode().rstrip("=")
        start = -(-size * 8 // 6)
        out |= {encoded[start:], encoded[start:].replace("+", "-").replace("/", "_")}
    return out


def printed_forms(value: str) -> set[str]:
    out: set[str] = set()
    for each in {value, value.strip()}:
        if len(each) < 4:
            continue
        data = each.encode("utf-8", "surrogatepass")
        out |= {
            each,
            repr(each)[1:-1],
            repr(each + "'\"")[1:-4],
            ascii(each)[1:-1],
            repr(data)[2:-1],
            json.dumps(each)[1:-1],
            json.dumps(each, ensure_ascii=False)[1:-1],
            html.escape(each),
            quote(each, safe=""),
            quote(each),
            quote_plus(each),
            *_b64_tails(data),
        }
    return {form for form in out if len(form) >= 4}


def leaked(text: str, values: list[str]) -> list[str]:
    return sorted({form[:16] for v in values for form in printed_forms(v) if form in text})


def test_the_forms_looked_for_are_found() -> None:
    """The scan cannot pass for want of looking."""
    secret = "Tok'en\"/+é%42xyzABC\n"
    basic = base64.b64encode(b"user:" + secret.encode()).decode()
    for shown in (repr(secret), json.dumps(secret), quote_plus(secret), f"Basic {basic}",
                  repr(secret.strip().encode()), ascii({"k": secret.strip()})):  # fmt: skip
        assert leaked(f"<{shown}>", [secret]), shown
    assert not leaked("[redacted] and [redacted]", [secret])


# -- generated secrets -------------------------------------------------------------------


@st.composite
def bad_secrets(draw: st.DrawFn, allow_nul: bool = True) -> str:
    """A secret that looks real, with whitespace or control characters at random
    places (one at least), and characters that escaping and encoding change."""
    chars = list(draw(st.text(alphabet=ALNUM, min_size=12, max_size=40)))
    for _ in range(draw(st.integers(0, 4))):
        chars.insert(draw(st.integers(0, len(chars))), draw(st.sampled_from(ODD + WIDE)))
    bad = [b for b in BAD if allow_nul or b != "\x00"]
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(["start", "end", "inside"]))
        index = {"start": 0, "end": len(chars)}.get(where, draw(st.integers(1, len(chars) - 1)))
        chars.insert(index, draw(st.sampled_from(bad)))
    return "".join(chars)


@st.composite
def valid_secrets(draw: st.DrawFn, wide: bool = False) -> str:
    chars = list(draw(st.text(alphabet=ALNUM, min_size=16, max_size=32)))
    extras = ODD + (WIDE if wide else [])
    for _ in range(draw(st.integers(1, 6))):
        chars.insert(draw(st.integers(0, len(chars))), draw(st.sampled_from(extras)))
    return "".join(chars)


# -- refusal: the variable is named, the value never shown ------------------------------

# Nothing here is ever contacted (every credential is refused first); were it
# contacted, the port is closed on loopback: nothing reaches the internet.
NOWHERE = "http://127.0.0.1:9"
CHANNELS = {
    "masto": {"type": "mastodon", "instance": NOWHERE, "token_env": "T_MASTO"},
    "sky": {
        "type": "bluesky",
        "handle": "a.example.com",
        "service": NOWHERE,
        "password_env": "T_SKY",
    },
    "tg": {"type": "telegram", "chat_id": "@news", "api_base": NOWHERE, "token_env": "T_TG"},
    "chat": {"type": "discord", "api_base": NOWHERE, "webhook_url_env": "T_CHAT"},
    "team": {"type": "slack", "api_base": NOWHERE, "webhook_url_env": "T_TEAM"},
    "hook": {"type": "webhook", "url": f"{NOWHERE}/in", "secret_env": "T_HOOK"},
}
VARIABLES = {
    name: next(v for k, v in c.items() if k.endswith("_env")) for name, c in CHANNELS.items()
}


def write_project(root: Path, channels: dict[str, Any], posts: dict[str, str] = {}) -> Path:  # noqa: B006
    (root / "content").mkdir(parents=True, exist_ok=True)
    document = {"channels": channels, "ledger": {"store": "local"}}
    (root / "channels.yaml").write_text(yaml.safe_dump(document, sort_keys=False), "utf-8")
    (root / "calendar.yaml").write_text("timezone: UTC\nmax_lateness: 6h\nmin_gap: 0m\n", "utf-8")
    for name, text in posts.items():
        (root / "content" / name).write_text(text, "utf-8")
    ledger_init(root)
    return root


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> smmgen.Project:
    return smmgen.load(write_project(tmp_path_factory.mktemp("refusal"), CHANNELS))


@pytest.fixture(scope="module")
def http() -> Iterator[Http]:
    """One client for all the drivers below (a client takes 0.1 s to make)."""
    client = Http(timeout=2, policy=RetryPolicy(attempts=1, scale=0))
    yield client
    client.close()


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(CHANNELS)), bad_secrets())
def test_a_credential_with_whitespace_or_control_characters_is_refused_unseen(
    project: smmgen.Project, http: Http, channel: str, secret: str
) -> None:
    assert credential_problem(secret) is not None
    variable = VARIABLES[channel]
    settings_ = project.channels[channel]
    cls = driver_class(network(settings_.type))  # type: ignore[attr-defined]
    assert cls is not None
    driver = cls(Context(channel, settings_, project, http, {variable: secret}))
    refused = driver.refused()
    assert len(refused) == 1
    assert variable in refused[0]
    field = next(k for k, v in CHANNELS[channel].items() if v == variable)
    with pytest.raises(MissingCredentials) as caught:
        driver.secret(field)
    message = str(caught.value)
    assert variable in message
    assert "whitespace or control characters" in message
    shown = "\n".join([*refused, message, repr(caught.value), credential_problem(secret) or ""])
    assert leaked(shown, [secret]) == [], shown
    with pytest.raises((MissingCredentials, PublishError)) as verified:
        driver.verify()  # refused before anything is sent (nothing listens there)
    assert not isinstance(verified.value, PublishError), verified.value


@settings(max_examples=200, deadline=None)
@given(valid_secrets(wide=True))
def test_a_credential_without_whitespace_or_control_characters_is_accepted(secret: str) -> None:
    assert credential_problem(secret) is None


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(bad_secrets(allow_nul=False), min_size=len(CHANNELS), max_size=len(CHANNELS)))
def test_channels_verify_refuses_each_and_shows_none(
    project: smmgen.Project, values: list[str]
) -> None:
    env = dict(zip(VARIABLES.values(), values, strict=True))
    result = CliRunner().invoke(
        cli, ["--root", str(project.root), "channels", "verify", "--format", "json"], env=env
    )
    assert result.exit_code == 1, result.output
    shown = result.output + (result.stderr or "")
    assert leaked(shown, values) == []
    report = json.loads(result.stdout)
    assert [c["channel"] for c in report["channels"]] == sorted(CHANNELS)
    for item in report["channels"]:
        assert item["status"] == "failed"
        assert VARIABLES[item["channel"]] in item["detail"], item
        assert "whitespace or control characters" in item["detail"], item


# -- valid secrets echoed back in every encoding -----------------------------------------


def echoes(secret: str) -> dict[str, str]:
    """Every encoding of ``secret`` a hostile server sends back."""
    return {
        "raw": secret,
        "repr": repr(secret),
        "ascii": ascii(secret),
        "json": json.dumps(secret),
        "json-utf8": json.dumps(secret, ensure_ascii=False),
        "html": html.escape(secret),
        "quote": quote(secret, safe=""),
        "quote-path": quote(secret),
        "quote-plus": quote_plus(secret),
        "url": f"https://id.example/cb?access_token={quote_plus(secret)}&x=1",
        **{
            f"basic-{user}": base64.b64encode(f"{user}:{secret}".encode()).decode()
            for user in ("u", "us", "usr", "user")
        },
        "bytes": repr(f"Bearer {secret}".encode()),
    }


class Echo(TestServer):
    """Refuses every request, quoting the credential it was sent in every encoding,
    in its JSON error (Mastodon and XRPC shapes), its headers and a URL."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []  # the credentials it was sent

    def handle(self, request: Request) -> Reply:
        auth = request.header("authorization") or ""
        secret = auth.removeprefix("Bearer ")
        if request.body.startswith(b"{"):
            secret = str(request.json().get("password") or secret)
        if not secret:
            return Reply(404, {"error": "not found"})
        forms = echoes(secret)
        message = "; ".join(f"{name}={form}" for name, form in forms.items())
        headers = {
            "WWW-Authenticate": f'Bearer realm="x", error_uri="{forms["url"]}"',
            "X-Echo": " ".join(forms[k] for k in ("quote", "quote-plus", "basic-user")),
            "Link": f"<{forms['url']}>; rel=next",
        }
        self.seen.append(secret)
        return Reply(401, {"error": f"invalid credentials: {message}", "message": message}, headers)


@pytest.fixture(scope="module")
def echo() -> Iterator[Echo]:
    with Echo() as server:
        yield server


POST = """\
---
id: echo-post
title: Echo
publish_at: 2026-11-25 11:00
channels: [masto, sky]
---
A post nobody will accept.
"""


def exception_text(exc: BaseException) -> str:
    shown = [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    for other in (exc.__cause__, exc.__context__):
        if other is not None:
            shown += [str(other), repr(other), "".join(traceback.format_exception(other))]
    return "\n".join(shown)


def files_text(root: Path) -> str:
    return "\n".join(
        p.read_bytes().decode("utf-8", "replace") for p in sorted(root.rglob("*")) if p.is_file()
    )


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_secrets(), valid_secrets(wide=True))
def test_secrets_echoed_in_every_encoding_never_come_out(
    echo: Echo, token: str, password: str
) -> None:
    channels = {
        "masto": {"type": "mastodon", "instance": echo.url, "token_env": "E_MASTO"},
        "sky": {
            "type": "bluesky",
            "handle": "a.example.com",
            "service": echo.url,
            "password_env": "E_SKY",
        },
    }
    env = {
        "E_MASTO": token,
        "E_SKY": password,
        "SMMGEN_AT": "2026-11-25 12:00",
        "SMMGEN_RETRY_SCALE": "0",
        "SMMGEN_HTTP_TIMEOUT": "5",
    }
    values = [token, password]
    echo.seen.clear()
    with tempfile.TemporaryDirectory() as directory:
        root = write_project(Path(directory), channels, {"echo.md": POST})
        shown: list[str] = []
        for args, code in [
            (("channels", "verify"), 1),
            (("channels", "verify", "--format", "json"), 1),
            (("publish", "--format", "json"), 1),
            (("publish",), 1),
            (("ledger", "list", "--format", "json"), 0),
        ]:
            result = CliRunner().invoke(cli, ["--root", str(root), *args], env=env)
            assert result.exit_code == code, (args, result.output)
            shown.append(result.output + (result.stderr or ""))
        report = json.loads(shown[2])
        assert {i["channel"]: i["outcome"] for i in report["items"]} == {
            "masto": "failed",
            "sky": "failed",
        }
        # the drivers called directly, without the run's redaction
        with mock.patch.dict("os.environ", env):
            loaded = smmgen.load(root)
            for name in channels:
                settings_ = loaded.channels[name]
                cls = driver_class(network(settings_.type))  # type: ignore[attr-defined]
                assert cls is not None
                http = Http(timeout=5, policy=RetryPolicy(attempts=1, scale=0))
                driver = cls(Context(name, settings_, loaded, http, env))
                with pytest.raises(PublishError) as caught:
                    driver.verify()
                driver.close()
                shown.append(exception_text(caught.value))
        shown.append(files_text(root))
    assert token in echo.seen  # each was echoed back
    assert password in echo.seen
    assert {i: leaked(text, values) for i, text in enumerate(shown) if leaked(text, values)} == {}


# -- channels verify goes on after any failure ------------------------------------------


def test_channels_verify_reports_every_channel_whatever_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Run
) -> None:
    from smmgen.networks.discord.driver import DiscordDriver
    from smmgen.networks.webhook.driver import WebhookDriver

    secret = "boom-" + "Zq8Lx2Vw9Ty4Nb7Kc3Md"
    channels = {
        "a-refused": {"type": "mastodon", "instance": NOWHERE, "token_env": "V_A"},
        "b-shape": {
            "type": "telegram",
            "chat_id": "@news",
            "api_base": NOWHERE,
            "token_env": "V_B",
        },
        "c-raises": {"type": "webhook", "url": f"{NOWHERE}/in", "secret_env": "V_C"},
        "d-setup": {"type": "discord", "api_base": NOWHERE, "webhook_url_env": "V_D"},
        "e-feed": {"type": "feed"},
        "f-missing": {"type": "mastodon", "instance": NOWHERE, "token_env": "V_F"},
    }
    root = write_project(tmp_path, channels)

    def raises(self: Any) -> str:
        raise RuntimeError(f"driver bug with {secret} in it")

    def fails_setup(self: Any, context: Context) -> None:
        raise KeyError("no such thing")

    monkeypatch.setattr(WebhookDriver, "verify", raises)
    monkeypatch.setattr(DiscordDriver, "__init__", fails_setup)
    env = {"V_A": "token-Zq8Lx2Vw9Ty4\n", "V_B": "12345/not-a-token", "V_C": secret,
           "V_D": "https://discord.example/api/webhooks/1/x", "V_F": ""}  # fmt: skip
    result = run("--root", root, "channels", "verify", "--format", "json", env=env)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    got = {c["channel"]: (c["ok"], c["status"]) for c in report["channels"]}
    assert got == {
        "a-refused": (False, "failed"),
        "b-shape": (False, "failed"),
        "c-raises": (False, "failed"),
        "d-setup": (False, "failed"),
        "e-feed": (True, "ok"),
        "f-missing": (False, "failed"),
    }
    detail = {c["channel"]: c["detail"] for c in report["channels"]}
    assert "V_A holds a line break at the end" in detail["a-refused"]
    assert "V_B" in detail["b-shape"]
    assert "bot token" in detail["b-shape"]
    assert "RuntimeError" in detail["c-raises"]
    assert secret not in detail["c-raises"]
    assert "KeyError" in detail["d-setup"]
    assert "V_F is not set" in detail["f-missing"]
    text = run("--root", root, "channels", "verify", env=env)
    assert text.exit_code == 1
    assert [line.split()[1] for line in text.stdout.splitlines()[1:]] == sorted(channels)
    assert secret not in text.output
    assert "Zq8Lx2Vw9Ty4" not in text.output


# -- a long error body cut where a secret begins -----------------------------------------


class Padded(TestServer):
    """Refuses every request with a text body: ``pad`` characters, then the
    credential it was sent, then more text; ``pad`` is set per example."""

    def __init__(self) -> None:
        super().__init__()
        self.pad = 0

    def handle(self, request: Request) -> Reply:
        auth = request.header("authorization") or ""
        secret = auth.removeprefix("Bearer ")
        if request.body.startswith(b"{"):
            secret = str(request.json().get("password") or secret)
        return Reply(401, "x" * self.pad + secret + " and more text " * 10)


@pytest.fixture(scope="module")
def padded() -> Iterator[Padded]:
    with Padded() as server:
        yield server


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pad=st.integers(min_value=150, max_value=320), kind=st.sampled_from(["mastodon", "bluesky"]))
def test_an_error_cut_short_never_keeps_the_start_of_a_secret(
    padded: Padded, pad: int, kind: str
) -> None:
    """Drivers shorten a network's error text; they must redact it before they cut
    it, or a cut inside a secret leaves its first characters in the message."""
    padded.pad = pad
    secret = "Sk7Qw2Er9Ty4Ui8Op3As6Df1Gh5Jk0Lz"
    settings_ = (
        {"type": "mastodon", "instance": padded.url, "token_env": "P_SECRET"}
        if kind == "mastodon"
        else {
            "type": "bluesky",
            "handle": "a.example.com",
            "service": padded.url,
            "password_env": "P_SECRET",
        }
    )
    env = {"P_SECRET": secret}
    with tempfile.TemporaryDirectory() as directory:
        root = write_project(Path(directory), {"c": settings_})
        with mock.patch.dict("os.environ", env):
            loaded = smmgen.load(root)
            channel = loaded.channels["c"]
            cls = driver_class(network(channel.type))  # type: ignore[attr-defined]
            assert cls is not None
            http = Http(timeout=5, policy=RetryPolicy(attempts=1, scale=0))
            driver = cls(Context("c", channel, loaded, http, env))
            with pytest.raises(PublishError) as caught:
                driver.verify()
            driver.close()
    shown = exception_text(caught.value)
    starts = [secret[:n] for n in range(6, len(secret) + 1)]
    assert [s for s in starts if s in shown] == []


@settings(max_examples=200, deadline=None)
@given(pad=st.integers(min_value=0, max_value=700), status=st.sampled_from([400, 401, 404, 500]))
def test_the_shared_error_path_redacts_before_it_cuts(pad: int, status: int) -> None:
    """Discord, Slack and the webhook driver build errors from a plain-text answer
    with ``text_reason`` and ``cleaned``: however long the text and wherever the
    secret sits in it, not even its first characters survive the cut."""
    from smmgen.publish.drivercommon import cleaned, text_reason
    from smmgen.publish.http import status_error

    secret = "Wh9Kq2Lm7Np4Rs8Tv3Xy6Za1Bc5De0Fg"
    request = httpx.Request("POST", "http://127.0.0.1:9/hook")
    response = httpx.Response(status, text="x" * pad + secret + " more" * 80, request=request)
    error = cleaned(status_error(response, text_reason(response)), [secret])
    shown = exception_text(error)
    starts = [secret[:n] for n in range(6, len(secret) + 1)]
    assert [s for s in starts if s in shown] == []
    assert len(error.message) <= 400
