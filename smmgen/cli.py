"""The command line. Thin by design: each command parses its options, calls a
plain function in the core (imported when the command runs, so ``--help`` is
fast), and turns smmgen's errors into messages and exit codes:
0 success, 1 errors found or a failure, 2 usage error."""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import threading
from collections.abc import Callable
from datetime import UTC
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import click

from smmgen import __version__

if TYPE_CHECKING:
    from smmgen.commands.lock import Index

F = TypeVar("F", bound=Callable[..., Any])
LedgerKind = Literal["auto", "git", "local"]

FORMAT_HELP = "text for people, json for programs (stable, with schema_version)"
AT_HELP = (
    "Judge as if it were this time: 'YYYY-MM-DD HH:MM' (calendar time zone) or ISO 8601"
    " with an offset. Default: now (or $SMMGEN_AT)."
)


def _root(ctx: click.Context) -> Path:
    from smmgen.project import find_root, require_project

    given: Path | None = ctx.obj.get("root")
    return require_project(given) if given else find_root()


def handle_errors(func: F) -> F:
    """Turn smmgen's errors into a message on stderr and the documented exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from smmgen.cilog import log_safe
        from smmgen.errors import SmmgenError
        from smmgen.secrets import REDACTOR

        try:
            return func(*args, **kwargs)
        except SmmgenError as exc:
            click.echo(log_safe(REDACTOR.text(f"error: {exc}")), err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:
            if os.environ.get("SMMGEN_DEBUG"):
                raise
            click.echo(
                log_safe(REDACTOR.text(f"internal error: {type(exc).__name__}: {exc}\n"))
                + "This is a bug in smmgen; please report it with the command you ran"
                " (set SMMGEN_DEBUG=1 to see the traceback).",
                err=True,
            )
            sys.exit(1)

    return cast("F", wrapper)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Project directory (default: the nearest parent with channels.yaml).",
)
@click.version_option(__version__, prog_name="smmgen")
@click.pass_context
def cli(ctx: click.Context, root: Path | None) -> None:
    """smmgen: social media as code.

    Posts are Markdown files with front matter in content/; channels.yaml says
    where they go and calendar.yaml when. smmgen checks them against each
    network's rules and your policy before they are merged.
    """
    ctx.ensure_object(dict)
    ctx.obj["root"] = root


GC_YOUNG_THRESHOLD = 100_000  # objects: see _fewer_collections


def _fewer_collections() -> None:
    """Let the cyclic garbage collector run less often: check builds many small
    objects that live to its end (the cache's entries, each post's results), and
    every collection would look at them again (a third of a run with the cache).
    Garbage is still collected (every GC_YOUNG_THRESHOLD new objects), so memory
    stays bounded; worker processes inherit the setting."""
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help=f"{FORMAT_HELP}; github prints workflow annotations with file and line.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
@click.option("--at", metavar="WHEN", help=AT_HELP)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Check every file afresh (a whole-project check reuses results of unchanged files"
    " from .smmgen/cache).",
)
@click.pass_context
@handle_errors
def check(
    ctx: click.Context,
    paths: tuple[Path, ...],
    fmt: str,
    strict: bool,
    at: str | None,
    no_cache: bool,
) -> None:
    """Validate configuration, posts and policy.

    Checks channels.yaml, calendar.yaml and every post (or only the posts under
    PATHS), and reports every problem with its file, line and key. Exit code 1
    when there are errors (or warnings, with --strict).
    """
    _fewer_collections()
    from smmgen.check import run_check
    from smmgen.report import findings as render
    from smmgen.report.console import ProgressLine, use_color

    progress = ProgressLine("loading posts") if fmt == "text" else None
    try:
        report = run_check(
            _root(ctx), paths, strict=strict, progress=progress, at=at, use_cache=not no_cache
        )
    finally:
        if progress:
            progress.close()
    if fmt == "json":
        click.echo(render.as_json(report))
    elif fmt == "github":
        click.echo(render.as_github(report))
    else:
        click.echo(render.as_text(report, color=use_color()))
    sys.exit(0 if report.ok else 1)


@cli.command()
@click.argument("post")
@click.option("--channel", metavar="NAME", help="Only this channel.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", help=FORMAT_HELP
)
@click.pass_context
@handle_errors
def show(ctx: click.Context, post: str, channel: str | None, fmt: str) -> None:
    """Print one post's variants exactly as they will be sent.

    POST is a post id or a file path. For each channel: the text (or thread
    parts), media with alt text, the length against the network's limit, the
    time in the calendar's zone and UTC, and any problem.
    """
    from smmgen.commands.show import show_post
    from smmgen.report import variants as render
    from smmgen.report.console import use_color

    found, variants = show_post(_root(ctx), post, channel)
    if fmt == "json":
        click.echo(render.as_json(found, variants))
    else:
        click.echo(render.as_text(found, variants, color=use_color()))


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output directory (default: _site in the project).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Build every post afresh (a build keeps the files of posts that have not"
    " changed since the last build into the same folder, as .smmgen/cache records).",
)
@click.pass_context
@handle_errors
def build(ctx: click.Context, out: Path | None, no_cache: bool) -> None:
    """Write the preview as a static site, and every variant as JSON.

    OUT/index.html lists the posts; OUT/posts/<post id>/ shows each as every
    channel's card, OUT/calendar/ the calendar by month and week: the pages
    `smmgen serve` shows, with the media they show copied into OUT and only
    relative links, so OUT works wherever it is put (GitHub Pages, a pull
    request's artifact). OUT/variants/<post id>/<channel>.json holds each
    variant (text, parts, lengths, limit, facets, media, warnings);
    OUT/variants.json indexes them.

    A post whose file, media, configuration and status have not changed since
    the last build into OUT keeps the files it has there; files of posts that
    are gone are removed.
    """
    from smmgen.commands.build import build as run_build
    from smmgen.report.console import ProgressLine

    progress = ProgressLine("building")
    try:
        result = run_build(_root(ctx), out, progress, use_cache=not no_cache)
    finally:
        progress.close()
    from smmgen.cilog import one_line
    from smmgen.report.findings import plural

    variants = plural(result.variants, "variant")
    kept = f" ({result.reused} unchanged since the last build)" if result.reused else ""
    click.echo(
        f"wrote {variants} of {plural(result.posts, 'post')} to {result.out.as_posix()}{kept}"
    )
    if result.removed:
        click.echo(f"removed {plural(result.removed, 'file')} that no post shows any more")
    if result.with_errors:
        click.echo(
            f"{plural(result.with_errors, 'variant')}"
            f" {'has' if result.with_errors == 1 else 'have'} problems a network would refuse:"
            " run `smmgen check`",
            err=True,
        )
    if result.unloaded:
        click.echo(
            f"error: {plural(len(result.unloaded), 'post file')} could not be loaded and"
            f" {'has' if len(result.unloaded) == 1 else 'have'} no variants"
            f" ({', '.join(map(one_line, result.unloaded[:3]))}"
            f"{', ...' if len(result.unloaded) > 3 else ''}):"
            " run `smmgen check`",
            err=True,
        )
        sys.exit(1)


@cli.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=1313,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; only loopback unless you mean to share the preview.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in the web browser.")
@click.option("--at", help=AT_HELP)
@click.pass_context
@handle_errors
def serve(ctx: click.Context, port: int, host: str, open_browser: bool, at: str | None) -> None:
    """Preview every post as each network shows it, live while you edit.

    Serves three pages on http://HOST:PORT/: the posts with where each stands on
    each channel (filter by channel, campaign, person and status), each post as
    every channel's card (text, links, media with alt text, thread parts,
    length against the limit, X's price, findings with file and line), and the
    calendar by month and week (blackouts, the freeze, campaigns, free slots).
    A saved file updates the open page within a moment, without reloading; a
    file with errors shows them, and the page recovers when it is fixed.
    `smmgen build` writes the same pages as a static site.
    """
    from smmgen.commands.serve import serve as run_serve

    def log(line: str) -> None:
        click.echo(line, err=True)

    run_serve(_root(ctx), host, port, open_browser=open_browser, at=at, log=log)


@cli.command()
@click.option(
    "--from", "start", metavar="WHEN", help="First day or time (default: now, less max_lateness)."
)
@click.option("--to", "end", metavar="WHEN", help="Last day or time (default: no end).")
@click.option("--at", metavar="WHEN", help=AT_HELP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "markdown", "ics"]),
    default="table",
    show_default=True,
    help="table for people, json for programs, markdown for a pull request, ics for a"
    " calendar app.",
)
@click.pass_context
@handle_errors
def plan(ctx: click.Context, start: str | None, end: str | None, at: str | None, fmt: str) -> None:
    """Show what goes out when, per channel, in local time and UTC.

    Each scheduled variant with its status: scheduled, due (its time has come),
    blocked (a blackout or a freeze), missed (later than max_lateness) or draft,
    and its text as the channel's readers will see it (Markdown rendered, @names
    as the channel mentions them). --format ics writes an iCalendar feed a team
    can subscribe to: one event per post and time, listing its channels.
    """
    from smmgen.commands.plan import make_plan
    from smmgen.report import plan as render
    from smmgen.report.console import use_color

    result = make_plan(_root(ctx), start, end, at)
    if fmt == "ics":
        sys.stdout.buffer.write(render.as_ics(result.items, result.timezone, result.now))
    elif fmt == "json":
        click.echo(render.as_json(result.items, result.timezone, result.now))
    elif fmt == "markdown":
        click.echo(render.as_markdown(result.items, result.timezone))
    else:
        click.echo(render.as_table(result.items, result.timezone, color=use_color()))


@cli.command()
@click.argument("posts", nargs=-1)
@click.option("--at", metavar="WHEN", help=AT_HELP)
@click.option("--dry-run", is_flag=True, help="Print the slots without changing any file.")
@click.pass_context
@handle_errors
def schedule(ctx: click.Context, posts: tuple[str, ...], at: str | None, dry_run: bool) -> None:
    """Give unscheduled posts the next free calendar slots.

    Without POSTS (ids or file paths): every post without publish_at that is not
    a draft. Slots come from calendar.yaml (per channel, else default), after
    now, outside blackouts, at least min_gap from other posts on the same
    channels. Only the publish_at line of each file changes.
    """
    from smmgen.cilog import one_line
    from smmgen.commands.schedule import run_schedule

    result = run_schedule(_root(ctx), list(posts), at=at, dry_run=dry_run)
    verb = "would get" if dry_run else "gets"
    for item in result.assigned:
        when = item.at.strftime("%Y-%m-%d %H:%M %Z")
        utc = item.at.astimezone(UTC).strftime("%H:%M")
        channels = ", ".join(item.post.channels)
        click.echo(
            one_line(f"{item.post.file}: {verb} publish_at {when} ({utc} UTC) on {channels}")
        )
    for file in result.already:
        click.echo(f"{one_line(file)}: already scheduled; unchanged")
    for failure in result.failed:
        reason = one_line(f"{failure.post.file}: cannot be scheduled: {failure.reason}")
        click.echo(f"error: {reason}", err=True)
    if not result.assigned and not result.failed and not result.already:
        click.echo("nothing to schedule: every post has a publish_at (or is a draft)")
    sys.exit(1 if result.failed else 0)


@cli.command()
@click.argument("title")
@click.option(
    "--at",
    metavar="WHEN",
    help="Publish time: 'YYYY-MM-DD HH:MM' (calendar time zone) or ISO 8601 with offset."
    " Without it the post is unscheduled.",
)
@click.option(
    "--channels",
    metavar="A,B",
    help="Comma-separated channel names, or 'all' (default: defaults.channels).",
)
@click.option(
    "--draft/--no-draft",
    default=True,
    show_default=True,
    help="Mark the post as a draft (checked, never published).",
)
@click.pass_context
@handle_errors
def new(ctx: click.Context, title: str, at: str | None, channels: str | None, draft: bool) -> None:
    """Create a post file with an explicit id.

    Writes content/YYYY/MM/<date>-<slug>.md with the title, and publish_at and
    channels when given. The explicit id keeps the post's identity if you
    rename or move the file later. The slug is the title in ASCII, letters of
    any script transliterated ("Spotkanie w Łodzi" -> spotkanie-w-lodzi). An
    id another post has already is never reused: the next free one (-2) is
    taken, and new says so.
    """
    from smmgen.commands.new import new_post

    root = _root(ctx)
    names = [c.strip() for c in channels.split(",") if c.strip()] if channels else None
    created = new_post(root, title, at=at, channels=names, draft=draft)
    click.echo(f"created {created.path.relative_to(root).as_posix()}")
    if created.note:
        click.echo(created.note)
    if draft:
        click.echo("it is a draft: set 'draft: false' when it is ready to publish")


@cli.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--timezone",
    metavar="ZONE",
    help="IANA time zone for calendar.yaml (default: this machine's, else UTC).",
)
@click.option(
    "--lock/--no-lock",
    default=None,
    help="Also write .github/smmgen/requirements.txt: smmgen and every dependency pinned"
    " with hashes (resolved by uv), which the workflows install with --require-hashes."
    " With --upgrade: --no-lock goes back to a plain pin.",
)
@click.option(
    "--python",
    metavar="X.Y",
    help="The Python the workflows run and the lock is resolved for (default: 3.12;"
    " with --upgrade: the workflows' own).",
)
@click.option("--index-url", metavar="URL", help="--lock: resolve from this package index.")
@click.option(
    "--find-links",
    metavar="DIR",
    multiple=True,
    help="--lock: also look for packages in this folder or page (repeatable).",
)
@click.option("--no-index", is_flag=True, help="--lock: use --find-links only, no index.")
@click.option(
    "--upgrade",
    is_flag=True,
    help="Rewrite the workflows (and the lock) of an existing project for this version of"
    " smmgen. Shows the diff first; refuses to overwrite edited files without --force.",
)
@click.option("--force", is_flag=True, help="--upgrade: overwrite files with local edits too.")
@click.option(
    "--yes",
    "-y",
    is_flag=True,
    help="--upgrade: write without asking (needed when not a terminal).",
)
@handle_errors
def init(
    directory: Path,
    timezone: str | None,
    lock: bool | None,
    python: str | None,
    index_url: str | None,
    find_links: tuple[str, ...],
    no_index: bool,
    upgrade: bool,
    force: bool,
    yes: bool,
) -> None:
    """Create a content repository in DIRECTORY (default: here).

    Writes channels.yaml, calendar.yaml, an example post, templates/, media/,
    .gitattributes, .gitignore and the GitHub workflows (.github/workflows/:
    check.yml reviews pull requests, publish.yml publishes what is due).
    Never overwrites a file.

    The workflows install exactly this version of smmgen (smmgen==X.Y.Z), or
    with --lock a requirements file with hashes. `smmgen init --upgrade` moves
    an existing project's workflows to the version you run (README: "Which
    smmgen the workflows run").
    """
    from smmgen.commands.init import init_project
    from smmgen.commands.lock import Index
    from smmgen.errors import UsageError
    from smmgen.workflows import DEFAULT_PYTHON, is_release

    index = Index(index_url, find_links, no_index)
    if not upgrade:
        if force or yes:
            raise UsageError("--force and --yes go with --upgrade")
        if lock is False:
            raise UsageError("--no-lock goes with --upgrade (init pins without a lock anyway)")
    if index != Index() and not lock and not upgrade:
        raise UsageError("--index-url, --find-links and --no-index go with --lock")
    if upgrade:
        if timezone is not None:
            raise UsageError("--timezone goes with a new project, not --upgrade")
        _upgrade(directory, lock=lock, python=python, index=index, force=force, yes=yes)
        return
    written = init_project(
        directory, timezone=timezone, lock=index if lock else None, python=python or DEFAULT_PYTHON
    )
    click.echo(f"created a smmgen project in {directory}:")
    for path in written:
        click.echo(f"  {path.relative_to(directory).as_posix()}")
    how = "smmgen and its dependencies, with hashes" if lock else f"smmgen=={__version__}"
    click.echo(f"the workflows install {how}")
    if not is_release(__version__):
        click.echo(
            f"warning: {__version__} is a development version, which the package index does"
            " not have: install a release and run `smmgen init --upgrade` before pushing",
            err=True,
        )
    click.echo(
        "next: edit channels.yaml, then run `smmgen check`; once the repository is pushed,"
        " create the ledger with `smmgen ledger init` (README: Setting it up)"
    )


def _upgrade(
    directory: Path,
    *,
    lock: bool | None,
    python: str | None,
    index: Index,
    force: bool,
    yes: bool,
) -> None:
    from smmgen.commands.init import apply_upgrade, plan_upgrade
    from smmgen.errors import SmmgenError

    upgrade = plan_upgrade(directory, lock=lock, python=python, index=index)
    for path in upgrade.kept_absent:
        click.echo(f"{path}: not there, left out (you removed it; `smmgen init` writes it)")
    if not upgrade.changes:
        click.echo(f"the workflows are up to date for smmgen {__version__}")
        return
    for change in upgrade.changes:
        click.echo(change.diff(), nl=False)
    conflicts = upgrade.conflicts
    if conflicts and not force:
        shown = ", ".join(c.path for c in conflicts)
        raise SmmgenError(
            f"{shown}: edited since smmgen wrote it (or written before smmgen pinned its"
            " workflows); the diff above shows what the upgrade would undo. Carry your edits"
            " over by hand after `smmgen init --upgrade --force`, or keep the file as it is"
        )
    if not yes:
        if not sys.stdin.isatty():
            click.echo("nothing written: run again with --yes to write these changes")
            return
        if not click.confirm(f"write these changes for smmgen {__version__}?", default=False):
            click.echo("nothing written")
            return
    apply_upgrade(directory, upgrade)
    for change in upgrade.changes:
        click.echo(f"{'removed' if change.new is None else 'wrote'} {change.path}")
    click.echo(f"the workflows now install smmgen {__version__} ({upgrade.mode.value})")


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown"]),
    default="text",
    show_default=True,
    help="text for people, markdown for the README's tables.",
)
@handle_errors
def networks(fmt: str) -> None:
    """List the network types channels can have: smmgen's and those of
    installed packages (the smmgen.channels entry points), with each type's
    keys in channels.yaml, its length limit, its media limits, and whether
    smmgen publishes to it yet."""
    from smmgen.commands import networks as listing

    click.echo(listing.markdown() if fmt == "markdown" else listing.text(), nl=False)


@cli.command()
@click.argument("name", required=False, type=click.Choice(["front-matter", "channels", "calendar"]))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write <name>.schema.json files into this directory instead of printing.",
)
@handle_errors
def schema(name: str | None, out: Path | None) -> None:
    """Print JSON Schemas for front matter, channels.yaml and calendar.yaml.

    With NAME, prints that one schema; without, a JSON object of all three by
    name. Point your editor at them for completion and validation (README).
    """
    from smmgen.commands import schema as schemas

    if out is not None:
        for path in schemas.write_schemas(out, name):
            click.echo(f"wrote {path.as_posix()}")
        return
    from smmgen.cilog import json_for_log

    document = schemas.schema(name) if name else schemas.all_schemas()
    click.echo(json_for_log(document))


@cli.command()
@click.option(
    "--changed-since",
    "ref",
    metavar="REF",
    help="Only posts added or changed since this git ref (e.g. origin/main, the pull"
    " request's base), compared with the working tree. Default: every post.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
    help="markdown: the pull-request comment (GitHub-flavoured, at most 65,536 characters);"
    " json for programs (with schema_version).",
)
@click.option("--at", metavar="WHEN", help=AT_HELP)
@click.pass_context
@handle_errors
def preview(ctx: click.Context, ref: str | None, fmt: str, at: str | None) -> None:
    """Show what a pull request changes, as each network will show it.

    For each post added or changed since REF: every channel's variant exactly
    as it will be sent (thread parts in order, media with alt text, the link
    card), its length against the limit, its schedule in local time and UTC,
    and every `check` finding. Warns when a post is already published (edits
    are not re-posted) and when a renamed post lost its id (it would be
    published again). The first line is a marker for a sticky comment.
    """
    from smmgen.cilog import json_for_log
    from smmgen.commands.preview import make_preview, preview_json
    from smmgen.loading import load_project
    from smmgen.report.preview import as_markdown

    project = load_project(_root(ctx), at=at, strict=True)
    result = make_preview(project, ref)
    if fmt == "json":
        click.echo(json_for_log(preview_json(result)))
    else:
        click.echo(as_markdown(result), nl=False)


CHANNELS_OPTION = click.option(
    "--channel", "channels", multiple=True, metavar="NAME", help="Only this channel (repeatable)."
)
POSTS_OPTION = click.option(
    "--post", "posts", multiple=True, metavar="ID", help="Only this post id (repeatable)."
)
TEXT_OR_JSON = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help=FORMAT_HELP,
)
LEDGER_OPTION = click.option(
    "--ledger",
    "ledger_kind",
    type=click.Choice(["auto", "git", "local"]),
    help="Where the ledger is: git (a branch of the remote), local (a directory), or auto"
    " (git when the repository has the remote). Default: channels.yaml ledger.store.",
)


class StopOnSignal:
    """While a publish run is on, SIGINT and SIGTERM stop it without losing a
    record: the first sets ``event`` (the run starts no new request, records
    the one in flight, flushes the ledger and reports); any later one is only
    acknowledged, so the shutdown cannot be cut short. Handlers are installed
    in the main thread only, and the previous ones restored on exit."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signum: int | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> StopOnSignal:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name if self.signum else ""

    @property
    def exit_code(self) -> int | None:
        """128 + the signal's number (130 for SIGINT, 143 for SIGTERM), if one came."""
        return 128 + self.signum if self.signum else None

    def _handle(self, signum: int, frame: object) -> None:
        # only the first signal sets the event (a nested call would wait on its lock)
        if self.signum is None:
            self.signum = signum
            message = f"{self.name}: stopping: no new request; the one in flight is recorded\n"
            self.event.set()
        else:
            message = f"{signal.Signals(signum).name}: still stopping: recording the ledger\n"
        with contextlib.suppress(OSError):  # not click.echo: the main thread may be mid-print
            os.write(2, message.encode())


