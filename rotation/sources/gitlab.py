"""GitLab project or group access tokens, minted with a token kept in another secret.

Each rotation creates a new token named `TOKEN-NAME-ROTATION` and retires old ones by id with
DELETE once no repository uses them, so the old and the new token overlap while repositories
move. GitLab's rotate endpoint is deliberately not used: it revokes the old token at once, so
pip would fail until the repositories moved, and a crash between rotating and storing would lose
the only live token. The name carries the rotation id, so a token minted by an interrupted attempt
is found and revoked when the rotation resumes: no live token is left unrecorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from urllib.parse import quote

import httpx

from rotation.core import logs
from rotation.core.annotation_values import PREFIX
from rotation.core.config import Problems, RotationConfig
from rotation.core.formats import PYTHON
from rotation.core.source import NewToken, SourceContext, token_lifetime
from rotation.core.token import Token
from rotation.sources.gitlab_expiry import MAX_LIFETIME_DAYS, GitLabExpiry, gitlab_expiry
from rotation.sources.http_minting import HttpMintingSource
from rotation.sources.upstream_api import TokenCollection, call, json_field

_SCOPES = {"api", "read_api", "read_registry", "read_repository"}
_ACCESS_LEVELS = {"10", "15", "20", "30", "40", "50"}
_MAX_LIFETIME = timedelta(days=MAX_LIFETIME_DAYS)
_REFUSED = (
    "the minting token in token-rotator.minting-secret was refused: it must be a live token of a "
    "Maintainer (or Owner) of the project or group, with the api scope"
)


class GitLab(HttpMintingSource):
    name = "gitlab"
    url_key = "gitlab-url"
    input_secrets = ("minting-secret",)
    keys = frozenset(
        {
            "minting-secret",
            "gitlab-url",
            "gitlab-project",
            "gitlab-group",
            "token-scopes",
            "token-name",
            "access-level",
        }
    )

    def validate_settings(self, config: RotationConfig, problems: Problems) -> None:
        owners = [
            key for key in ("gitlab-project", "gitlab-group") if key in config.source_settings
        ]
        if len(owners) != 1:
            problems.add(
                f"{PREFIX}gitlab-project",
                config.source_settings.get("gitlab-project"),
                f"source gitlab needs exactly one of {PREFIX}gitlab-project and "
                f"{PREFIX}gitlab-group (found {len(owners)})",
                "name the project (id or full path) or group whose access token to rotate",
            )
        for key in owners:
            owner = config.source_settings[key]
            if "%" in owner or owner.strip("/") != owner:
                problems.add(
                    f"{PREFIX}{key}",
                    owner,
                    f"annotation {PREFIX}{key} is not a plain id or full path",
                    "give the numeric id or the full path as GitLab shows it (group/project), "
                    "neither URL-encoded nor with leading or trailing slashes",
                )
        scopes = _scopes(config)
        if not scopes <= _SCOPES:
            problems.add(
                f"{PREFIX}token-scopes",
                config.source_settings.get("token-scopes"),
                f"annotation {PREFIX}token-scopes has {sorted(scopes - _SCOPES)}, not read scopes "
                f"a package index needs",
                f"use a comma-separated subset of {', '.join(sorted(_SCOPES))}",
            )
        level = config.source_settings.get("access-level", "20")
        if level not in _ACCESS_LEVELS:
            problems.add(
                f"{PREFIX}access-level",
                level,
                f"annotation {PREFIX}access-level must be one of "
                f"{', '.join(sorted(_ACCESS_LEVELS))}",
                "use 10 (guest), 15 (planner), 20 (reporter, enough to read packages), 30, 40 or 50",
            )
        if config.token_lifetime and config.token_lifetime > _MAX_LIFETIME:
            problems.add(
                f"{PREFIX}token-lifetime",
                config.source_settings.get("token-lifetime"),
                f"annotation {PREFIX}token-lifetime is longer than GitLab's 365-day maximum",
                f"set {PREFIX}token-lifetime to 365d or less",
            )

    def obtain(self, context: SourceContext) -> NewToken:
        api = _Api(self._http, context)
        name = token_name(context.config, context.rotation_id)
        if context.resumed:
            api.revoke_named(name)
        lifetime = token_lifetime(context.config, context.secret.rotation_period)
        expiry = gitlab_expiry(context.now, lifetime)
        if expiry.clamped:
            _warn_clamped(context, expiry)
        created = api.tokens.create(
            json={
                "name": name,
                "scopes": sorted(_scopes(context.config)),
                "expires_at": expiry.expires_on.isoformat(),
                "access_level": int(context.config.source_settings.get("access-level", "20")),
            }
        )
        token_id = str(json_field(created, "id", "creating a GitLab access token"))
        token = Token(str(json_field(created, "token", "creating a GitLab access token")))
        logs.info(
            f"created GitLab access token {token_id} ({name}), expiring on {expiry.expires_on}",
            secret=context.secret.name,
        )
        return NewToken(token, expiry.expires_at, retire_data={"token_id": token_id})

    def check_url(self, context: SourceContext) -> str | None:
        """`check-url`; for Python, by default the project's (group's) PyPI endpoint. GitLab's
        container, npm and Maven registries are checked only at a `check-url` (README:
        Formats)."""
        if context.config.check_url or context.served.format != PYTHON:
            return context.config.check_url
        return pypi_endpoint(context.config)

    def retire(self, retire_data: Mapping[str, str], context: SourceContext) -> None:
        api = _Api(self._http, context)
        if "token_id" in retire_data:
            api.tokens.revoke(retire_data["token_id"])
        elif "rotation" in retire_data:
            api.revoke_named(token_name(context.config, retire_data["rotation"]))
        elif "version" in retire_data:
            # A token this tool did not mint (the one stored first): ask GitLab which it is.
            token_id = api.identify(context.secrets.access(retire_data["version"]))
            if token_id is not None:
                api.tokens.revoke(token_id)


def _warn_clamped(context: SourceContext, expiry: GitLabExpiry) -> None:
    """GitLab refuses a later date: say so, and whether the token dies before its successor."""
    period = context.secret.rotation_period
    outlives = period is None or expiry.expires_at > context.now + period
    logs.warning(
        f"GitLab accepts no expiry later than {MAX_LIFETIME_DAYS} days from today: the new "
        f"token expires on {expiry.expires_on} instead of {expiry.wanted_on}"
        + ("" if outlives else ", before the next rotation is due"),
        secret=context.secret.name,
        remedy=None if outlives else "make the secret's rotation period shorter than a year",
    )


def token_name(config: RotationConfig, rotation_id: str) -> str:
    return f"{config.source_settings.get('token-name', 'ar-token-rotator')}-{rotation_id}"


def pypi_endpoint(config: RotationConfig) -> str:
    """The project's (group's) PyPI endpoint on the GitLab instance."""
    base = config.setting("gitlab-url").rstrip("/")
    if "gitlab-project" in config.source_settings:
        project = quote(config.setting("gitlab-project"), safe="")
        return f"{base}/api/v4/projects/{project}/packages/pypi/simple"
    group = quote(config.setting("gitlab-group"), safe="")
    return f"{base}/api/v4/groups/{group}/-/packages/pypi/simple"


def _scopes(config: RotationConfig) -> set[str]:
    text = config.source_settings.get("token-scopes", "read_api")
    return {scope.strip() for scope in text.split(",") if scope.strip()}


class _Api:
    """The access tokens of one project or group, managed with the minting token."""

    def __init__(self, http: httpx.Client, context: SourceContext) -> None:
        config = context.config
        kind, owner = (
            ("projects", config.setting("gitlab-project"))
            if "gitlab-project" in config.source_settings
            else ("groups", config.setting("gitlab-group"))
        )
        self._http = http
        self._base = config.setting("gitlab-url").rstrip("/")
        self.tokens = TokenCollection(
            http,
            f"{self._base}/api/v4/{kind}/{quote(owner, safe='')}/access_tokens",
            {"PRIVATE-TOKEN": context.read_secret("minting-secret").reveal()},
            "GitLab access token",
            _REFUSED,
        )

    def identify(self, token: Token) -> str | None:
        """The id of a token, asked with the token itself; None if GitLab no longer knows it."""
        answer = call(
            self._http,
            "GET",
            f"{self._base}/api/v4/personal_access_tokens/self",
            doing="identifying an access token stored before rotation began",
            refused_remedy="",
            accept=(401, 404),  # revoked or expired: nothing left to revoke
            headers={"PRIVATE-TOKEN": token.reveal()},
        )
        if answer.status_code in (401, 404):
            return None
        return str(json_field(answer, "id", "identifying an access token"))

    def revoke_named(self, name: str) -> None:
        """Revoke every active token called `name`."""
        listed = self.tokens.listing_pages(state="active", per_page="100")
        self.tokens.revoke_unstored(
            [str(t["id"]) for t in listed if t.get("name") == name and t.get("active", True)]
        )
