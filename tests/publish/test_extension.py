"""A network type from a third-party package: registered through the
``smmgen.channels`` entry point group exactly as the built-ins are, and every
hook of a network used: its settings model (channels.yaml, the JSON Schema,
people and policy keys), its count and limits, its dialect (Markdown, escaping,
mentions with its handle prefix, hashtags), its media rules and its driver."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.servers.base import Reply, Request, TestServer

PLUGIN = '''
"""smmgen-pigeon: an example third-party network for smmgen."""
from typing import Literal

from pydantic import Field

from smmgen.channels.base import Network, NetworkLimits
from smmgen.channels.dialect import Dialect
from smmgen.models.base import EnvName, Url
from smmgen.models.channels import NetworkChannel
from smmgen.publish.driver import Driver, Remote
from smmgen.errors import Rejected
from smmgen.publish.http import status_error


class PigeonChannel(NetworkChannel):
    type: Literal["pigeon"] = Field(description="A pigeon loft.")
    loft: Url = Field(description="The loft's API.")
    token_env: EnvName = Field(description="Variable holding the loft token.")


class PigeonDriver(Driver):
    credentials = ("token_env",)

    def verify(self):
        return "a loft"

    def publish(self, variant, index, *, key, thread):
        response = self.http.send(
            "POST", self.context.channel.loft + "/messages",
            json={"text": variant.parts[index].text},
            headers={"Authorization": "Bearer " + self.secret("token_env")},
        )
        if response.status_code != 201:
            raise status_error(response, response.text)
        return Remote(str(response.json()["id"]), None)


class PigeonDialect(Dialect):
    name = "pigeon"
    styles = {"strong": ("^", "^"), "em": ("", ""), "s": ("", ""), "code": ("", "")}

    def escape(self, text):
        return text.replace("^", "\\^")

    def mention(self, handle):
        return "<" + handle + ">"

    def hashtag(self, tag):
        return "[" + tag + "]"


def coos(text):
    """A pigeon counts words."""
    return len(text.split())


def register(register):
    register(Network(type="pigeon", title="Pigeon", settings=PigeonChannel,
                     limits=NetworkLimits(max_chars=12, max_media=1,
                                          image_formats=frozenset({"png"})),
                     count=coos, unit="coos", dialect=PigeonDialect(), handle_prefix="~",
                     driver="smmgen_pigeon:PigeonDriver"))
'''


# A 1x1 GIF: a format the pigeon does not take.
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


class Loft(TestServer):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def handle(self, request: Request) -> Reply:
        if request.header("authorization") != "Bearer loft-token":
            return Reply(401, {"error": "who are you"})
        self.messages.append(request.json()["text"])
        return Reply(201, {"id": len(self.messages)})


def install_plugin(site: Path) -> None:
    (site / "smmgen_pigeon.py").write_text(textwrap.dedent(PLUGIN))
    info = site / "smmgen_pigeon-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: smmgen-pigeon\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[smmgen.channels]\npigeon = smmgen_pigeon:register\n")


def smmgen(root: Path, site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(site), LOFT_TOKEN="loft-token", NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "smmgen", "--root", str(root), *args],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_a_third_party_network_is_configured_checked_and_published(
    tmp_path: Path, make_project
) -> None:  # type: ignore[no-untyped-def]
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site)
    with Loft() as loft:
        channels = (
            "defaults:\n  channels: [birds]\nchannels:\n"
            f"  birds: {{type: pigeon, loft: '{loft.url}', token_env: LOFT_TOKEN}}\n"
            "people:\n  alice: {pigeon: alice-loft}\n"  # the type as a key of people
            "policy:\n  max_hashtags: {pigeon: 3, default: 1}\n"  # and of the policy
            "ledger: {store: local}\n"
        )
        head = "---\nid: {}\npublish_at: 2026-11-25 11:00\n{}---\n"
        long = head.format("long", "thread: false\n") + "word " * 20
        short = head.format("short", "tags: [birds]\n") + "Coo **loud** to @alice #pigeons ^\n"
        gif = head.format("gif", "media: [{path: media/bird.gif, alt: a bird}]\n") + "Look.\n"
        root = make_project(channels=channels, calendar="timezone: UTC\n",
                            posts={"long.md": long, "short.md": short, "gif.md": gif})  # fmt: skip
        (root / "media").mkdir(exist_ok=True)
        (root / "media" / "bird.gif").write_bytes(GIF)
        check = smmgen(root, site, "check", "--format", "json")
        assert check.stdout, check.stderr
        findings = json.loads(check.stdout)["findings"]
        # counted its way (20 words, 12 allowed), its media rules, nothing unknown
        assert any(f["code"] == "too-long" and "12" in f["message"] for f in findings), findings
        assert any(f["code"] == "media-format" and "png" in f["message"] for f in findings)
        assert not [f for f in findings if f["code"] == "unknown-channel"], findings
        show = smmgen(root, site, "show", "short", "--format", "json")
        assert show.returncode == 0, show.stderr
        (variant,) = json.loads(show.stdout)["variants"]
        assert variant["format"] == "pigeon"
        assert variant["length"] == 7  # coos: the words of the text as sent
        schema = smmgen(root, site, "schema", "channels")
        assert '"PigeonChannel"' in schema.stdout, schema.stderr
        code = "import smmgen.text; print(smmgen.text.length('a b c', 'pigeon'))"
        counted = subprocess.run(
            [sys.executable, "-c", code],
            env=dict(os.environ, PYTHONPATH=str(site)), capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert counted.stdout.strip() == "3"
        (root / "content" / "long.md").unlink()
        (root / "content" / "gif.md").unlink()
        assert smmgen(root, site, "ledger", "init").returncode == 0
        result = smmgen(root, site, "publish", "--format", "json")
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert [(i["post"], i["outcome"]) for i in report["items"]] == [("short", "published")]
        # its dialect: strong, escaping, the mention with its prefix, the appended tag
        assert loft.messages == ["Coo ^loud^ to <~alice-loft> #pigeons \\^\n\n[#birds]"]
        # without the package the type is unknown, with a clear message
        bare = smmgen(root, tmp_path / "nowhere", "check")
        assert bare.returncode == 1
        assert "unknown channel type 'pigeon'" in bare.stdout