@cli.command()
@click.option("--at", metavar="WHEN", help=AT_HELP)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print what would be sent; send nothing, write nothing, need no credentials.",
)
@CHANNELS_OPTION
@POSTS_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help=f"{FORMAT_HELP}; markdown: a table for a CI job summary.",
)
@LEDGER_OPTION
@click.pass_context
@handle_errors
def publish(
    ctx: click.Context,
    at: str | None,
    dry_run: bool,
    channels: tuple[str, ...],
    posts: tuple[str, ...],
    fmt: str,
    ledger_kind: LedgerKind | None,
) -> None:
    """Publish every due variant, exactly once.

    A variant is due when its publish_at has come, it is not later than
    max_lateness, and no blackout or freeze stops it. Each is recorded in the
    ledger before and after it is sent, so a re-run, a run killed at any
    moment, or two runs at once never post twice; an interrupted thread goes
    on after its last part. Channels run side by side, each channel's posts in
    order. Exit code 1 if anything failed or its outcome is unknown (settle
    those with `smmgen ledger resolve`).

    SIGINT (Ctrl-C) or SIGTERM stops the run: no new request is started, the
    one in flight is recorded, the summary is printed and the exit code is 130
    or 143. What was not tried is published by the next run.
    """
    from smmgen.commands.publish import run_publish
    from smmgen.report import publish as render
    from smmgen.report.console import ProgressLine, use_color

    progress = ProgressLine("publishing") if fmt == "text" else None
    with StopOnSignal() as stop:
        try:
            report = run_publish(
                _root(ctx),
                at=at,
                dry_run=dry_run,
                channels=channels,
                posts=posts,
                ledger=ledger_kind,
                progress=progress,
                cancel=stop.event,
            )
        finally:
            if progress:
                progress.close()
        if fmt == "json":
            click.echo(render.publish_json(report))
        elif fmt == "markdown":
            click.echo(render.publish_markdown(report))
        else:
            click.echo(render.publish_text(report, color=use_color()))
        if stop.exit_code is not None:
            click.echo(
                f"interrupted by {stop.name}: no request was started after it; what was not"
                " tried is left for the next run",
                err=True,
            )
    sys.exit(stop.exit_code if stop.exit_code is not None else 0 if report.ok else 1)


