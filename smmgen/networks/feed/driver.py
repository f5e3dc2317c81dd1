"""The Atom feed (RFC 4287): a file kept where the ledger is.

Publishing an item adds its entry to the ledger record; the feed file is
written from every published record of the channel, newest first, so it is
the same whatever order or how often runs happen. With the git ledger the
file lives on the ledger branch (never on main); with the local ledger it is
written into the project at the channel's ``path``.

Each entry's ``xml:lang`` is its post's ``language:``, and the feed's is the
project's ``defaults.language``, so that readers know each text's language
(and from it, its direction).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

from smmgen.adapt.variants import Variant
from smmgen.networks.feed import FeedChannel
from smmgen.publish.driver import Driver, Remote
from smmgen.publish.ledger.records import parse_time

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ET.register_namespace("", ATOM)


def _tag(name: str) -> str:
    return f"{{{ATOM}}}{name}"


class FeedDriver(Driver[FeedChannel]):
    reconcilable = True  # the file is rebuilt from the ledger: adding an entry twice is harmless

    def verify(self) -> str:
        return f"writes {self.channel.path} (needs no credentials)"

    def _entry(self, variant: Variant) -> dict[str, Any]:
        post = next((p for p in self.context.project.posts if p.id == variant.post), None)
        title = (post.front.title if post else None) or variant.text.split("\n", 1)[0][:80]
        published = (variant.publish_at or datetime.now(UTC)).astimezone(UTC)
        entry = {
            "id": f"urn:smmgen:{self.context.name}:{variant.post}",
            "title": title,
            "content": "\n".join(part.text for part in variant.parts),
            "link": variant.link,
            "published": published.isoformat(),
            "tags": list(variant.hashtags),
        }
        if variant.language:  # older entries in the ledger have none
            entry["language"] = variant.language
        return entry

    def publish(self, variant: Variant, index: int, *, key: str, thread: list[Remote]) -> Remote:
        entry = self._entry(variant)
        return Remote(entry["id"], variant.link, {"entry": entry})

    def reconcile(
        self, variant: Variant, index: int, *, key: str, thread: list[Remote], since: datetime
    ) -> Remote | None:
        return None

    def preview(self, variant: Variant, index: int) -> dict[str, Any]:
        return {"entry": self._entry(variant)}

    def artifacts(self, published: list[dict[str, Any]]) -> dict[str, bytes]:
        channel = self.channel
        entries: dict[str, dict[str, Any]] = {}
        for record in published:
            entry = ((record.get("remote") or {}).get("data") or {}).get("entry")
            if isinstance(entry, dict) and "id" in entry:
                entries[entry["id"]] = entry
        ordered = sorted(entries.values(), key=lambda e: e["published"], reverse=True)
        site = channel.site_url
        feed = ET.Element(_tag("feed"))
        language = self.context.project.config.defaults.language
        if language:
            feed.set(XML_LANG, language)
        ET.SubElement(feed, _tag("id")).text = site or f"urn:smmgen:{self.context.name}"
        ET.SubElement(feed, _tag("title")).text = channel.title or self.context.name
        newest = max(
            (parse_time(e["published"]) for e in ordered), default=datetime(1970, 1, 1, tzinfo=UTC)
        )
        ET.SubElement(feed, _tag("updated")).text = newest.isoformat()
        if site:
            ET.SubElement(feed, _tag("link"), href=site)
        author = ET.SubElement(feed, _tag("author"))
        ET.SubElement(author, _tag("name")).text = channel.title or self.context.name
        ET.SubElement(feed, _tag("generator")).text = "smmgen"
        for entry in ordered:
            node = ET.SubElement(feed, _tag("entry"))
            if entry.get("language"):
                node.set(XML_LANG, str(entry["language"]))
            ET.SubElement(node, _tag("id")).text = entry["id"]
            ET.SubElement(node, _tag("title")).text = entry["title"]
            ET.SubElement(node, _tag("published")).text = entry["published"]
            ET.SubElement(node, _tag("updated")).text = entry["published"]
            if entry.get("link"):
                ET.SubElement(node, _tag("link"), href=entry["link"])
            for tag in entry.get("tags") or []:
                ET.SubElement(node, _tag("category"), term=str(tag).lstrip("#"))
            ET.SubElement(node, _tag("content"), type="html").text = entry["content"]
        ET.indent(feed)
        data = ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"
        return {channel.path: data}
