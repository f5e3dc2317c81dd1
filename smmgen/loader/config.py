"""Loading ``channels.yaml`` and ``calendar.yaml`` into typed models.

Every problem becomes a finding with file, line and key path; a channel that
is broken is left out so posts can still be checked against the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from smmgen import registry, secrets
from smmgen.errors import ConfigError
from smmgen.findings import Finding, Severity, format_key
from smmgen.loader.files import CALENDAR_FILE as CALENDAR_FILE
from smmgen.loader.files import CHANNELS_FILE as CHANNELS_FILE
from smmgen.loader.textfile import read_text
from smmgen.loader.validate import allowed_keys, looks_like_secret_key, validate
from smmgen.loader.yamlfile import YamlDoc, YamlProblem, describe, parse
from smmgen.models.base import NAME_RE
from smmgen.models.calendar import CalendarFile
from smmgen.models.channels import (
    Channel,
    ChannelsFile,
    Defaults,
    LedgerSettings,
    People,
    Policy,
)
from smmgen.suggest import did_you_mean, one_of

_YAML_HINT = "check the indentation, and quote values that contain ': ', '#' or start with '@'"


@dataclass
class LoadedFile:
    """A YAML file's parsed document (None when it could not be parsed)."""

    name: str
    doc: YamlDoc | None
    text: str | None


@dataclass
class Config:
    """channels.yaml and calendar.yaml as loaded: what validated, and what did not."""

    channels: dict[str, Channel] = field(default_factory=dict)
    defaults: Defaults = field(default_factory=Defaults)
    people: dict[str, dict[str, str]] = field(default_factory=dict)
    policy: Policy = field(default_factory=Policy)
    ledger: LedgerSettings = field(default_factory=LedgerSettings)
    calendar: CalendarFile = field(default_factory=CalendarFile)
    files: dict[str, LoadedFile] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    secret_values: set[str] = field(default_factory=set)
    broken_channels: set[str] = field(default_factory=set)

    def channel_names(self) -> list[str]:
        return sorted(self.channels)

    def default_channels(self) -> list[str]:
        chosen = self.defaults.channels
        return self.channel_names() if chosen == "all" else list(chosen)


def _read_yaml(root: Path, name: str, findings: list[Finding], *, required: bool) -> LoadedFile:
    path = root / name
    if not path.exists():
        if required:
            findings.append(
                Finding(
                    Severity.ERROR,
                    "missing-file",
                    "not found",
                    file=name,
                    hint="run `smmgen init` to create one",
                )
            )
        return LoadedFile(name, None, None)
    text, problem = read_text(path, name)
    if problem:
        findings.append(problem)
        return LoadedFile(name, None, None)
    assert text is not None
    parsed = parse(text)
    if isinstance(parsed, YamlProblem):
        findings.append(
            Finding(
                Severity.ERROR,
                "invalid-yaml",
                parsed.message,
                file=name,
                line=parsed.line,
                hint=parsed.hint or _YAML_HINT,
            )
        )
        return LoadedFile(name, None, text)
    if parsed.data is None:
        findings.append(
            Finding(
                Severity.ERROR if required else Severity.WARNING,
                "empty-file",
                "is empty",
                file=name,
                line=1,
                hint="run `smmgen init` in an empty directory to see a complete example",
            )
        )
        return LoadedFile(name, None, text)
    if not isinstance(parsed.data, dict):
        findings.append(
            Finding(
                Severity.ERROR,
                "wrong-type",
                f"expected a mapping of keys to values at the top, got {describe(parsed.data)}",
                file=name,
                line=1,
            )
        )
        return LoadedFile(name, None, text)
    return LoadedFile(name, parsed, text)


def _unknown_top_keys(
    data: dict[str, Any], model: type[BaseModel], file: LoadedFile, findings: list[Finding]
) -> None:
    known = allowed_keys(model, ())
    for key in data:
        if str(key) in known:
            continue
        line = file.doc.line_of((key,)) if file.doc else None
        if looks_like_secret_key(str(key)):
            code, message = "secret-in-file", "holds a secret in a file; secrets never go in files"
            hint = "store it as a CI secret and name its variable in a *_env key"
        else:
            code, message = "unknown-key", "unknown key"
            hint = did_you_mean(str(key), known) or f"known keys: {', '.join(known)}"
        findings.append(
            Finding(
                Severity.ERROR, code, message, file=file.name, line=line, key=str(key), hint=hint
            )
        )


