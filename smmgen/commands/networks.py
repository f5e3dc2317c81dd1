"""``smmgen networks``: the registered network types, built-in and third-party.

The README's tables of channel types and of how each network counts are this
command's Markdown output, so they come from the registry too.
"""

from __future__ import annotations

from smmgen import registry
from smmgen.channels.base import Network, NetworkLimits
from smmgen.models.channels import NetworkChannel

# Keys every channel takes (the README says so once, above the table).
_COMMON = set(NetworkChannel.model_fields)


def settings_keys(network: Network) -> list[str]:
    """The keys of a channel of this type beyond those every channel takes."""
    return [key for key in network.settings.model_fields if key not in _COMMON | {"type"}]


def _number(value: int) -> str:
    return f"{value:,}" if value >= 10_000 else str(value)


def _size(count: int) -> str:
    mib = count / (1024 * 1024)
    if mib >= 1 and mib.is_integer():
        return f"{int(mib)} MB"
    return f"{count:,} bytes"


def limit_text(limits: NetworkLimits, unit: str) -> str:
    if limits.max_chars is None:
        return "none"
    parts = [f"{_number(limits.max_chars)} {unit}"]
    if limits.max_bytes is not None:
        parts.append(f"{_number(limits.max_bytes)} UTF-8 bytes")
    text = ", ".join(parts)
    if limits.caption_chars is not None:
        text += f"; {_number(limits.caption_chars)} as a caption with media"
    if limits.max_links is not None:
        text += f"; at most {limits.max_links} links"
    return text


def media_text(limits: NetworkLimits) -> str:
    if not limits.max_media:
        return "none"
    parts = [str(limits.max_media)]
    if limits.max_image_bytes is not None:
        parts.append(_size(limits.max_image_bytes))
    if limits.max_alt_chars is not None:
        parts.append(f"alt {limits.max_alt_chars}")
    return ", ".join(parts)


def _publishes(network: Network) -> str:
    return "yes" if network.driver else "not yet (adapted and checked only)"


def markdown() -> str:
    """The README's two tables: each type's keys, and each network's limits."""
    networks = registry.networks()
    out = ["| type | keys | publishes |", "|---|---|---|"]
    for network in networks:
        keys = ", ".join(f"`{key}`" for key in settings_keys(network)) or "(none)"
        out.append(f"| `{network.type}` | {keys} | {_publishes(network)} |")
    out += ["", "| network | counts | limit | media: count, image size, alt text |"]
    out.append("|---|---|---|---|")
    for network in networks:
        limit = limit_text(network.limits, network.unit)
        media = media_text(network.limits)
        out.append(f"| {network.title} | {network.counts} | {limit} | {media} |")
    return "\n".join(out) + "\n"


def text() -> str:
    """The same, for a terminal: one block per network."""
    out = []
    for network in registry.networks():
        out.append(f"{network.type} ({network.title})")
        out.append(f"  keys: {', '.join(settings_keys(network)) or '(none)'}")
        out.append(f"  counts: {network.counts}")
        out.append(f"  limit: {limit_text(network.limits, network.unit)}")
        out.append(f"  media: {media_text(network.limits)}")
        out.append(f"  publishes: {_publishes(network)}")
    return "\n".join(out) + "\n"