@cli.group()
def ledger() -> None:
    """Create the ledger; inspect the publish records; settle an unknown outcome by hand."""


@ledger.command("init")
@click.option(
    "--accept-loss",
    is_flag=True,
    help="The ledger branch was deleted or rewound and its lost records are to be given up:"
    " take the branch as it is now, or create it anew. Posts those records covered may be"
    " published again.",
)
@LEDGER_OPTION
@click.pass_context
@handle_errors
def ledger_init_command(
    ctx: click.Context, accept_loss: bool, ledger_kind: LedgerKind | None
) -> None:
    """Create the ledger, once, before the first publish.

    With the git store: the branch (channels.yaml ledger.branch, default
    smmgen-ledger) on the remote, with one commit; with the local store: the
    directory. Refuses when the ledger exists. `smmgen publish` never creates
    a ledger, so that a deleted or rewound one stops it instead of publishing
    everything again; the error says how to restore it.
    """
    from smmgen.commands.publish import ledger_init

    click.echo(ledger_init(_root(ctx), kind=ledger_kind, accept_loss=accept_loss))


@ledger.command("list")
@CHANNELS_OPTION
@POSTS_OPTION
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(["published", "claimed", "failed", "retry", "unknown", "skipped"]),
    help="Only items in this state (repeatable).",
)
@TEXT_OR_JSON
@LEDGER_OPTION
@click.pass_context
@handle_errors
def ledger_list_command(
    ctx: click.Context,
    channels: tuple[str, ...],
    posts: tuple[str, ...],
    statuses: tuple[str, ...],
    fmt: str,
    ledger_kind: LedgerKind | None,
) -> None:
    """List what the ledger says of each post on each channel.

    States: published, claimed (a run is on it, or stopped mid-way), failed
    (refused by the network), retry (the next run tries again), unknown (sent,
    outcome unknown: settle with `ledger resolve`), skipped (settled by hand).
    """
    from smmgen.commands.publish import ledger_list
    from smmgen.report import publish as render

    view = ledger_list(
        _root(ctx),
        kind=ledger_kind,
        channels=channels,
        posts=posts,
        status=statuses,
    )
    click.echo(render.ledger_json(view) if fmt == "json" else render.ledger_text(view))


