"""Reading playground.toml (tomllib) into a PlaygroundConfig, refusing anything it does not know."""

from __future__ import annotations

import re
import tomllib
from datetime import timedelta
from pathlib import Path

from playground.config import (
    FirstToken,
    Grant,
    Package,
    PlaygroundConfig,
    RepositorySpec,
    Schedule,
    SecretSpec,
    Upstream,
)
from playground.tables import ConfigFileError, Table
from rotation.core.durations import parse_duration

DEFAULT_CONFIG = Path(__file__).resolve().parent / "playground.toml"
_PROJECT_ID = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]")
_RESOURCE_ID = re.compile(r"[A-Za-z0-9_-]{1,255}")
_TOKEN_KINDS = ("gitlab", "artifactory", "minting")
_FULL_NAME = re.compile(r"projects/(?P<project>[^/]+)/(?P<kind>secrets|topics)/(?P<id>[^/]+)")


def load(file: Path) -> PlaygroundConfig:
    """The file's configuration; ConfigFileError (naming the file and the key) if it has a key
    this does not know, a value of the wrong type, or a reference to nothing it declares."""
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigFileError(
            f"{file}: cannot be read ({error.strerror})", "give an existing file with --config"
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigFileError(f"{file}: not valid TOML: {error}", "correct the syntax") from None
    top = Table(
        data,
        "",
        file,
        ["project", "projects", "upstream", "topics", "secrets", "grants", "repositories"],
    )
    projects = _projects(top)
    project = top.text("project")
    if project not in projects:
        raise top.error(f"project {project!r} is not in [projects]", "add it to [projects]")
    upstream = top.table("upstream", ["packages"])
    resolve = _Resolver(top, project, projects)
    topics = tuple(resolve.name(t, "id", "topics") for t in top.tables("topics", ["id", "project"]))
    secrets = tuple(_secret(t, resolve, topics) for t in top.tables("secrets", _SECRET_KEYS))
    names = {s.name for s in secrets}
    return PlaygroundConfig(
        file=file,
        project=project,
        projects=projects,
        packages=tuple(_package(upstream, text) for text in upstream.strings("packages")),
        topics=topics,
        secrets=secrets,
        grants=tuple(_grant(t, resolve, names) for t in top.tables("grants", _GRANT_KEYS)),
        repositories=tuple(
            _repository(t, resolve, names) for t in top.tables("repositories", _REPOSITORY_KEYS)
        ),
    )


_SECRET_KEYS = ["id", "project", "topics", "annotations", "rotation", "first-token"]
_GRANT_KEYS = ["secret", "role", "member", "artifact-registry-agent-of"]
_REPOSITORY_KEYS = [
    *("id", "project", "location", "format", "upstream", "username"),
    *("password-secret", "password-version"),
]


class _Resolver:
    """Full names of what the file names by id (in the default project) or by full name."""

    def __init__(self, top: Table, project: str, projects: dict[str, int]) -> None:
        self.top, self.project, self.projects = top, project, projects

    def project_of(self, table: Table) -> str:
        project = table.text("project", self.project)
        if project not in self.projects:
            raise table.error(
                f"{table.path('project')} = {project!r} is not in [projects]",
                "add it to [projects] or correct it",
            )
        return project

    def name(self, table: Table, key: str, kind: str) -> str:
        """`projects/P/KIND/ID` for the table's id and project."""
        value = table.text(key)
        if not _RESOURCE_ID.fullmatch(value):
            raise table.error(
                f"{table.path(key)} = {value!r} is not an id", "use letters, digits, - and _"
            )
        return f"projects/{self.project_of(table)}/{kind}/{value}"

    def reference(
        self, table: Table, key: str, kind: str, known: set[str] | tuple[str, ...]
    ) -> str:
        """The full name of a declared secret or topic, named by id or full name."""
        return self.named(table, key, table.text(key), kind, known)

    def named(
        self, table: Table, key: str, value: str, kind: str, known: set[str] | tuple[str, ...]
    ) -> str:
        match = _FULL_NAME.fullmatch(value)
        name = value if match else f"projects/{self.project}/{kind}/{value}"
        if name not in known:
            raise table.error(
                f"{table.path(key)} = {value!r} names no {kind[:-1]} of the file",
                f"declare it in [[{kind}]] or correct the name",
            )
        return name


def _projects(top: Table) -> dict[str, int]:
    raw = top.get("projects", dict, required=True)
    for project_id, number in raw.items():
        if not _PROJECT_ID.fullmatch(project_id) or not isinstance(number, int) or number <= 0:
            raise top.error(
                f"projects.{project_id} = {number!r}: expected ID = NUMBER",
                "a project ID is 6-30 lowercase letters, digits and hyphens starting with a "
                "letter; its number a positive integer, e.g. demo-project = 123456789012",
            )
    if len(set(raw.values())) != len(raw):
        raise top.error("two projects share a number", "give each project its own number")
    return dict(raw)


def _package(table: Table, text: str) -> Package:
    name, _, version = text.partition("==")
    if not name or not version:
        raise table.error(
            f"{table.path('packages')}: {text!r} is not NAME==VERSION", "e.g. tiny-pkg==1.0"
        )
    return Package(name.strip(), version.strip())


def _secret(table: Table, resolve: _Resolver, topics: tuple[str, ...]) -> SecretSpec:
    name = resolve.name(table, "id", "secrets")
    project, _, secret_id = name.removeprefix("projects/").partition("/secrets/")
    listed = [resolve.named(table, "topics", t, "topics", topics) for t in table.strings("topics")]
    return SecretSpec(
        project=project,
        id=secret_id,
        topics=tuple(listed),
        annotations=table.string_table("annotations"),
        rotation=_schedule(table) if table.has("rotation") else None,
        first_token=_first_token(table) if table.has("first-token") else None,
    )


def _schedule(secret: Table) -> Schedule:
    table = secret.table("rotation", ["first", "period"])
    return Schedule(first=_duration(table, "first"), period=_duration(table, "period"))


def _duration(table: Table, key: str) -> timedelta:
    try:
        return parse_duration(table.text(key))
    except ValueError as error:
        raise table.error(
            f"{table.path(key)}: {error}", "write it as 90s, 30m, 12h or 7d"
        ) from None


def _first_token(secret: Table) -> FirstToken:
    value = secret.data["first-token"]
    if isinstance(value, str):
        return FirstToken("literal", value)
    table = secret.table("first-token", _TOKEN_KINDS)
    if len(table.data) != 1:
        raise table.error(
            f"{table.where} must name exactly one of {', '.join(_TOKEN_KINDS)}",
            'e.g. first-token = { gitlab = "group/project" }, or a literal string',
        )
    (kind,) = table.data
    return FirstToken(kind, table.text(kind))


def _grant(table: Table, resolve: _Resolver, secrets: set[str]) -> Grant:
    if table.has("member") == table.has("artifact-registry-agent-of"):
        raise table.error(
            f"{table.where} needs exactly one of member and artifact-registry-agent-of",
            'e.g. artifact-registry-agent-of = "demo-project"',
        )
    agent_of = table.get("artifact-registry-agent-of", str)
    if agent_of is not None and agent_of not in resolve.projects:
        raise table.error(
            f"{table.path('artifact-registry-agent-of')} = {agent_of!r} is not in [projects]",
            "add it to [projects]",
        )
    return Grant(
        secret=resolve.reference(table, "secret", "secrets", secrets),
        role=table.text("role"),
        member=table.get("member", str),
        agent_of=agent_of,
    )


def _repository(table: Table, resolve: _Resolver, secrets: set[str]) -> RepositorySpec:
    if table.text("format") != "python":
        raise table.error(
            f'{table.path("format")} must be "python"',
            "the emulator serves Python remote repositories only",
        )
    upstream = table.data.get("upstream")
    if upstream is None:
        raise table.error(
            f"{table.path('upstream')} is missing",
            'add upstream = { gitlab = "group/project" } or upstream = "https://..."',
        )
    if isinstance(upstream, str):
        target = Upstream(url=upstream)
    else:
        target = Upstream(gitlab_project=table.table("upstream", ["gitlab"]).text("gitlab"))
    version = table.get("password-version", int, required=True)
    return RepositorySpec(
        project=resolve.project_of(table),
        location=table.text("location"),
        id=resolve.name(table, "id", "repositories").rsplit("/", 1)[1],
        upstream=target,
        username=table.text("username"),
        password_secret=resolve.reference(table, "password-secret", "secrets", secrets),
        password_version=version,
    )
