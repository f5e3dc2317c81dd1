"""The Atom feed (RFC 4287): a file kept where the ledger is.

Publishing an item adds its entry to the ledger record; the feed file is
written from every published record of the channel, newest first, so it is
the same whatever order or how often runs happen. With the git ledger the
file lives on the ledger branch (never on main); with the local ledger it is
written into the project at the channel's ``path``.

Each entry's ``xml:lang`` is its post's ``language:``, and the feed's is the
project's ``defaults.language``, so that readers know each text's language
(and from it, its direction).

What feed readers show of an entry: its ``title`` (Atom requires one; it is
the post's ``title``, else the start of its text), its content, and images.
Readers show the images in the content, so with the channel's ``media_url``
each image follows the text as ``<img src alt>`` (its alt text kept), and
every media file is also an ``enclosure`` link with its type and size (what
readers and podcast clients list as attachments). Without ``media_url`` the
files have no address, and `check` warns that the entry leaves them out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree as ET

from smmgen.adapt.shown import shown_text
from smmgen.adapt.variants import Media, Variant
from smmgen.media import MIME
from smmgen.networks.feed import FeedChannel
from smmgen.publish.driver import Driver, Remote
from smmgen.publish.ledger.records import parse_time
from smmgen.text.escape import html_attribute

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ET.register_namespace("", ATOM)


def _tag(name: str) -> str:
    return f"{{{ATOM}}}{name}"


class FeedDriver(Driver[FeedChannel]):
    reconcilable = True  # the file is rebuilt from the ledger: adding an entry twice is harmless

    def verify(self) -> str:
        return f"writes {self.channel.path} (needs no credentials)"

    def _media(self, variant: Variant) -> list[dict[str, Any]]:
        """The variant's media files with their addresses (none without ``media_url``)."""
        base = self.channel.media_url
        if not base:
            return []
        files: list[Media] = [m for part in variant.parts for m in part.media]
        return [
            {
                "url": str(base).rstrip("/") + "/" + quote(item.path.lstrip("/")),
                "alt": item.alt or "",
                "type": MIME.get(item.probed, "application/octet-stream"),
                "length": item.bytes,
                "video": item.is_video,
            }
            for item in files
        ]

    def _entry(self, variant: Variant) -> dict[str, Any]:
        project = self.context.project
        post = next((p for p in project.posts if p.id == variant.post), None)
        title = post.front.title if post else None
        if not title:  # the start of the text as read, not its HTML
            shown = shown_text(project, post, variant.channel) if post else variant.text
            first = next((line for line in shown.splitlines() if line.strip()), variant.post)
            title = first if len(first) <= 80 else first[:79].rstrip() + "…"
        published = (variant.publish_at or datetime.now(UTC)).astimezone(UTC)
        media = self._media(variant)
        content = "\n".join(part.text for part in variant.parts)
        images = [
            f'<p><img src="{html_attribute(m["url"])}" alt="{html_attribute(m["alt"])}"></p>'
            for m in media
            if not m["video"]
        ]
        entry: dict[str, Any] = {
            "id": f"urn:smmgen:{self.context.name}:{variant.post}",
            "title": title,
            "content": "\n".join([content, *images]),
            "link": variant.link,
            "published": published.isoformat(),
            "tags": list(variant.hashtags),
        }
        if media:
            entry["media"] = [{k: v for k, v in m.items() if k != "video"} for m in media]
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
            for item in entry.get("media") or []:  # older entries in the ledger have none
                attributes = {"rel": "enclosure", "href": str(item["url"]), "type": item["type"]}
                if item.get("length") is not None:
                    attributes["length"] = str(item["length"])
                if item.get("alt"):
                    attributes["title"] = str(item["alt"])
                ET.SubElement(node, _tag("link"), attributes)
            for tag in entry.get("tags") or []:
                ET.SubElement(node, _tag("category"), term=str(tag).lstrip("#"))
            ET.SubElement(node, _tag("content"), type="html").text = entry["content"]
        ET.indent(feed)
        data = ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"
        return {channel.path: data}