@ledger.command("resolve")
@click.argument("post")
@click.option("--channel", required=True, metavar="NAME", help="The channel of the item.")
@click.option(
    "--as",
    "outcome",
    required=True,
    type=click.Choice(["published", "retry", "skip"]),
    help="published: it is on the network (give --url); retry: it is not, publish it again"
    " on the next run; skip: never publish it on this channel.",
)
@click.option("--url", help="Where the post is (with --as published).")
@click.option("--note", help="Why, for the record.")
@LEDGER_OPTION
@click.pass_context
@handle_errors
def ledger_resolve_command(
    ctx: click.Context,
    post: str,
    channel: str,
    outcome: str,
    url: str | None,
    note: str | None,
    ledger_kind: LedgerKind | None,
) -> None:
    """Settle POST on a channel by hand, after looking on the network.

    For an item whose outcome is unknown (a webhook that did not answer), that
    failed, or that a stopped run left claimed. The record is appended to the
    ledger (pushed to its branch with the git store); nothing is sent.
    """
    from smmgen.commands.publish import ledger_resolve

    state = ledger_resolve(_root(ctx), post, channel, outcome, url=url, note=note, kind=ledger_kind)
    click.echo(f"{post} on {channel}: now {state.status}")


@cli.group()
def channels() -> None:
    """Work with the channels of channels.yaml."""


