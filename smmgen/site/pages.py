"""The pages, rendered from the site's state: the post list, a post as each
network shows it, the month and the week of the calendar. The server and the
static site render the same pages; only the server adds the live script."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from smmgen.adapt.budget import item_price, money
from smmgen.adapt.markdown import MENTION
from smmgen.adapt.variants import Variant
from smmgen.findings import Finding
from smmgen.loader.posts import Post
from smmgen.registry import network
from smmgen.site import agenda, paths
from smmgen.site.cards import part_html
from smmgen.site.state import SiteState
from smmgen.site.status import STATUSES, ChannelStatus, channel_statuses
from smmgen.text.direction import direction

EXCERPT = 140  # characters of a post's text in the list and the calendar
_MARKUP = re.compile(r"[*_`#>\[\]]+|\(https?://[^)]*\)")


def lang_dir(language: str | None) -> Markup:
    """The ``lang`` and ``dir`` attributes of user text: ``dir="auto"`` when its
    language is not known, so the browser takes its direction from the text."""
    if not language:
        return Markup(' dir="auto"')
    return Markup(' lang="{}" dir="{}"').format(language, direction(language))


def excerpt(text: str, width: int = EXCERPT) -> str:
    flat = " ".join(_MARKUP.sub("", text).split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("smmgen", "site/templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["lang_dir"] = lang_dir
    env.filters["excerpt"] = excerpt
    env.filters["local"] = lambda when: when.strftime("%a %Y-%m-%d %H:%M")
    env.filters["utc"] = lambda when: when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    env.filters["iso"] = lambda when: when.isoformat()
    env.filters["money"] = money
    return env


@dataclass
class Card:
    """One channel's variant as its network shows it."""

    variant: Variant
    status: ChannelStatus | None
    title: str  # the network's name
    account: str  # the name on the card
    avatar: str | None  # the avatar's page path, when channels.yaml gives one
    parts: list[Markup]
    link_card: bool
    price: str | None
    over: bool


@dataclass
class Row:
    post: Post
    title: str
    text: str
    statuses: list[ChannelStatus]
    people: list[str]

    @cached_property
    def pairs(self) -> str:
        """Each channel with its status, for the filter: ``x:due x:findings``."""
        out = []
        for s in self.statuses:
            out.append(f"{s.channel}:{s.status}")
            if s.errors:
                out.append(f"{s.channel}:findings")
        return " ".join(out)

    @cached_property
    def first(self) -> datetime | None:
        times = [s.at for s in self.statuses if s.at is not None]
        return min(times, key=lambda t: t.astimezone(UTC)) if times else None


