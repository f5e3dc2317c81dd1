"""The ledger on a git branch of the project's remote (default ``smmgen-ledger``).

The branch holds one JSON Lines file per channel, the files kept with the
ledger (the feed) and a ``.gitattributes`` that merges the ledger files as a
union should anyone check the branch out. Commits are made with git's
plumbing in the project's own repository, without touching its work tree or
its branches; main is never written.

``git push`` is the compare-and-swap. A claim (intent) is pushed before its
request is sent; when the push is refused because another publisher pushed
first, the branch is fetched again and every pending claim whose item gained
a record in the meantime is refused (the caller decides again); the others
are re-applied on the new tip and pushed. One background thread does all
pushing, so one push carries whatever the channel workers wrote meanwhile.

Result records are also appended to a local journal (fsync'd) before they
are pushed; a journal left behind by a crash is pushed by the next run.

Only ``smmgen ledger init`` (:meth:`GitStore.create`) creates the branch: one
commit holding the ``.gitattributes``. A ledger that lost records would post
their items again, and a missing branch looks just like a new, empty one, so
publishing never creates it, and every push carries an explicit lease on the
tip the store read (``--force-with-lease=refs/heads/<branch>:<tip>``): a push
never recreates a deleted branch nor lands on a rewound one.

Before the records are used, the fetched tip must contain every commit known
to have been the branch's tip (``git merge-base --is-ancestor``):

- ``refs/smmgen/ledger/<branch>`` in this clone: the last tip it read or
  pushed (a developer's machine, any clone that publishes again);
- the tip this store last read or pushed (a branch deleted or rewound while
  a run publishes: the run's next push is refused, and its fetch finds out);
- the *watermark* ``refs/smmgen/watermark/<branch>`` on the remote, moved with
  the branch in the same atomic push, so it is the last tip any publisher
  pushed. CI clones are fresh every time and remember nothing; they fetch the
  watermark. Deleting the branch or force-pushing an older commit to it (by
  hand, by a script, by a mirror) leaves the watermark where it was, so even a
  fresh clone sees the loss. Only moving both refs back on purpose escapes
  this, which is why the README also asks to protect the branch against
  deletion and force pushes. The watermark also keeps the lost commits on the
  remote, so any clone can push them back.

A missing branch or a tip that lost a known commit stops the store before
anything is sent; the error gives the commit to push back and the command
that accepts the loss instead (``smmgen ledger init --accept-loss``). A
remote that refuses the watermark (or atomic pushes) gets the branch alone,
and the run says that a fresh clone then relies on the branch's protection.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from smmgen.publish.ledger.local import fsync_dir
from smmgen.publish.ledger.records import Record, dumps, file_name, parse_lines
from smmgen.publish.ledger.store import Claim, LedgerError, Store

ATTRIBUTES = "*.jsonl merge=union\n"
WATERMARKS = "refs/smmgen/watermark"  # on the remote (and fetched as is): the last tip pushed
CREATED = "smmgen ledger init: the records of smmgen publish (append only; never rewind)"
LINGER = 0.05  # seconds results wait to share a push with the next claim
CLAIM_LINGER = 0.005  # seconds a claim waits to share a push with other channels' claims
#: What a push refused because of another push says (not a refusal of the ref itself).
_RACES = ("atomic", "lock", "failed to update", "stale", "fetch first", "non-fast-forward")
_IDENTITY = {
    "GIT_AUTHOR_NAME": "smmgen",
    "GIT_AUTHOR_EMAIL": "smmgen@localhost",
    "GIT_COMMITTER_NAME": "smmgen",
    "GIT_COMMITTER_EMAIL": "smmgen@localhost",
}


def _run(
    args: list[str], cwd: Path, env: dict[str, str] | None, data: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    try:
        # a session of its own: Ctrl-C in a terminal reaches the whole foreground process
        # group, and must not kill the git that records what was just published
        return subprocess.run(
            args,
            cwd=cwd,
            input=data,
            capture_output=True,
            env=env,
            check=False,
            start_new_session=True,
        )
    except FileNotFoundError:
        raise LedgerError(
            "git is not installed; install it, or keep the ledger in a directory"
            " (channels.yaml: ledger: {store: local})"
        ) from None


def _scale() -> float:
    from smmgen.publish.http import retry_scale

    return retry_scale()


@dataclass
class _Entry:
    record: Record | None = None
    expected: int | None = None  # for claims
    files: dict[str, bytes] = field(default_factory=dict)
    done: threading.Event = field(default_factory=threading.Event)
    ok: bool = False
    error: LedgerError | None = None


class GitStore(Store):
    def __init__(
        self,
        root: Path,
        *,
        remote: str = "origin",
        branch: str = "smmgen-ledger",
        writing: bool = True,
    ):
        self.root = root
        self.remote = remote
        self.branch = branch
        self.problems = []
        self.description = f"branch {branch} of {remote}"
        toplevel = self._git(
            "rev-parse", "--show-toplevel", cwd=root, what="find the repository", binary=True
        )
        self.repo = Path(toplevel.removesuffix("\n"))  # a name may end in any character
        self.track = f"refs/smmgen/ledger/{branch}"  # the last tip this clone read or pushed
        self.incoming = f"refs/smmgen/incoming/{branch}"  # what the last fetch brought
        self.mark = f"{WATERMARKS}/{branch}"
        self.marking = True  # False once the remote refused the watermark
        self.notes: list[str] = []  # problems of the store itself, reported with the records'
        if not self._git("remote", what="list remotes").split().count(remote):
            raise LedgerError(
                f"the repository has no remote '{remote}' for the ledger branch;"
                " add it, or use the local ledger (channels.yaml: ledger: {store: local})"
            )
        self.env = dict(os.environ)
        if not self._git("config", "user.email", check=False, what="read the identity"):
            self.env.update(_IDENTITY)
        self.tip: str | None = None
        self.blobs: dict[str, str] = {}  # path -> blob id, at tip
        self.text: dict[str, str] = {}  # ledger file -> content, at tip
        self.rids: set[str] = set()
        self.counts: dict[tuple[str, str], int] = {}
        self._pending: list[_Entry] = []
        self._cv = threading.Condition()
        self._busy = False
        self._closing = False
        self._flushing = 0
        self._failure: LedgerError | None = None
        self._thread: threading.Thread | None = None
        # in the git directory shared by every worktree of the clone (in a worktree,
        # .git is a file): a run that died in one is recovered from any of them,
        # as the refs it tracks are shared too
        common = self._git("rev-parse", "--git-common-dir", what="find the git directory")
        self.journal = self.repo / common / "smmgen" / f"{branch}.journal.jsonl"
        self.writing = writing  # False: never push (what a crashed run left waits for a writer)
        self._recovered = False
        self._journal_lock = threading.Lock()

    # -- git ------------------------------------------------------------------
    def _git(
        self,
        *args: str,
        input: str | bytes | None = None,
        check: bool = True,
        cwd: Path | None = None,
        what: str = "",
        binary: bool = False,
    ) -> str:
        env = getattr(self, "env", None)
        data = input.encode() if isinstance(input, str) else input
        done = _run(["git", *args], cwd or self.repo, env, data)
        if check and done.returncode != 0:
            message = done.stderr.decode(errors="replace").strip().splitlines()
            raise LedgerError(
                f"git could not {what or ' '.join(args[:2])}:"
                f" {message[-1] if message else done.returncode}"
            )
        if binary:  # exactly what git wrote (a path in it may hold any byte)
            return done.stdout.decode("utf-8", errors="surrogateescape")
        return done.stdout.decode(errors="replace").strip()

    def _download(self) -> str | None:
        """Fetch the branch and the watermarks; the branch's tip, None if it is missing."""
        marks = f"+{WATERMARKS}/*:{WATERMARKS}/*"
        refspecs = [f"+refs/heads/{self.branch}:{self.incoming}", marks]
        for attempt in range(3):
            done = _run(
                ["git", "fetch", "--quiet", "--no-tags", self.remote, *refspecs],
                self.repo,
                self.env,
            )
            if done.returncode == 0:
                return self._git("rev-parse", "--verify", self.incoming, what="read the ledger")
            error = done.stderr.decode(errors="replace")
            if "couldn't find remote ref" in error or "could not find remote ref" in error:
                # the watermark alone then: it says what the branch was
                _run(
                    ["git", "fetch", "--quiet", "--no-tags", self.remote, marks],
                    self.repo,
                    self.env,
                )
                return None
            if attempt == 2:
                lines = error.strip().splitlines()
                raise LedgerError(
                    f"git could not fetch the ledger branch {self.branch} from {self.remote}: "
                    f"{lines[-1] if lines else done.returncode}"
                )
            time.sleep((1 + attempt) * _scale())
        raise AssertionError("unreachable")

    def _known(self) -> dict[str, str]:
        """The commits known to have been the branch's tip, each with how it is known."""
        listing = self._git(
            "for-each-ref",
            "--format=%(objectname) %(refname)",
            self.mark,
            self.track,
            what="read the ledger's refs",
        )
        refs: dict[str, str] = {}
        for line in listing.splitlines():
            commit, ref = line.split(" ", 1)
            refs[ref] = commit
        known: dict[str, str] = {}
        if self.mark in refs:
            known[refs[self.mark]] = (
                f"the last tip any publisher pushed (the watermark {self.mark} on {self.remote})"
            )
        if self.tip is not None:
            known.setdefault(self.tip, "the tip this run last read or pushed")
        if self.track in refs:
            known.setdefault(refs[self.track], f"the last tip this clone saw ({self.track})")
        return known

    def _contains(self, tip: str, commit: str) -> bool:
        if commit == tip:
            return True
        done = _run(["git", "merge-base", "--is-ancestor", commit, tip], self.repo, self.env)
        if done.returncode not in (0, 1):
            raise LedgerError(
                f"git could not compare the ledger branch {self.branch} with {commit}:"
                f" {done.stderr.decode(errors='replace').strip()}"
            )
        return done.returncode == 0

    def _lost(self, tip: str | None) -> tuple[dict[str, str], str | None]:
        """What is known of the branch, and the newest known tip it does not contain."""
        known = self._known()
        lost = [c for c in known if tip is None or not self._contains(tip, c)]
        for commit in lost:  # the one that contains the others, if one does
            if all(self._contains(commit, other) for other in lost):
                return known, commit
        return known, lost[0] if lost else None

    def _fetch(self) -> None:
        """Fetch the branch; refuse it if it is missing or lost a commit (see above)."""
        tip = self._download()
        known, lost = self._lost(tip)
        if tip is None:
            raise LedgerError(self._missing(lost, known))
        if lost is not None:
            raise LedgerError(self._rewound(tip, lost, known))
        self._git("update-ref", self.track, tip, what="record the ledger's tip")
        self.tip = tip

    def _missing(self, lost: str | None, known: dict[str, str]) -> str:
        where = f"the branch {self.branch} of {self.remote}"
        if lost is None:
            return (
                f"there is no ledger yet: {where} does not exist. Create it once with"
                " `smmgen ledger init`; publish never creates it, so that a ledger that was"
                " deleted is not taken for a new, empty one"
            )
        return (
            f"the ledger was deleted: {where} does not exist, but {known[lost]} is {lost}."
            " Nothing was sent: an empty ledger would publish every due post again. Restore"
            f" the branch with `git push {self.remote} {lost}:refs/heads/{self.branch}`; only"
            " if its records are to be given up (everything due is then published again),"
            " start a new ledger with `smmgen ledger init --accept-loss`"
        )

    def _rewound(self, tip: str, lost: str, known: dict[str, str]) -> str:
        return (
            f"the ledger was rewound: the branch {self.branch} of {self.remote} is at {tip},"
            f" which does not contain {lost}, {known[lost]}. Nothing was sent: the records"
            " after it would be lost and their posts published again. Restore the branch with"
            f" `git push {self.remote} {lost}:refs/heads/{self.branch}` (if git refuses, the"
            ' branch has commits of its own since: see the README, "When publish refuses");'
            " only if the loss is intended, accept it with `smmgen ledger init --accept-loss`"
        )

    def _read_tip(self) -> None:
        self.blobs = {}
        self.text = {}
        if self.tip is None:
            return
        listing = self._git(
            "ls-tree", "-r", "-z", self.tip, what="list the ledger branch", binary=True
        )
        for entry in listing.split("\0"):
            if not entry:
                continue
            meta, path = entry.split("\t", 1)
            _mode, kind, blob = meta.split()
            if kind == "blob":
                self.blobs[path] = blob
        names = [p for p in self.blobs if p.endswith(".jsonl") and "/" not in p]
        if names:
            batch = "".join(f"{self.blobs[n]}\n" for n in names)
            done = _run(["git", "cat-file", "--batch"], self.repo, self.env, batch.encode())
            if done.returncode != 0:
                raise LedgerError(f"git could not read the ledger branch {self.branch}")
            raw = done.stdout
            offset = 0
            for name in names:
                header_end = raw.index(b"\n", offset)
                size = int(raw[offset:header_end].split()[2])
                start = header_end + 1
                self.text[name] = raw[start : start + size].decode("utf-8", errors="replace")
                offset = start + size + 1

    def _records(self) -> list[Record]:
        records: list[Record] = []
        self.problems = list(self.notes)
        for name in sorted(self.text):
            found, problems = parse_lines(self.text[name], f"{self.branch}:{name}")
            records.extend(found)
            self.problems.extend(problems)
        self.rids = {r["rid"] for r in records if "rid" in r}
        self.counts = {}
        for record in records:
            key = (record["post"], record["channel"])
            self.counts[key] = self.counts.get(key, 0) + 1
        return records

    def _blob(self, data: bytes) -> str:
        return self._blobs([data])[0]

    def _blobs(self, contents: list[bytes]) -> list[str]:
        """Store several files in the object database with one git process."""
        if len(contents) == 1:
            return [
                self._git(
                    "hash-object", "-w", "--stdin", input=contents[0], what="store a ledger file"
                )
            ]
        with tempfile.TemporaryDirectory(prefix="smmgen-ledger-") as directory:
            names = []
            for number, data in enumerate(contents):
                path = Path(directory) / str(number)
                path.write_bytes(data)
                names.append(str(path))
            # as they are (like --stdin): no attribute of the project converts them
            out = self._git(
                "hash-object", "-w", "--no-filters", "--", *names, what="store the ledger files"
            )
        return out.split()

    def _tree(self, paths: dict[str, str]) -> str:
        """A tree (recursively) from path -> blob id."""
        here: dict[str, str] = {}
        below: dict[str, dict[str, str]] = {}
        for path, blob in paths.items():
            head, _, rest = path.partition("/")
            if rest:
                below.setdefault(head, {})[rest] = blob
            else:
                here[head] = blob
        entries = [f"100644 blob {blob}\t{name}" for name, blob in here.items()]
        entries += [f"040000 tree {self._tree(sub)}\t{name}" for name, sub in below.items()]
        # NUL-terminated: a file name may hold a line break
        listing = "".join(entry + "\0" for entry in entries)
        return self._git(
            "mktree",
            "-z",
            input=listing.encode("utf-8", errors="surrogateescape"),
            what="build the ledger tree",
        )

    def _commit(self, entries: list[_Entry]) -> tuple[str, dict[str, str], dict[str, str]]:
        """A commit on the current tip with the entries' records and files, and
        the ledger files' new text and the tree's paths as they will be."""
        additions: dict[str, list[str]] = {}
        files: dict[str, bytes] = {}
        for entry in entries:
            if entry.record is not None:
                name = file_name(entry.record["channel"])
                additions.setdefault(name, []).append(dumps(entry.record))
            files.update(entry.files)
        paths = dict(self.blobs)
        texts: dict[str, str] = {}
        if ".gitattributes" not in paths:
            paths[".gitattributes"] = self._blob(ATTRIBUTES.encode())
        for name, lines in additions.items():
            old = self.text.get(name, "")
            if old and not old.endswith("\n"):
                old += "\n"
            texts[name] = old + "".join(line + "\n" for line in lines)
        contents = {name: text.encode() for name, text in texts.items()} | files
        if contents:
            ids = self._blobs(list(contents.values()))
            paths.update(zip(contents, ids, strict=True))
        tree = self._tree(paths)
        count = sum(len(v) for v in additions.values())
        events = sorted({e.record["event"] for e in entries if e.record is not None})
        message = f"ledger: {count} record(s) {', '.join(events)}".strip()
        parents = ["-p", self.tip] if self.tip else []
        commit = self._git(
            "commit-tree", tree, *parents, "-m", message, what="commit to the ledger branch"
        )
        return commit, texts, paths

    def _push(self, commit: str, *, new: bool = False) -> bool:
        """Push ``commit`` as the branch, with the watermark; False when the branch
        is no longer the tip this store read (another publisher pushed first, or
        the branch was deleted or rewound: the fetch that follows tells which).
        ``new``: the branch must not exist yet (``ledger init``), and the
        watermark moves wherever it was. Other failures are tried again twice."""
        attempt = 0
        while True:
            expect = "" if new else self.tip or ""
            args = [f"--force-with-lease=refs/heads/{self.branch}:{expect}"]
            refs = [f"{commit}:refs/heads/{self.branch}"]
            if self.marking:
                args.append("--atomic")  # the branch and its watermark, or neither
                refs.append(f"{commit}:{self.mark}")
                if new:
                    args.append(f"--force-with-lease={self.mark}:{self._ref(self.mark)}")
            done = _run(
                ["git", "push", "--porcelain", "--quiet", *args, self.remote, *refs],
                self.repo,
                self.env,
            )
            if done.returncode == 0:
                self.tip = commit  # the tracking ref is updated by close() or the next fetch
                return True
            output = (done.stdout + done.stderr).decode(errors="replace")
            if self.marking and self._refuses_watermark(output):
                self._unmark()
                continue
            if self._lost_race(output):
                return False
            attempt += 1
            if "[remote rejected]" in output or attempt == 3:
                break
            time.sleep(attempt * _scale())
        reasons = [
            line.strip()
            for line in output.splitlines()
            if line.startswith(("!", "remote:", "fatal:", "error:")) and line.strip()
        ]
        raise LedgerError(
            f"git could not push the ledger branch {self.branch} to {self.remote}:"
            f" {'; '.join(reasons[:4]) or done.returncode}. The ledger branch must be"
            " writable by the publisher (in GitHub Actions: `contents: write`, and no rule"
            " that blocks pushes to this branch)"
        )

    def _ref(self, ref: str) -> str:
        """The commit a local ref points to, or '' if it does not exist."""
        return self._git("rev-parse", "--verify", "--quiet", ref, check=False, what="read a ref")

    def _reason(self, output: str, ref: str) -> str | None:
        """Why the push refused ``ref`` (its porcelain line, lower case), None if it did not."""
        for line in output.splitlines():
            if line.startswith("!") and f":{ref}\t" in line:
                return line.lower()
        return None

    def _lost_race(self, output: str) -> bool:
        """Another push moved the branch (or its watermark) first; not a refusal by
        the remote (a hook, a protection rule), which must be reported instead."""
        branch = self._reason(output, f"refs/heads/{self.branch}")
        if branch is None:  # no porcelain line for it: read the whole output
            branch = output.lower()
        if "atomic transaction failed" in branch:  # why did the transaction fail?
            rest = output.lower().replace("atomic transaction failed", "")
            return any(word in rest for word in _RACES if word != "atomic")
        return "[rejected]" in branch or any(word in branch for word in _RACES if word != "atomic")

    def _refuses_watermark(self, output: str) -> bool:
        """The remote refused the watermark ref itself (a hook, a host that takes
        only branches and tags), or atomic pushes; not a race with another push."""
        if "does not support --atomic" in output:
            return True
        for line in output.splitlines():
            if line.startswith("!") and f":{self.mark}\t" in line and "[remote rejected]" in line:
                reason = line.rsplit("(", 1)[-1].lower()
                return not any(word in reason for word in _RACES)
        return False

    def _unmark(self) -> None:
        self.marking = False
        note = (
            f"{self.remote} refused the ref {self.mark} that records the ledger's last tip,"
            " so a fresh clone (as in CI) cannot tell that the ledger branch was rewound:"
            f" protect the branch {self.branch} against force pushes and deletion (README)"
        )
        self.notes.append(note)
        self.problems.append(note)

    def _push_mark(self, commit: str) -> None:
        """Move the watermark to ``commit``, wherever it was (``ledger init --accept-loss``)."""
        if not self.marking:
            return
        lease = f"--force-with-lease={self.mark}:{self._ref(self.mark)}"
        args = ["--porcelain", "--quiet", lease, self.remote, f"{commit}:{self.mark}"]
        done = _run(["git", "push", *args], self.repo, self.env)
        output = (done.stdout + done.stderr).decode(errors="replace")
        if done.returncode != 0 and self._refuses_watermark(output):
            self._unmark()
        elif done.returncode != 0:
            raise LedgerError(
                f"git could not move {self.mark} on {self.remote} (another publisher at"
                " work? try again):"
                f" {output.strip().splitlines()[-1] if output.strip() else done.returncode}"
            )
        else:
            self._git("update-ref", self.mark, commit, what="record the watermark")

    def create(self, *, accept_loss: bool = False) -> str:
        """``smmgen ledger init``: create the branch, once (a commit with the
        ``.gitattributes``). With ``accept_loss``, a branch that lost records is
        taken as it is, or a deleted one is created anew."""
        tip = self._download()
        known, lost = self._lost(tip)
        where = f"branch {self.branch} of {self.remote}"
        if tip is not None:
            if lost is None:
                raise LedgerError(
                    f"the ledger already exists: {where}, at {tip}. Nothing was changed;"
                    " `smmgen publish` uses it as it is"
                )
            if not accept_loss:
                raise LedgerError(self._rewound(tip, lost, known))
            self._push_mark(tip)
            self._git("update-ref", self.track, tip, what="record the ledger's tip")
            self.tip = tip
            warnings = "".join(f"\nwarning: {note}" for note in self.notes)
            return (
                f"accepted the ledger {where} as it is now, at {tip}: the records after it"
                " are given up, and the posts they recorded may be published again" + warnings
            )
        if lost is not None and not accept_loss:
            raise LedgerError(self._missing(lost, known))
        tree = self._tree({".gitattributes": self._blob(ATTRIBUTES.encode())})
        # a ledger of its own: one made anew after a loss is never the lost one's twin
        message = f"{CREATED}\n\nledger {uuid.uuid4().hex}"
        commit = self._git("commit-tree", tree, "-m", message, what="create the ledger branch")
        if not self._push(commit, new=True):
            raise LedgerError(
                f"the ledger {where} was created by someone else just now;"
                " `smmgen ledger list` shows it"
            )
        self._git("update-ref", self.track, commit, what="record the ledger's tip")
        if self.marking:
            self._git("update-ref", self.mark, commit, what="record the watermark")
        self.tip = commit
        warnings = "".join(f"\nwarning: {note}" for note in self.notes)
        return f"created the ledger: {where}, at {commit}{warnings}"

    # -- the store --------------------------------------------------------------
    def load(self) -> list[Record]:
        with self._cv:
            while self._busy or self._pending:
                self._cv.wait()
            self._fetch()
            self._read_tip()
            records = self._records()
        self._recover(records)
        return records

    def _recover(self, records: list[Record]) -> None:
        """Push what a crashed run journaled but never pushed (once, when writing)."""
        if not self.writing or self._recovered:
            return
        self._recovered = True
        if not self.journal.exists():
            return
        text = self.journal.read_bytes().decode("utf-8", errors="replace")
        found, _ = parse_lines(text, str(self.journal))
        missing = [r for r in found if r.get("rid") not in self.rids]
        if missing:
            self._enqueue([_Entry(record=r) for r in missing])
            self.flush()
            records.extend(missing)
        self.journal.unlink(missing_ok=True)

    def _journal(self, records: list[Record]) -> None:
        with self._journal_lock:
            self.journal.parent.mkdir(parents=True, exist_ok=True)
            with open(self.journal, "a", encoding="utf-8") as handle:
                handle.write("".join(dumps(r) + "\n" for r in records))
                handle.flush()
                os.fsync(handle.fileno())

    def _enqueue(self, entries: list[_Entry]) -> None:
        with self._cv:
            if self._failure:
                raise self._failure
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._pusher, name="ledger-pusher", daemon=True
                )
                self._thread.start()
            self._pending.extend(entries)
            self._cv.notify_all()

    def claim(self, claims: list[Claim]) -> list[bool]:
        entries = [_Entry(record=c.record, expected=c.expected) for c in claims]
        self._enqueue(entries)
        for entry in entries:
            entry.done.wait()
        for entry in entries:
            if entry.error is not None:
                raise entry.error
        return [e.ok for e in entries]

    def append(self, records: list[Record]) -> None:
        if records:
            self._journal(records)
            self._enqueue([_Entry(record=r) for r in records])

    def write_files(self, files: dict[str, bytes]) -> None:
        if files:
            self._enqueue([_Entry(files=dict(files))])

    def flush(self) -> None:
        with self._cv:
            self._flushing += 1
            self._cv.notify_all()
            try:
                while (self._busy or self._pending) and not self._failure:
                    self._cv.wait()
            finally:
                self._flushing -= 1
            if self._failure:
                raise self._failure

    def close(self) -> None:
        try:
            self.flush()
            if self.tip is not None:
                self._git("update-ref", self.track, self.tip, what="record the pushed ledger")
            if self._recovered and self.journal.exists():  # pushed: by load() and flush()
                self.journal.unlink()
                fsync_dir(self.journal.parent)
        finally:
            with self._cv:
                self._closing = True
                self._cv.notify_all()
            if self._thread is not None:
                self._thread.join(timeout=5)

    def _pusher(self) -> None:
        while True:
            with self._cv:
                while not self._pending and not self._closing:
                    self._cv.wait()
                if not self._pending and self._closing:
                    return
                # results wait a moment for the claim that usually follows them,
                # and a claim a few milliseconds for the other channels' claims,
                # so that one push carries them all
                start = time.monotonic()
                while not self._flushing and not self._closing:
                    claims = any(e.expected is not None for e in self._pending)
                    left = start + (CLAIM_LINGER if claims else LINGER) - time.monotonic()
                    if left <= 0:
                        break
                    self._cv.wait(left)
                batch, self._pending = self._pending, []
                self._busy = True
            try:
                self._push_batch(batch)
            except Exception as exc:  # never leave a waiting worker hanging
                error = (
                    exc
                    if isinstance(exc, LedgerError)
                    else LedgerError(f"the ledger could not be pushed: {type(exc).__name__}: {exc}")
                )
                with self._cv:
                    self._failure = error
                for entry in batch:
                    entry.error = error
                    entry.done.set()
            finally:
                with self._cv:
                    self._busy = False
                    self._cv.notify_all()

    def _push_batch(self, batch: list[_Entry]) -> None:
        if self.tip is None:  # never read: read (and check) the branch first
            self._fetch()
            self._read_tip()
            self._records()
        seen: set[str] = set()
        live = []
        for entry in batch:  # the same record twice (a journal replayed) is written once
            rid = entry.record.get("rid") if entry.record is not None else None
            if rid is None or rid not in seen:
                live.append(entry)
                seen.add(rid or "")
        for _attempt in range(100):
            live = [e for e in live if e.record is None or e.record.get("rid") not in self.rids]
            # a claim holds only if nobody wrote about its item since it was
            # decided: checked on every attempt, so a push is a compare-and-swap
            kept = []
            for entry in live:
                if entry.expected is not None and entry.record is not None:
                    key = (entry.record["post"], entry.record["channel"])
                    if self.counts.get(key, 0) != entry.expected:
                        entry.ok = False
                        entry.done.set()
                        continue
                kept.append(entry)
            live = kept
            if not live:
                break
            commit, texts, paths = self._commit(live)
            if self._push(commit):
                # the branch is now what was just built: no need to read it back
                self.text.update(texts)
                self.blobs = paths
                for entry in live:
                    entry.ok = True
                    if entry.record is not None:
                        self.rids.add(entry.record["rid"])
                        key = (entry.record["post"], entry.record["channel"])
                        self.counts[key] = self.counts.get(key, 0) + 1
                break
            # another publisher pushed first: fetch, and decide again above
            self._fetch()
            self._read_tip()
            self._records()
        else:
            raise LedgerError(f"gave up pushing the ledger branch {self.branch} after 100 refusals")
        for entry in batch:
            if (
                entry.record is not None
                and entry.record.get("rid") in self.rids
                and entry.expected is None
            ):
                entry.ok = True
            entry.done.set()