@channels.command("verify")
@CHANNELS_OPTION
@TEXT_OR_JSON
@click.pass_context
@handle_errors
def channels_verify(ctx: click.Context, channels: tuple[str, ...], fmt: str) -> None:
    """Check each channel's credentials without posting.

    Reads the environment variables channels.yaml names and asks each network
    who they belong to; every channel is reported, whatever happens to another.
    Exit code 1 if a variable is missing or refused (not set, or holding
    whitespace or a control character), a network refuses it, or an enabled
    channel's network cannot be published to yet (UNSUPPORTED).
    """
    from smmgen.commands.publish import verify_channels
    from smmgen.report import publish as render
    from smmgen.report.console import use_color

    results = verify_channels(_root(ctx), channels)
    click.echo(
        render.verify_json(results)
        if fmt == "json"
        else render.verify_text(results, color=use_color())
    )
    sys.exit(0 if all(r.ok for r in results) else 1)


class _Redacting:
    """A text stream that passes everything through the process's redactor."""

    def __init__(self, stream: Any):
        self._stream = stream

    def write(self, text: str) -> int:
        from smmgen.secrets import REDACTOR

        self._stream.write(REDACTOR.text(text) if REDACTOR else text)
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main() -> None:
    sys.stdout = _Redacting(sys.stdout)
    sys.stderr = _Redacting(sys.stderr)
    cli(prog_name="smmgen")
