"""The ledger on a git branch of the project's remote (default ``smmgen-ledger``).

The branch holds one JSON Lines file per channel, the files kept with the
ledger (the feed) and a ``.gitattributes`` that merges the ledger files as a
union should anyone check the branch out. Commits are made with git's
plumbing (:mod:`.gitplumbing`) in the project's own repository, without
touching its work tree or its branches; main is never written.

``git push`` is the compare-and-swap. A claim (intent) is pushed before its
request is sent; when the push is refused because another publisher pushed
first, the branch is fetched again and every pending claim whose item gained
a record in the meantime is refused (the caller decides again); the others
are re-applied on the new tip and pushed. One background thread does all
pushing, so one push carries whatever the channel workers wrote meanwhile
(:mod:`.pusher`).

Result records are also appended to a local journal (fsync'd) before they
are pushed; a journal left behind by a crash is pushed by the next run
(:mod:`.journal`).

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

import time
import uuid
from pathlib import Path

from smmgen.errors import LedgerError
from smmgen.publish.ledger.gitplumbing import Git
from smmgen.publish.ledger.journal import Journal
from smmgen.publish.ledger.pusher import Entry, LeasedPush, Pusher, wait_scale
from smmgen.publish.ledger.records import Record, dumps, file_name, parse_lines
from smmgen.publish.ledger.store import Claim, Store

ATTRIBUTES = "*.jsonl merge=union\n"
WATERMARKS = "refs/smmgen/watermark"  # on the remote (and fetched as is): the last tip pushed
CREATED = "smmgen ledger init: the records of smmgen publish (append only; never rewind)"


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
        self.git = Git(root)
        self.track = f"refs/smmgen/ledger/{branch}"  # the last tip this clone read or pushed
        self.incoming = f"refs/smmgen/incoming/{branch}"  # what the last fetch brought
        self.mark = f"{WATERMARKS}/{branch}"
        self.notes: list[str] = []  # problems of the store itself, reported with the records'
        if remote not in self.git.remotes():
            raise LedgerError(
                f"the repository has no remote '{remote}' for the ledger branch;"
                " add it, or use the local ledger (channels.yaml: ledger: {store: local})"
            )
        self.git.use_identity()
        self.lease = LeasedPush(self.git, remote, branch, self.mark, self._note)
        self.tip: str | None = None
        self.blobs: dict[str, str] = {}  # path -> blob id, at tip
        self.text: dict[str, str] = {}  # ledger file -> content, at tip
        self.rids: set[str] = set()
        self.counts: dict[tuple[str, str], int] = {}
        self.pusher = Pusher(self)
        self.journal = Journal(self.git.common_dir(), branch)
        self.writing = writing  # False: never push (what a crashed run left waits for a writer)
        self._recovered = False

    def _note(self, note: str) -> None:
        self.notes.append(note)
        self.problems.append(note)

    # -- reading the branch -------------------------------------------------------
    def _download(self) -> str | None:
        """Fetch the branch and the watermarks; the branch's tip, None if it is missing."""
        marks = f"+{WATERMARKS}/*:{WATERMARKS}/*"
        refspecs = [f"+refs/heads/{self.branch}:{self.incoming}", marks]
        for attempt in range(3):
            done = self.git.run("fetch", "--quiet", "--no-tags", self.remote, *refspecs)
            if done.returncode == 0:
                return self.git.text("rev-parse", "--verify", self.incoming, what="read the ledger")
            error = done.stderr.decode(errors="replace")
            if "couldn't find remote ref" in error or "could not find remote ref" in error:
                # the watermark alone then: it says what the branch was
                self.git.run("fetch", "--quiet", "--no-tags", self.remote, marks)
                return None
            if attempt == 2:
                lines = error.strip().splitlines()
                raise LedgerError(
                    f"git could not fetch the ledger branch {self.branch} from {self.remote}: "
                    f"{lines[-1] if lines else done.returncode}"
                )
            time.sleep((1 + attempt) * wait_scale())
        raise AssertionError("unreachable")

    def _known(self) -> dict[str, str]:
        """The commits known to have been the branch's tip, each with how it is known."""
        refs = self.git.refs(self.mark, self.track, what="read the ledger's refs")
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
        what = f"compare the ledger branch {self.branch} with {commit}"
        return self.git.contains(tip, commit, what=what)

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
        self.git.update_ref(self.track, tip, what="record the ledger's tip")
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
        self.blobs = self.git.files(self.tip, what="list the ledger branch")
        names = [p for p in self.blobs if p.endswith(".jsonl") and "/" not in p]
        if names:
            what = f"read the ledger branch {self.branch}"
            contents = self.git.read([self.blobs[n] for n in names], what=what)
            for name, data in zip(names, contents, strict=True):
                self.text[name] = data.decode("utf-8", errors="replace")

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

    # -- what the pusher needs (:class:`.pusher.Branch`) --------------------------
    def read_once(self) -> None:
        if self.tip is None:  # never read: read (and check) the branch first
            self.read_again()

    def read_again(self) -> None:
        self._fetch()
        self._read_tip()
        self._records()

    def write(self, entries: list[Entry]) -> bool:
        commit, texts, paths = self._commit(entries)
        if not self.push(commit):
            return False
        # the branch is now what was just built: no need to read it back
        self.text.update(texts)
        self.blobs = paths
        for entry in entries:
            if entry.record is not None:
                self.rids.add(entry.record["rid"])
                key = (entry.record["post"], entry.record["channel"])
                self.counts[key] = self.counts.get(key, 0) + 1
        return True

    def push(self, commit: str, *, new: bool = False) -> bool:
        """Push ``commit`` as the branch on the tip this store read (see
        :meth:`.pusher.LeasedPush.push`); False when another push came first."""
        if not self.lease.push(commit, self.tip or "", new=new):
            return False
        self.tip = commit  # the tracking ref is updated by close() or the next fetch
        return True

    def _commit(self, entries: list[Entry]) -> tuple[str, dict[str, str], dict[str, str]]:
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
            paths[".gitattributes"] = self.git.blob(ATTRIBUTES.encode())
        for name, lines in additions.items():
            old = self.text.get(name, "")
            if old and not old.endswith("\n"):
                old += "\n"
            texts[name] = old + "".join(line + "\n" for line in lines)
        contents = {name: text.encode() for name, text in texts.items()} | files
        if contents:
            ids = self.git.blobs(list(contents.values()))
            paths.update(zip(contents, ids, strict=True))
        tree = self.git.tree(paths)
        count = sum(len(v) for v in additions.values())
        events = sorted({e.record["event"] for e in entries if e.record is not None})
        message = f"ledger: {count} record(s) {', '.join(events)}".strip()
        commit = self.git.commit(tree, self.tip, message, what="commit to the ledger branch")
        return commit, texts, paths

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
            self.lease.move_watermark(tip)
            self.git.update_ref(self.track, tip, what="record the ledger's tip")
            self.tip = tip
            warnings = "".join(f"\nwarning: {note}" for note in self.notes)
            return (
                f"accepted the ledger {where} as it is now, at {tip}: the records after it"
                " are given up, and the posts they recorded may be published again" + warnings
            )
        if lost is not None and not accept_loss:
            raise LedgerError(self._missing(lost, known))
        tree = self.git.tree({".gitattributes": self.git.blob(ATTRIBUTES.encode())})
        # a ledger of its own: one made anew after a loss is never the lost one's twin
        message = f"{CREATED}\n\nledger {uuid.uuid4().hex}"
        commit = self.git.commit(tree, None, message, what="create the ledger branch")
        if not self.push(commit, new=True):
            raise LedgerError(
                f"the ledger {where} was created by someone else just now;"
                " `smmgen ledger list` shows it"
            )
        self.git.update_ref(self.track, commit, what="record the ledger's tip")
        if self.lease.marking:
            self.git.update_ref(self.mark, commit, what="record the watermark")
        self.tip = commit
        warnings = "".join(f"\nwarning: {note}" for note in self.notes)
        return f"created the ledger: {where}, at {commit}{warnings}"

    # -- the store --------------------------------------------------------------
    def load(self) -> list[Record]:
        with self.pusher.idle():
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
        missing = [r for r in self.journal.read() if r.get("rid") not in self.rids]
        if missing:
            self.pusher.enqueue([Entry(record=r) for r in missing])
            self.flush()
            records.extend(missing)
        self.journal.remove()

    def claim(self, claims: list[Claim]) -> list[bool]:
        entries = [Entry(record=c.record, expected=c.expected) for c in claims]
        self.pusher.enqueue(entries)
        for entry in entries:
            entry.done.wait()
        for entry in entries:
            if entry.error is not None:
                raise entry.error
        return [e.ok for e in entries]

    def append(self, records: list[Record]) -> None:
        if records:
            self.journal.write(records)
            self.pusher.enqueue([Entry(record=r) for r in records])

    def write_files(self, files: dict[str, bytes]) -> None:
        if files:
            self.pusher.enqueue([Entry(files=dict(files))])

    def flush(self) -> None:
        self.pusher.flush()

    def close(self) -> None:
        try:
            self.flush()
            if self.tip is not None:
                self.git.update_ref(self.track, self.tip, what="record the pushed ledger")
            if self._recovered and self.journal.exists():  # pushed: by load() and flush()
                self.journal.remove(durably=True)
        finally:
            self.pusher.stop()
