"""A stand-in for the GitHub CLI's ``gh api`` and ``gh release create``,
answering like GitHub's REST API.

The harness puts a ``gh`` that runs this script first on the workflow
steps' PATH. Its state (comments, who may write, every call) is a JSON file
named by ``FAKE_GH_STATE``; tests read it afterwards. Implemented, as GitHub
documents them:

- ``GET repos/{owner}/{repo}/issues/{number}/comments``: the comments,
  oldest first, ``per_page`` at a time (default 30; ``--paginate`` follows
  every page, applying ``--jq`` to each page like gh);
- ``POST repos/{owner}/{repo}/issues/{number}/comments`` with ``{"body"}``:
  201 and the comment;
- ``PATCH repos/{owner}/{repo}/issues/comments/{id}`` with ``{"body"}``: 200,
  404 for an unknown id, 403 for another user's comment;
- ``PUT repos/{owner}/{repo}/actions/workflows/{file}/enable``: 204.

``gh release create TAG [FILE...] --repo OWNER/REPO --title T --notes-file F
[--verify-tag] [--prerelease] [--draft]`` (``-R``, ``-t``, ``-F``, ``-n``,
``--notes`` too; ``GH_REPO`` for ``--repo``) appends to the state's
``releases`` the tag, title, notes (the file's content), the flags and each
file attached (name, size, SHA-256), and prints the release's URL. With
``--verify-tag`` the tag must exist in the state's ``origin`` (the bare
repository standing in for GitHub); a second release of a tag is 422; the
files must exist; notes are required (there is no terminal to ask on).

A request without ``GH_TOKEN`` (or ``GITHUB_TOKEN``) equal to the state's
``token`` is 401; with ``"read_only": true`` every write is 403 "Resource
not accessible by integration", as for a fork's token. Errors are printed
as gh prints them (``gh: <message> (HTTP <status>)`` on stderr, exit 1).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

COMMENTS = re.compile(r"repos/([^/]+/[^/]+)/issues/(\d+)/comments")
COMMENT = re.compile(r"repos/([^/]+/[^/]+)/issues/comments/(\d+)")
ENABLE = re.compile(r"repos/([^/]+/[^/]+)/actions/workflows/([^/]+)/enable")


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def parse(argv: list[str]) -> dict[str, Any]:
    if not argv or argv[0] != "api":
        raise SystemExit(f"fake gh: only `gh api` is implemented, not {argv[:1]}")
    options: dict[str, Any] = {"method": None, "paginate": False, "jq": None, "input": None}
    fields: dict[str, str] = {}
    rest = argv[1:]
    endpoint = None
    while rest:
        arg = rest.pop(0)
        if arg in ("-X", "--method"):
            options["method"] = rest.pop(0).upper()
        elif arg == "--paginate":
            options["paginate"] = True
        elif arg in ("-q", "--jq"):
            options["jq"] = rest.pop(0)
        elif arg == "--input":
            options["input"] = rest.pop(0)
        elif arg in ("-f", "--raw-field", "-F", "--field"):
            key, _, value = rest.pop(0).partition("=")
            fields[key] = value
        elif arg in ("-H", "--header"):
            rest.pop(0)
        elif arg.startswith("-"):
            raise SystemExit(f"fake gh: option {arg} is not implemented")
        elif endpoint is None:
            endpoint = arg
        else:
            raise SystemExit(f"fake gh: a second endpoint {arg!r}")
    if endpoint is None:
        raise SystemExit("fake gh: no endpoint")
    body: Any = None
    if options["input"] is not None:
        source = sys.stdin.read() if options["input"] == "-" else Path(
            options["input"]).read_text(encoding="utf-8")  # fmt: skip
        body = json.loads(source)
    elif fields:
        body = fields
    options["method"] = options["method"] or ("POST" if body is not None else "GET")
    options["endpoint"] = endpoint.lstrip("/")
    options["body"] = body
    return options


def answer(state: dict[str, Any], request: dict[str, Any]) -> tuple[int, Any, list[Any]]:
    """(status, body, pages): pages is the list of page bodies for a list."""
    token = os.environ.get("GH_TOKEN") or os.environ.get("GITHUB_TOKEN")
    if token != state["token"]:
        raise ApiError(401, "Bad credentials")
    method, endpoint, body = request["method"], request["endpoint"], request["body"]
    path, _, _query = endpoint.partition("?")
    write = method != "GET"
    if write and state.get("read_only"):
        raise ApiError(403, "Resource not accessible by integration")
    if match := COMMENTS.fullmatch(path):
        repo, number = match.groups()
        if repo != state["repository"]:
            raise ApiError(404, "Not Found")
        comments = state["comments"].setdefault(number, [])
        if method == "GET":
            size = int(state.get("per_page", 30))
            pages = [comments[i : i + size] for i in range(0, len(comments), size)] or [[]]
            return 200, pages[0], pages
        if method == "POST":
            text = _body_text(body)
            state["next_id"] += 1
            comment = {
                "id": state["next_id"],
                "body": text,
                "user": {"login": state["login"], "type": "Bot"},
                "html_url": f"https://github.com/{repo}/pull/{number}"
                f"#issuecomment-{state['next_id']}",
            }
            comments.append(comment)
            return 201, comment, [comment]
    if match := COMMENT.fullmatch(path):
        repo, ident = match.groups()
        for comments in state["comments"].values():
            for comment in comments:
                if str(comment["id"]) == ident and repo == state["repository"]:
                    if method == "GET":
                        return 200, comment, [comment]
                    if method == "PATCH":
                        if comment["user"]["login"] != state["login"]:
                            raise ApiError(403, "Resource not accessible by integration")
                        comment["body"] = _body_text(body)
                        return 200, comment, [comment]
        if method in ("GET", "PATCH"):
            raise ApiError(404, "Not Found")
    if (match := ENABLE.fullmatch(path)) and method == "PUT":
        repo, workflow = match.groups()
        if repo != state["repository"] or workflow not in state.get("workflows", []):
            raise ApiError(404, "Not Found")
        state.setdefault("enabled", []).append(workflow)
        return 204, None, [None]
    raise SystemExit(f"fake gh: {method} {endpoint} is not implemented")


def _body_text(body: Any) -> str:
    if not isinstance(body, dict) or not isinstance(body.get("body"), str):
        raise ApiError(422, "Invalid request.\n\nNo body given")
    if len(body["body"]) > 65536:
        raise ApiError(422, "Validation Failed: body is too long (maximum is 65536 characters)")
    return str(body["body"])


def show(value: Any, jq: str | None) -> str:
    if value is None:
        return ""
    if jq is None:
        return json.dumps(value) + "\n"
    done = subprocess.run(
        ["jq", "--raw-output", "--compact-output", jq],
        input=json.dumps(value), capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"fake gh: jq failed on {jq!r}: {done.stderr.strip()}")
    return done.stdout


def parse_release(argv: list[str]) -> dict[str, Any]:
    """``gh release create`` arguments."""
    options: dict[str, Any] = {
        "tag": None, "files": [], "repo": os.environ.get("GH_REPO"), "title": None,
        "notes": None, "notes_file": None, "verify_tag": False, "prerelease": False,
        "draft": False,
    }  # fmt: skip
    valued = {"-R": "repo", "--repo": "repo", "-t": "title", "--title": "title",
              "-n": "notes", "--notes": "notes", "-F": "notes_file",
              "--notes-file": "notes_file"}  # fmt: skip
    flags = {"--verify-tag": "verify_tag", "-p": "prerelease", "--prerelease": "prerelease",
             "-d": "draft", "--draft": "draft"}  # fmt: skip
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        key, eq, value = arg.partition("=")
        if key in valued:
            options[valued[key]] = value if eq else rest.pop(0)
        elif arg in flags:
            options[flags[arg]] = True
        elif arg.startswith("-"):
            raise SystemExit(f"fake gh: release create option {arg} is not implemented")
        elif options["tag"] is None:
            options["tag"] = arg
        else:
            options["files"].append(arg)
    if options["tag"] is None:
        raise SystemExit("fake gh: release create needs a tag")
    return options


def create_release(state: dict[str, Any], options: dict[str, Any]) -> str:
    """The release's URL; raises ApiError or SystemExit as gh fails."""
    token = os.environ.get("GH_TOKEN") or os.environ.get("GITHUB_TOKEN")
    if token != state["token"]:
        raise ApiError(401, "Bad credentials")
    repo, tag = options["repo"], options["tag"]
    if not repo:
        raise SystemExit("fatal: not a git repository: pass --repo OWNER/REPO or set GH_REPO")
    if repo != state["repository"]:
        raise ApiError(404, "Not Found")
    if state.get("read_only"):
        raise ApiError(403, "Resource not accessible by integration")
    if options["notes"] is None and options["notes_file"] is None:
        raise SystemExit("fake gh: --notes or --notes-file is required when not interactive")
    if options["notes_file"] is not None:
        source = options["notes_file"]
        notes = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    else:
        notes = options["notes"]
    assets = []
    for name in options["files"]:
        path = Path(name.split("#", 1)[0])
        if not path.is_file():
            raise SystemExit(f"open {path}: no such file or directory")
        data = path.read_bytes()
        assets.append(
            {"name": path.name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        )
    if len({a["name"] for a in assets}) != len(assets):
        raise SystemExit("fake gh: two files with the same name")
    if options["verify_tag"]:
        done = subprocess.run(
            ["git", "--git-dir", state["origin"], "rev-parse", "--verify", "--quiet",
             f"refs/tags/{tag}"], capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(
                f"tag {tag} doesn't exist in the repo {repo}, aborting due to --verify-tag flag"
            )
    releases = state.setdefault("releases", [])
    if any(release["tag"] == tag for release in releases):
        raise ApiError(422, "Validation Failed: Release.tag_name already exists")
    url = f"https://github.com/{repo}/releases/tag/{tag}"
    releases.append({
        "tag": tag, "title": options["title"], "notes": notes, "assets": assets,
        "verify_tag": options["verify_tag"], "prerelease": options["prerelease"],
        "draft": options["draft"], "url": url,
    })  # fmt: skip
    return url


def release_main(state_path: Path, state: dict[str, Any], argv: list[str]) -> int:
    if argv[:1] != ["create"]:
        raise SystemExit(f"fake gh: only `gh release create` is implemented, not {argv[:1]}")
    call: dict[str, Any] = {"command": "release create", "argv": ["release", *argv]}
    try:
        url = create_release(state, parse_release(argv[1:]))
    except ApiError as error:
        call["status"] = error.status
        state.setdefault("calls", []).append(call)
        state_path.write_text(json.dumps(state, indent=2), encoding="utf-8")
        sys.stderr.write(f"HTTP {error.status}: {error.message}\n")
        return 1
    call["status"] = 201
    state.setdefault("calls", []).append(call)
    state_path.write_text(json.dumps(state, indent=2), encoding="utf-8")
    sys.stdout.write(url + "\n")
    return 0


def main() -> int:
    state_path = Path(os.environ["FAKE_GH_STATE"])
    state = json.loads(state_path.read_text(encoding="utf-8"))
    if sys.argv[1:2] == ["release"]:
        return release_main(state_path, state, sys.argv[2:])
    request = parse(sys.argv[1:])
    call = {k: request[k] for k in ("method", "endpoint", "body")} | {"argv": sys.argv[1:]}
    try:
        status, body, pages = answer(state, request)
    except ApiError as error:
        call["status"] = error.status
        state.setdefault("calls", []).append(call)
        state_path.write_text(json.dumps(state, indent=2), encoding="utf-8")
        sys.stdout.write(json.dumps({"message": error.message}) + "\n")
        sys.stderr.write(f"gh: {error.message} (HTTP {error.status})\n")
        return 1
    call["status"] = status
    state.setdefault("calls", []).append(call)
    state_path.write_text(json.dumps(state, indent=2), encoding="utf-8")
    for page in pages if request["paginate"] else [body]:
        sys.stdout.write(show(page, request["jq"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