def _load_channels(config: Config, file: LoadedFile) -> None:
    findings = config.findings
    assert file.doc is not None
    data: dict[str, Any] = file.doc.data
    doc = file.doc
    _unknown_top_keys(data, ChannelsFile, file, findings)
    where: dict[str, Any] = {"file": file.name, "doc": doc, "sink": findings}

    if "defaults" in data:
        defaults = validate(Defaults, data["defaults"], prefix=("defaults",), **where)
        config.defaults = defaults or Defaults()
    if "policy" in data:
        config.policy = validate(Policy, data["policy"], prefix=("policy",), **where) or Policy()
    if "ledger" in data:
        ledger = validate(LedgerSettings, data["ledger"], prefix=("ledger",), **where)
        config.ledger = ledger or LedgerSettings()
    if "people" in data:
        people = validate(People, data["people"], prefix=("people",), **where)
        if people is not None:
            config.people = people.root

    raw_channels = data.get("channels")
    if raw_channels is None:
        findings.append(
            Finding(
                Severity.ERROR,
                "missing-key",
                "required key is missing: the channels posts go to",
                file=file.name,
                line=1,
                key="channels",
                hint="add at least one, e.g. a feed: 'channels: {feed: {type: feed}}'",
            )
        )
        return
    if not isinstance(raw_channels, dict):
        findings.append(
            Finding(
                Severity.ERROR,
                "wrong-type",
                f"expected a mapping of channel names to settings, got {describe(raw_channels)}",
                file=file.name,
                line=doc.line_of(("channels",)),
                key="channels",
            )
        )
        return
    for name, entry in raw_channels.items():
        _load_channel(config, file, str(name), entry)


def _load_channel(config: Config, file: LoadedFile, name: str, entry: Any) -> None:
    assert file.doc is not None
    path = ("channels", name)
    line = file.doc.line_of(path)

    def problem(code: str, message: str, hint: str | None = None) -> None:
        config.findings.append(
            Finding(
                Severity.ERROR,
                code,
                message,
                file=file.name,
                line=line,
                key=format_key(path),
                hint=hint,
            )
        )

    config.broken_channels.add(name)
    if not NAME_RE.fullmatch(name):
        problem(
            "bad-name",
            f"'{name}' is not a usable channel name",
            "use lowercase letters, digits, '-' and '_', like 'mastodon' or 'x-premium'",
        )
    if not isinstance(entry, dict):
        problem(
            "wrong-type",
            f"expected the channel's settings as a mapping, got {describe(entry)}",
            "at least 'type:', e.g. 'type: mastodon'",
        )
        return
    kind = entry.get("type")
    if kind is None:
        problem("missing-key", f"the channel has no 'type'; expected {one_of(registry.types())}")
        return
    type_key = (*path, "type")

    def type_problem(code: str, message: str, hint: str | None = None) -> None:
        assert file.doc is not None
        config.findings.append(
            Finding(
                Severity.ERROR,
                code,
                message,
                file=file.name,
                line=file.doc.line_of(type_key),
                key=format_key(type_key),
                hint=hint,
            )
        )

    if not isinstance(kind, str):
        type_problem(
            "wrong-type",
            f"expected one channel type as text, {one_of(registry.types())}; got {describe(kind)}",
        )
        return
    model = _settings(kind)
    if model is None:
        known = registry.types()
        type_problem(
            "unknown-channel-type",
            f"unknown channel type '{kind}'; expected {one_of(known)}",
            did_you_mean(kind, known),
        )
        return
    channel = validate(
        model, entry, file=file.name, doc=file.doc, prefix=path, sink=config.findings
    )
    if channel is not None:
        config.channels[name] = channel
        config.broken_channels.discard(name)


def _settings(kind: str) -> type[Channel] | None:
    """The settings model of a network type, or None if no network has that type."""
    try:
        return registry.network(kind).settings
    except ConfigError:
        return None