class Pages:
    def __init__(self, state: SiteState, *, live: bool = False):
        self.state = state
        self.live = live
        self.env = _environment()
        # the first and last month written (the static site): no link goes beyond
        self.bounds: tuple[tuple[int, int], tuple[int, int]] | None = None

    def _month_written(self, year: int, number: int) -> bool:
        return self.bounds is None or self.bounds[0] <= (year, number) <= self.bounds[1]

    def _week_written(self, start: date) -> bool:
        if self.bounds is None:
            return True
        (y0, m0), (y1, m1) = self.bounds
        last = date(y1 + (m1 == 12), m1 % 12 + 1, 1) - timedelta(days=1)
        return paths.week_start(date(y0, m0, 1)) <= start <= last

    def _render(self, name: str, page: str, **context: Any) -> str:
        state = self.state
        return self.env.get_template(name).render(
            page=page,
            root=paths.up(page),
            href=lambda target: paths.href(page, target),
            paths=paths,
            live=self.live,
            version=state.version,
            project_findings=state.findings(None),
            broken=state.broken(),
            ledger_note=state.ledger_note,
            tz=state.project.calendar.timezone,
            **context,
        )

    # -- the list -----------------------------------------------------------

    def rows(self) -> list[Row]:
        state = self.state
        project = state.project
        now = state.now()
        people = set(project.people)
        rows = []
        for post in project.posts:
            statuses = channel_statuses(project, post, now, state.ledger, state.counts(post.file))
            mentioned = sorted({m for m in MENTION.findall(post.body) if m in people})
            title = post.front.title or post.id
            rows.append(Row(post, title, post.body, statuses, mentioned))
        far = datetime.max.replace(tzinfo=UTC)
        rows.sort(key=lambda r: (r.first is None, (r.first or far).astimezone(UTC), r.post.id))
        return rows

    def post_list(self) -> str:
        rows = self.rows()
        project = self.state.project
        channels = [n for n, c in project.channels.items() if c.enabled]
        campaigns = sorted({r.post.front.campaign for r in rows if r.post.front.campaign})
        return self._render(
            "list.html",
            paths.LIST,
            rows=rows,
            channels=channels,
            campaigns=campaigns,
            people=sorted(project.people),
            statuses=STATUSES,
            checking=self.state.checked is None,
        )

    # -- a post -------------------------------------------------------------

    def cards(self, post: Post) -> list[Card]:
        state = self.state
        project = state.project
        statuses = {
            s.channel: s
            for s in channel_statuses(
                project, post, state.now(), state.ledger, state.counts(post.file)
            )
        }
        cards = []
        for variant in state.variants(post):
            net = network(variant.network)
            channel = project.channels[variant.channel]
            avatar = getattr(channel, "avatar", None)
            price = item_price(variant)
            cards.append(
                Card(
                    variant=variant,
                    status=statuses.get(variant.channel),
                    title=net.title,
                    account=getattr(channel, "display_name", None) or variant.channel,
                    avatar=paths.media_path(avatar) if avatar else None,
                    parts=[
                        part_html(p.text, net, facets=p.facets, html=variant.dialect == "html")
                        for p in variant.parts
                    ],
                    link_card=bool(net.link_card and variant.link)
                    and not any(p.media for p in variant.parts),
                    price=money(price) if price is not None else None,
                    over=variant.limit is not None
                    and any(p.length > variant.limit for p in variant.parts),
                )
            )
        return cards

    def post_page(self, post: Post) -> str:
        page = paths.post_page(post.id)
        found = self.state.findings(post.file)
        return self._render(
            "post.html",
            page,
            post=post,
            title=post.front.title or post.id,
            cards=self.cards(post),
            findings=found,
            language=post.front.language or self.state.project.config.defaults.language,
        )

    def broken_page(self, post_id: str, file: str, findings: list[Finding]) -> str:
        """The page of a post whose file cannot be loaded now: why."""
        return self._render(
            "post.html",
            paths.post_page(post_id),
            post=None,
            post_id=post_id,
            file=file,
            title=post_id,
            cards=[],
            findings=findings,
            language=None,
        )

    # -- the calendar -------------------------------------------------------

    def month_page(self, found: agenda.Agenda, year: int, number: int) -> str:
        page = paths.month_page(year, number)
        prev_month = (year - 1, 12) if number == 1 else (year, number - 1)
        next_month = (year + 1, 1) if number == 12 else (year, number + 1)
        in_month = (year, number) == (found.today.year, found.today.month)
        return self._render(
            "calendar.html",
            page,
            view="month",
            heading=date(year, number, 1).strftime("%B %Y"),
            weeks=agenda.month(self.state, found, year, number),
            previous=paths.month_page(*prev_month) if self._month_written(*prev_month) else None,
            next=paths.month_page(*next_month) if self._month_written(*next_month) else None,
            other=paths.week_page(found.today if in_month else date(year, number, 1)),
            freeze=found.freeze,
        )

    def week_page(self, found: agenda.Agenda, day: date) -> str:
        start = paths.week_start(day)
        page = paths.week_page(start)
        before, after = start - timedelta(days=7), start + timedelta(days=7)
        month = (start.year, start.month)
        if not self._month_written(*month):  # the week begins in the month before
            month = (after.year, after.month) if self.bounds is None else self.bounds[0]
        return self._render(
            "calendar.html",
            page,
            view="week",
            heading=f"Week of {start.isoformat()}",
            weeks=[agenda.week(self.state, found, start)],
            previous=paths.week_page(before) if self._week_written(before) else None,
            next=paths.week_page(after) if self._week_written(after) else None,
            other=paths.month_page(*month),
            freeze=found.freeze,
        )
