"""A stand-in for the GitHub CLI's ``gh api``, answering like GitHub's REST API.

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

A request without ``GH_TOKEN`` (or ``GITHUB_TOKEN``) equal to the state's
``token`` is 401; with ``"read_only": true`` every write is 403 "Resource
not accessible by integration", as for a fork's token. Errors are printed
as gh prints them (``gh: <message> (HTTP <status>)`` on stderr, exit 1).
"""

from __future__ import annotations

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


def main() -> int:
    state_path = Path(os.environ["FAKE_GH_STATE"])
    state = json.loads(state_path.read_text(encoding="utf-8"))
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
