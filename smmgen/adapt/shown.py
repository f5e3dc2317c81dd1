"""A post's text on a channel as the channel's readers will see it, for `plan`.

`plan` (its table, Markdown, JSON and iCalendar feed) shows what goes out, not
what was typed: the Markdown rendered (``**dashboard**`` is shown as
``dashboard``, a link as ``label (url)``) and each @name written as the
channel will mention them (``@jordan@fosstodon.example`` on Mastodon, the
person's name where they have no handle or the network no mentions). It is
the text of the channel's variant (:func:`smmgen.adapt.variants.build_variant`)
without building it: no link or hashtags appended, no thread split, no
template, and markup shown as read (Telegram's ``<b>`` and Discord's ``**``
are what those apps show bold). Thread parts are separated by a blank line.

A post's channels mostly share one text: it is rendered once for all of them
(:func:`smmgen.adapt.markdown.render` caches the rendering, with a slot per
mention filled in per channel), so this costs about one rendering per post.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from smmgen.adapt import markdown, threads
from smmgen.adapt.mentions import Mentions
from smmgen.channels.dialect import PLAIN
from smmgen.loader import workers
from smmgen.loader.posts import Post
from smmgen.project import Project
from smmgen.registry import network as network_of


def shown_mention(mentions: Mentions, name: str) -> str | None:
    """@``name`` as ``mentions``' channel shows it: the handle (with the
    network's prefix), the name a handle carries (a LinkedIn URN's), or the
    person's name; None for a name not in `people` (left as typed)."""
    if name not in mentions.people:
        return None
    network = mentions.network
    handle = mentions.handle(name)
    if handle is None or not network.mentions:
        return mentions.display_name(name)
    named = network.dialect.person_name(handle)
    if named:
        return named
    prefix = network.handle_prefix
    if prefix and not handle.startswith(prefix):
        handle = prefix + handle
    return handle


def render_shown(source: str, people: dict[str, dict[str, str]], channel: str, kind: str) -> str:
    """``source`` (Markdown) as the readers of ``channel`` (of network ``kind``) see it."""
    mentions = Mentions(people, channel, network_of(kind))

    def mention(name: str) -> str | None:
        return shown_mention(mentions, name)

    parts = threads.explicit_parts(source) or ("",)
    rendered = [markdown.render(part, PLAIN, mention) for part in parts]
    return "\n\n".join(text for text in rendered if text).strip()


def shown_text(project: Project, post: Post, channel: str) -> str:
    """``post``'s text on ``channel`` as its readers will see it (see the module)."""
    kind = project.channels[channel].type
    return render_shown(post.text_for(channel), project.people, channel, kind)


@dataclass(frozen=True)
class _Setup:
    """What a worker needs to render texts (picklable: see smmgen.loader.workers)."""

    people: dict[str, dict[str, str]]
    types: dict[str, str]  # a channel -> its network type


Unit = tuple[str, tuple[str, ...]]  # a text, and the channels to show it for


def _rendering(setup: _Setup) -> Callable[[Unit], list[str]]:
    def work(unit: Unit) -> list[str]:
        source, channels = unit
        return [render_shown(source, setup.people, c, setup.types[c]) for c in channels]

    return work


def shown_texts(project: Project, units: Sequence[Unit]) -> list[list[str]]:
    """Each unit's text as each of its channels' readers see it, in order: on
    every core when there are many (parsing Markdown costs about 0.1 ms a text)."""
    from smmgen.text import warm_up

    setup = _Setup(project.people, {name: c.type for name, c in project.channels.items()})
    if len(units) >= workers.PARALLEL_FROM and workers.workers() >= 2:
        warm_up()  # compile the big patterns once, before workers fork
    return workers.each_file(_rendering, setup, list(units))
