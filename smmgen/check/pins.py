"""Rule: the workflows install the smmgen that is running this check.

What a pull request's check and the scheduled publish run is the version the
workflows pin (`smmgen init` writes it); a different one here means what you
see locally may not be what CI checks and publishes.
"""

from __future__ import annotations

from collections.abc import Iterator

from smmgen import __version__
from smmgen.check.rules import project_rule
from smmgen.findings import Finding, Severity
from smmgen.project import Project
from smmgen.workflows import pins


@project_rule
def workflows_pin_this_version(project: Project) -> Iterator[Finding]:
    for pin in pins(project.root):
        if pin.version is None:
            yield Finding(
                Severity.WARNING,
                "workflow-unpinned",
                "this workflow installs whatever the variable SMMGEN_PIP_SPEC names, by"
                " default the newest smmgen on the package index, which anyone could publish",
                file=pin.file,
                line=pin.line,
                hint=f"run `smmgen init --upgrade` to pin it to smmgen=={__version__}",
            )
        elif pin.version != __version__:
            yield Finding(
                Severity.WARNING,
                "workflow-pin",
                f"CI installs smmgen {pin.version}, but this is smmgen {__version__}: what CI"
                " checks and publishes may differ from what you see here",
                file=pin.file,
                line=pin.line,
                hint=(
                    f"run `smmgen init --upgrade` to move the workflows to {__version__},"
                    f" or install smmgen=={pin.version} here"
                ),
            )