def load_config(root: Path) -> Config:
    """channels.yaml and calendar.yaml from ``root``, with every problem as a finding."""
    config = Config()
    channels_file = _read_yaml(root, CHANNELS_FILE, config.findings, required=True)
    config.files[CHANNELS_FILE] = channels_file
    if channels_file.doc is not None:
        _load_channels(config, channels_file)
    calendar_file = _read_yaml(root, CALENDAR_FILE, config.findings, required=False)
    config.files[CALENDAR_FILE] = calendar_file
    if calendar_file.doc is not None:
        calendar = validate(
            CalendarFile,
            calendar_file.doc.data,
            file=CALENDAR_FILE,
            doc=calendar_file.doc,
            sink=config.findings,
        )
        if calendar is not None:
            config.calendar = calendar
        else:
            config.calendar = _salvage_calendar(calendar_file.doc.data)
    _check_references(config)
    _find_secrets(config)
    return config


def _find_secrets(config: Config) -> None:
    """Credentials pasted into the configuration files (reported, never printed)."""
    for name, loaded in config.files.items():
        if loaded.doc is None:
            continue
        for path, what, value in secrets.scan_data(loaded.doc.data):
            config.secret_values.add(value)
            config.findings.append(
                Finding(
                    Severity.ERROR,
                    "secret-in-file",
                    f"looks like {what}; secrets never go in files",
                    file=name,
                    line=loaded.doc.line_of(path),
                    key=format_key(path),
                    hint="store it as a CI secret and write the NAME of its environment"
                    " variable here instead",
                )
            )


def _salvage_calendar(data: dict[str, Any]) -> CalendarFile:
    """The parts of a broken calendar that are valid, so posts can still be checked."""
    good: dict[str, Any] = {}
    for key in CalendarFile.model_fields:
        alias = CalendarFile.model_fields[key].alias or key
        if alias in data:
            try:
                CalendarFile.model_validate({alias: data[alias]})
            except ValueError:
                continue
            good[alias] = data[alias]
    return CalendarFile.model_validate(good)


def _check_references(config: Config) -> None:
    """Names used across the config files: channels, people's networks, slots, policy."""
    names = set(config.channels) | config.broken_channels
    type_of = {name: channel.type for name, channel in config.channels.items()}
    types = {c.type for c in config.channels.values()}
    registered = set(registry.types())  # built-in and third-party network types
    channels_doc = config.files[CHANNELS_FILE].doc
    calendar_doc = config.files[CALENDAR_FILE].doc

    def unknown(
        doc: YamlDoc | None, file: str, path: tuple[str | int, ...], name: str, pool: set[str]
    ) -> None:
        config.findings.append(
            Finding(
                Severity.ERROR,
                "unknown-channel",
                f"unknown channel '{name}'",
                file=file,
                line=doc.line_of(path) if doc else None,
                key=format_key(path),
                hint=did_you_mean(name, pool, types=type_of) or f"channels are {one_of(names)}",
            )
        )

    if channels_doc is not None:
        if config.defaults.channels != "all":
            for index, name in enumerate(config.defaults.channels):
                if name not in names:
                    unknown(
                        channels_doc, CHANNELS_FILE, ("defaults", "channels", index), name, names
                    )
        for person, handles in config.people.items():
            for network in handles:
                if network != "name" and network not in names and network not in registered:
                    unknown(
                        channels_doc,
                        CHANNELS_FILE,
                        ("people", person, network),
                        network,
                        names | types,
                    )
        max_tags = config.policy.max_hashtags
        if isinstance(max_tags, dict):
            for key in max_tags:
                if key != "default" and key not in names and key not in registered:
                    unknown(
                        channels_doc,
                        CHANNELS_FILE,
                        ("policy", "max_hashtags", key),
                        key,
                        names | {"default"},
                    )
    raw_slots = calendar_doc.data.get("slots") if calendar_doc is not None else None
    if calendar_doc is not None and isinstance(raw_slots, dict):
        for key in raw_slots:
            if key != "default" and key not in names:
                unknown(calendar_doc, CALENDAR_FILE, ("slots", key), key, names | {"default"})
