"""A secret's configuration, from its `token-rotator.*` annotations (the deployment's defaults in
`settings`). Every error names the key, the value and what is allowed."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from rotation.core import egress
from rotation.core.annotation_values import (
    PREFIX,
    STATE_KEY,
    URL,
    annotation_duration,
    check_url,
    names,
)
from rotation.core.errors import ConfigError, InvalidAnnotations, Problem
from rotation.core.settings import Settings
from rotation.core.values import flag, keep_versions_value

_REPOSITORY = re.compile(r"^projects/([^/\s]+)/locations/([^/\s]+)/repositories/([^/\s]+)$")
_LOCATION = re.compile(r"^projects/([^/\s]+)/locations/([^/\s]+)$")


# The keys every secret may set; each source declares its own (TokenSource.keys).
COMMON_KEYS = frozenset(
    {
        "source",
        "repositories",
        "discover",
        "username",
        "grant-access",
        "min-interval",
        "keep-versions",
        "check-url",
        "index-url",
        "token-lifetime",
        "take-over-from",
        "state",
    }
)


def known_keys(sources: Mapping[str, frozenset[str]]) -> frozenset[str]:
    """The annotation keys (without the prefix) of the common configuration and of the sources,
    each source by its name with its own keys."""
    return COMMON_KEYS.union(*sources.values())


@dataclass(frozen=True)
class RotationConfig:
    """One secret's settings, read from its annotations."""

    source: str
    repositories: tuple[str, ...] = ()
    discover: tuple[str, ...] = ()
    username: str | None = None  # None: the source's or the format's (core.formats.username)
    grant_access: bool = False
    min_interval: timedelta = timedelta(hours=1)
    keep_versions: int = 2
    check_url: str | None = None  # where a new token is tried (check-url, formerly index-url)
    token_lifetime: timedelta | None = None
    source_settings: Mapping[str, str] = field(default_factory=dict)

    def setting(self, key: str) -> str:
        """A source-specific annotation (without the prefix) the source requires."""
        value = self.source_settings.get(key)
        if value is None:
            raise ConfigError(
                f"annotation {PREFIX}{key} is required by source {self.source!r}",
                remedy=f"add the annotation {PREFIX}{key} to the secret",
                key=PREFIX + key,
            )
        return value


def is_opted_in(annotations: Mapping[str, str]) -> bool:
    return PREFIX + "source" in annotations


def configured(annotations: Mapping[str, str]) -> dict[str, str]:
    """What an operator configures: the token-rotator.* annotations but the rotation's state."""
    return {k: v for k, v in annotations.items() if k.startswith(PREFIX) and k != STATE_KEY}


class Problems:
    """Collects the ConfigErrors of several checks, so every invalid value is reported at once."""

    def __init__(self) -> None:
        self.found: list[Problem] = []

    @contextmanager
    def check(self) -> Iterator[None]:
        try:
            yield
        except InvalidAnnotations as error:
            self.found.extend(error.problems)
        except ConfigError as error:
            self.found.append(Problem.of(error))

    def add(self, key: str, value: str | None, problem: str, remedy: str) -> None:
        self.found.append(Problem(key, value, problem, remedy))

    def raise_any(self, secret: str) -> None:
        if self.found:
            raise InvalidAnnotations(secret, self.found)


def load(
    annotations: Mapping[str, str],
    settings: Settings,
    sources: Mapping[str, frozenset[str]],
    secret_name: str = "the secret",  # noqa: S107 (a secret's name, not a password)
) -> RotationConfig:
    """Validate the secret's annotations; raise InvalidAnnotations naming every bad key and value."""
    config, problems = parse(annotations, settings, sources)
    problems.raise_any(secret_name)
    return config


