"""Git's plumbing, as the git ledger uses it: running git in the project's
repository, storing blobs and trees, making commits and reading and moving
refs, all without touching the work tree or any branch checked out.

Where git keeps its files is asked of git (``git rev-parse``), never assumed
to be ``.git/``: in a ``git worktree`` that is a file naming the real one.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from smmgen.errors import LedgerError

#: Who commits to the ledger when the repository names nobody (``user.email``).
IDENTITY = {
    "GIT_AUTHOR_NAME": "smmgen",
    "GIT_AUTHOR_EMAIL": "smmgen@localhost",
    "GIT_COMMITTER_NAME": "smmgen",
    "GIT_COMMITTER_EMAIL": "smmgen@localhost",
}


def run_git(
    args: list[str], cwd: Path, env: dict[str, str] | None, data: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run ``git`` with ``args``; its exit code is the caller's to judge."""
    try:
        # a session of its own: Ctrl-C in a terminal reaches the whole foreground process
        # group, and must not kill the git that records what was just published
        return subprocess.run(
            ["git", *args],
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


class Git:
    """The repository holding ``directory``, and git run in its top level
    directory (with smmgen's identity when the repository has none)."""

    def __init__(self, directory: Path):
        self.env: dict[str, str] | None = None
        toplevel = self.text(
            "rev-parse", "--show-toplevel", cwd=directory, what="find the repository", binary=True
        )
        self.root = Path(toplevel.removesuffix("\n"))  # a name may end in any character

    def use_identity(self) -> None:
        """Commit as smmgen unless the repository names who commits."""
        self.env = dict(os.environ)
        if not self.text("config", "user.email", check=False, what="read the identity"):
            self.env.update(IDENTITY)

    def run(self, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        """Run git in the repository; its exit code is the caller's to judge."""
        return run_git(list(args), self.root, self.env, data)

    def text(
        self,
        *args: str,
        input: str | bytes | None = None,
        check: bool = True,
        cwd: Path | None = None,
        what: str = "",
        binary: bool = False,
    ) -> str:
        """What git wrote, stripped; with ``check``, a LedgerError saying it could
        not do ``what`` if it failed. ``binary``: exactly what git wrote (a path
        in it may hold any byte)."""
        data = input.encode() if isinstance(input, str) else input
        done = run_git(list(args), cwd or self.root, self.env, data)
        if check and done.returncode != 0:
            message = done.stderr.decode(errors="replace").strip().splitlines()
            raise LedgerError(
                f"git could not {what or ' '.join(args[:2])}:"
                f" {message[-1] if message else done.returncode}"
            )
        if binary:
            return done.stdout.decode("utf-8", errors="surrogateescape")
        return done.stdout.decode(errors="replace").strip()

    # -- the repository ---------------------------------------------------------
    def common_dir(self) -> Path:
        """The git directory every worktree of the clone shares (``--git-common-dir``)."""
        common = self.text(
            "rev-parse", "--git-common-dir", what="find the git directory", binary=True
        )
        return self.root / common.removesuffix("\n")  # git names it relative to root, or not

    def remotes(self) -> list[str]:
        return self.text("remote", what="list remotes").split()

    # -- refs -------------------------------------------------------------------
    def ref(self, ref: str) -> str:
        """The commit a local ref points to, or '' if it does not exist."""
        return self.text("rev-parse", "--verify", "--quiet", ref, check=False, what="read a ref")

    def refs(self, *refs: str, what: str) -> dict[str, str]:
        """Those of ``refs`` that exist, each with the commit it points to."""
        listing = self.text("for-each-ref", "--format=%(objectname) %(refname)", *refs, what=what)
        found: dict[str, str] = {}
        for line in listing.splitlines():
            commit, ref = line.split(" ", 1)
            found[ref] = commit
        return found

    def update_ref(self, ref: str, commit: str, *, what: str) -> None:
        self.text("update-ref", ref, commit, what=what)

    def contains(self, tip: str, commit: str, *, what: str) -> bool:
        """Whether ``commit`` is ``tip`` or one of its ancestors."""
        if commit == tip:
            return True
        done = self.run("merge-base", "--is-ancestor", commit, tip)
        if done.returncode not in (0, 1):
            raise LedgerError(
                f"git could not {what}: {done.stderr.decode(errors='replace').strip()}"
            )
        return done.returncode == 0

    # -- objects ----------------------------------------------------------------
    def blob(self, data: bytes) -> str:
        return self.blobs([data])[0]

    def blobs(self, contents: list[bytes]) -> list[str]:
        """Store several files in the object database with one git process."""
        if len(contents) == 1:
            return [
                self.text(
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
            out = self.text(
                "hash-object", "-w", "--no-filters", "--", *names, what="store the ledger files"
            )
        return out.split()

    def tree(self, paths: dict[str, str]) -> str:
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
        entries += [f"040000 tree {self.tree(sub)}\t{name}" for name, sub in below.items()]
        # NUL-terminated: a file name may hold a line break
        listing = "".join(entry + "\0" for entry in entries)
        return self.text(
            "mktree",
            "-z",
            input=listing.encode("utf-8", errors="surrogateescape"),
            what="build the ledger tree",
        )

    def commit(self, tree: str, parent: str | None, message: str, *, what: str) -> str:
        parents = ["-p", parent] if parent else []
        return self.text("commit-tree", tree, *parents, "-m", message, what=what)

    def files(self, commit: str, *, what: str) -> dict[str, str]:
        """Every file of ``commit``'s tree: path -> blob id."""
        listing = self.text("ls-tree", "-r", "-z", commit, what=what, binary=True)
        blobs: dict[str, str] = {}
        for entry in listing.split("\0"):
            if not entry:
                continue
            meta, path = entry.split("\t", 1)
            _mode, kind, blob = meta.split()
            if kind == "blob":
                blobs[path] = blob
        return blobs

    def read(self, blobs: list[str], *, what: str) -> list[bytes]:
        """The contents of ``blobs``, read with one git process."""
        done = self.run("cat-file", "--batch", data="".join(f"{b}\n" for b in blobs).encode())
        if done.returncode != 0:
            raise LedgerError(f"git could not {what}")
        raw = done.stdout
        contents = []
        offset = 0
        for _blob in blobs:
            header_end = raw.index(b"\n", offset)
            size = int(raw[offset:header_end].split()[2])
            start = header_end + 1
            contents.append(raw[start : start + size])
            offset = start + size + 1
        return contents
