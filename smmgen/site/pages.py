"""The pages, rendered from the site's state: the post list, a post as each
network shows it, the month and the week of the calendar. The server and the
static site render the same pages; only the server adds the live script."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property, lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from smmgen.adapt.budget import item_price, money
from smmgen.adapt.variants import Variant
from smmgen.findings import Finding
from smmgen.loader.posts import Post
from smmgen.models.timing import Calendar
from smmgen.registry import network
from smmgen.site import agenda, paths
from smmgen.site.cards import part_html
from smmgen.site.listed import Listed
from smmgen.site.state import SiteState
from smmgen.site.status import STATUSES, ChannelStatus, channel_statuses
from smmgen.text.direction import direction


@lru_cache(maxsize=512)
def lang_dir(language: str | None) -> Markup:
    """The ``lang`` and ``dir`` attributes of user text: ``dir="auto"`` when its
    language is not known, so the browser takes its direction from the text."""
    if not language:
        return Markup(' dir="auto"')
    return Markup(' lang="{}" dir="{}"').format(language, direction(language))


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("smmgen", "site/templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # the package's templates: never read twice
    )
    env.filters["lang_dir"] = lang_dir
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
    post: Listed
    statuses: list[ChannelStatus]

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


def _local(when: datetime) -> str:
    return when.strftime("%a %Y-%m-%d %H:%M")


def _utc(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def chip_html(s: ChannelStatus) -> str:
    """One channel's status in the list (written here, not in a template: the
    list of 10,000 posts has 60,000 of them)."""
    channel = escape(s.channel)
    if s.url:
        state = f'<a href="{escape(s.url)}" rel="noopener">{s.status}</a>'
    elif s.reason:
        state = f'<span title="{escape(s.reason)}">{s.status}</span>'
    else:
        state = s.status
    errors = ""
    if s.errors:
        errors = f' <span class="errors">{s.errors} error{"s" if s.errors != 1 else ""}</span>'
    return (
        f'<li class="chip status-{s.status}{" has-errors" if s.errors else ""}"'
        f' data-channel="{channel}" data-status="{s.status}">'
        f"<b>{channel}</b> {state}{errors}</li>"
    )


def row_html(row: Row, page: str) -> str:
    post = row.post
    attrs = lang_dir(post.language)
    campaign = post.campaign or ""
    if row.first is not None:
        when = (
            f'<time datetime="{row.first.isoformat()}">{_local(row.first)}</time>'
            f"<br><small>{_utc(row.first)}</small>"
        )
    else:
        when = "<small>unscheduled</small>"
    tag = f' <span class="campaign">{escape(campaign)}</span>' if campaign else ""
    link = escape(paths.href(page, paths.post_page(post.id)))
    chips = "".join(chip_html(s) for s in row.statuses)
    return (
        f'<tr data-post="{escape(post.id)}" data-campaign="{escape(campaign)}"'
        f' data-people="{escape(" ".join(post.people))}" data-pairs="{escape(row.pairs)}">'
        f'<td class="when">{when}</td>'
        f'<td class="what"><a href="{link}"{attrs}>{escape(post.title)}</a>{tag}'
        f'<div class="excerpt"{attrs}>{escape(post.excerpt)}</div></td>'
        f'<td><ul class="chips">{chips}</ul></td></tr>\n'
    )


class Pages:
    def __init__(self, state: SiteState, *, live: bool = False):
        self.state = state
        self.live = live
        self.env = _environment()
        # the months and weeks the static site has (None: the server has every
        # one): its calendar links only to those
        self.months: list[tuple[int, int]] | None = None
        self.weeks: list[date] | None = None

    def warm_up(self) -> None:
        """Compile every template now (before `build`'s workers fork)."""
        for name in ("list.html", "post.html", "calendar.html"):
            self.env.get_template(name)

    def _month_written(self, year: int, number: int) -> bool:
        return self.months is None or (year, number) in self.months

    def _near_month(self, year: int, number: int, step: int) -> tuple[int, int] | None:
        """The month before (``step`` -1) or after (1), or the nearest written one."""
        if self.months is None:
            if step < 0:
                return (year - 1, 12) if number == 1 else (year, number - 1)
            return (year + 1, 1) if number == 12 else (year, number + 1)
        if step < 0:
            return max((m for m in self.months if m < (year, number)), default=None)
        return min((m for m in self.months if m > (year, number)), default=None)

    def _near_week(self, start: date, step: int) -> date | None:
        if self.weeks is None:
            return start + timedelta(days=7 * step)
        if step < 0:
            return max((w for w in self.weeks if w < start), default=None)
        return min((w for w in self.weeks if w > start), default=None)

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
        calendar = Calendar(project.calendar)
        rows = []
        for post in state.listed():
            rows.append(Row(post, state.statuses(post, calendar, now)))
        far = datetime.max.replace(tzinfo=UTC)
        rows.sort(key=lambda r: (r.first is None, (r.first or far).astimezone(UTC), r.post.id))
        return rows

    def post_list(self) -> str:
        rows = self.rows()
        project = self.state.project
        channels = [n for n, c in project.channels.items() if c.enabled]
        campaigns = sorted({r.post.campaign for r in rows if r.post.campaign})
        return self._render(
            "list.html",
            paths.LIST,
            rows=rows,
            rows_html=Markup("".join(row_html(r, paths.LIST) for r in rows)),
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
            if avatar and not (project.root / avatar).is_file():
                avatar = None  # a neutral placeholder rather than a broken picture
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
        return self.render_calendar(*self.month_context(found, year, number))

    def week_page(self, found: agenda.Agenda, day: date) -> str:
        return self.render_calendar(*self.week_context(found, day))

    def render_calendar(self, page: str, context: dict[str, Any]) -> str:
        return self._render("calendar.html", page, **context)

    @staticmethod
    def context_key(page: str, context: dict[str, Any]) -> str:
        """A calendar page's content by digest: the same key, the same page (for
        the same project and templates: smmgen.site.buildcache)."""
        rest = sorted((k, v) for k, v in context.items() if k != "weeks")
        shown = f"{page}\n{rest!r}\n{agenda.token(context['weeks'])}"
        return hashlib.blake2b(shown.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

    def month_context(
        self, found: agenda.Agenda, year: int, number: int
    ) -> tuple[str, dict[str, Any]]:
        page = paths.month_page(year, number)
        before = self._near_month(year, number, -1)
        after = self._near_month(year, number, 1)
        in_month = (year, number) == (found.today.year, found.today.month)
        week = paths.week_start(found.today if in_month else date(year, number, 1))
        if self.weeks is not None and week not in self.weeks:
            week = min((w for w in self.weeks if w >= week), default=self.weeks[-1])
        return page, {
            "view": "month",
            "heading": date(year, number, 1).strftime("%B %Y"),
            "weeks": agenda.month(self.state, found, year, number),
            "previous": paths.month_page(*before) if before else None,
            "next": paths.month_page(*after) if after else None,
            "other": paths.week_page(week),
            "freeze": found.freeze,
        }

    def week_context(self, found: agenda.Agenda, day: date) -> tuple[str, dict[str, Any]]:
        start = paths.week_start(day)
        page = paths.week_page(start)
        before, after = self._near_week(start, -1), self._near_week(start, 1)
        month = (start.year, start.month)
        if not self._month_written(*month):  # the week begins in the month before
            end = start + timedelta(days=6)
            month = (end.year, end.month)
        return page, {
            "view": "week",
            "heading": f"Week of {start.isoformat()}",
            "weeks": [agenda.week(self.state, found, start)],
            "previous": paths.week_page(before) if before else None,
            "next": paths.week_page(after) if after else None,
            "other": paths.month_page(*month),
            "freeze": found.freeze,
        }