def parse(
    annotations: Mapping[str, str], settings: Settings, sources: Mapping[str, frozenset[str]]
) -> tuple[RotationConfig, Problems]:
    """The secret's configuration, with the default in place of each invalid value, and the
    problems found; a source's own checks can then run on it and add theirs. `sources` names
    each source with its own annotation keys."""
    ours = {
        key[len(PREFIX) :]: value for key, value in annotations.items() if key.startswith(PREFIX)
    }
    problems = Problems()
    known = known_keys(sources)
    for key in sorted(set(ours) - known):
        problems.add(
            PREFIX + key,
            ours[key],
            f"unknown annotation {PREFIX}{key}={ours[key]!r}",
            f"remove it or fix its name; known keys: {', '.join(sorted(known - {'state'}))}",
        )
    source = ours.get("source", "")
    if source not in sources:
        problems.add(
            PREFIX + "source",
            source,
            f"annotation {PREFIX}source={source!r} is not a known source",
            f"use one of: {', '.join(sorted(sources))}",
        )
    repositories: tuple[str, ...] = ()
    discover: tuple[str, ...] = ()
    with problems.check():
        repositories = names(
            ours.get("repositories", ""),
            _REPOSITORY,
            "repositories",
            "projects/PROJECT/locations/LOCATION/repositories/REPOSITORY",
        )
    with problems.check():
        discover = names(
            ours.get("discover", ""), _LOCATION, "discover", "projects/PROJECT/locations/LOCATION"
        )
    if not ours.get("repositories", "").strip() and not ours.get("discover", "").strip():
        problems.add(
            PREFIX + "repositories",
            None,
            f"neither {PREFIX}repositories nor {PREFIX}discover is set: no repository to repoint",
            f"set {PREFIX}repositories to the repositories that use this secret",
        )
    username = ours.get("username")
    if username is not None and (
        not username or len(username) > 256 or any(c.isspace() for c in username)
    ):
        problems.add(
            PREFIX + "username",
            username,
            f"annotation {PREFIX}username={username!r} is empty, too long or has spaces",
            f"set {PREFIX}username to the upstream's user name (at most 256 characters, no spaces)",
        )
        username = None
    check_url = _check_url(ours, problems)
    for key in (*egress.URL_KEYS, *egress.LISTED_ONLY_KEYS):
        url = ours.get(key, "").replace("{id}", "id")
        if URL.match(url):
            with problems.check():
                egress.check_literal(
                    url, f"annotation {PREFIX}{key}", settings.plain_http, PREFIX + key
                )
    grant_access = settings.default_grant_access
    if "grant-access" in ours:
        with problems.check():
            grant_access = flag(
                ours["grant-access"], f"annotation {PREFIX}grant-access", PREFIX + "grant-access"
            )
    min_interval = settings.default_min_interval
    with problems.check():
        min_interval = annotation_duration(ours, "min-interval", settings.default_min_interval)
    keep_versions = settings.default_keep_versions
    if "keep-versions" in ours:
        with problems.check():
            keep_versions = keep_versions_value(
                ours["keep-versions"], f"annotation {PREFIX}keep-versions", PREFIX + "keep-versions"
            )
    token_lifetime = None
    if ours.get("token-lifetime"):
        with problems.check():
            token_lifetime = annotation_duration(ours, "token-lifetime", None)
    config = RotationConfig(
        source=source,
        repositories=repositories,
        discover=discover,
        username=username,
        grant_access=grant_access,
        min_interval=min_interval,
        keep_versions=keep_versions,
        check_url=check_url,
        token_lifetime=token_lifetime,
        source_settings={k: v for k, v in ours.items() if k != "state"},
    )
    return config, problems


def _check_url(ours: Mapping[str, str], problems: Problems) -> str | None:
    """`check-url`, or `index-url` (its name before formats other than Python); not both."""
    given = {key: ours[key] for key in ("check-url", "index-url") if key in ours}
    if len(set(given.values())) > 1:
        problems.add(
            PREFIX + "index-url",
            given["index-url"],
            f"both {PREFIX}check-url and {PREFIX}index-url are set, to different URLs",
            f"keep {PREFIX}check-url only ({PREFIX}index-url is its former name)",
        )
        return None
    for key, url in given.items():
        with problems.check():
            check_url(url, key)
            return url.rstrip("/")
    return None
