"""A network type from a third-party package: registered through the
``smmgen.channels`` entry point group exactly as the built-ins are, configured
in channels.yaml with its own settings model, checked and published."""

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


def register(register):
    register(Network(type="pigeon", title="Pigeon", limits=NetworkLimits(max_chars=40),
                     driver="smmgen_pigeon:PigeonDriver", settings=PigeonChannel))
'''


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
            "ledger: {store: local}\n"
        )
        long = "---\nid: long\npublish_at: 2026-11-25 11:00\nthread: false\n---\n" + "word " * 20
        short = "---\nid: short\npublish_at: 2026-11-25 11:00\n---\nCoo.\n"
        root = make_project(channels=channels, calendar="timezone: UTC\n",
                            posts={"long.md": long, "short.md": short})  # fmt: skip
        check = smmgen(root, site, "check", "--format", "json")
        assert check.stdout, check.stderr
        findings = json.loads(check.stdout)["findings"]
        assert any(f["code"] == "too-long" and "40" in f["message"] for f in findings), findings
        (root / "content" / "long.md").unlink()
        assert smmgen(root, site, "ledger", "init").returncode == 0
        result = smmgen(root, site, "publish", "--format", "json")
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert [(i["post"], i["outcome"]) for i in report["items"]] == [("short", "published")]
        assert loft.messages == ["Coo."]
        # without the package the type is unknown, with a clear message
        bare = smmgen(root, tmp_path / "nowhere", "check")
        assert bare.returncode == 1
        assert "unknown channel type 'pigeon'" in bare.stdout
