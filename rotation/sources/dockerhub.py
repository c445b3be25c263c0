"""Docker Hub access tokens, minted with an admin credential kept in another secret.

Each rotation logs in to Docker Hub (`POST /v2/auth/token`) and creates a read-only token with an
expiry: a personal access token (`repo:read`) of the user `dockerhub-namespace`, or an
organization access token (`scope-image-pull` on `dockerhub-repositories`, by default all public
repositories) of the organization `dockerhub-namespace`. Either way the repository's user name is
that namespace. The token's label carries the rotation id, so a token minted by an interrupted
attempt is found by label and deleted when the rotation resumes. Old tokens are deleted by id once
no repository uses them; the one stored by hand is not known to the function, which says so.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from rotation.core import logs
from rotation.core.annotation_values import PREFIX
from rotation.core.config import Problems, RotationConfig
from rotation.core.formats import DOCKER
from rotation.core.source import NewToken, SourceContext, token_lifetime
from rotation.core.token import Token
from rotation.sources.dockerhub_api import DEFAULT_URL, DockerHubTokens
from rotation.sources.http_minting import HttpMintingSource

# A Docker Hub user or organization name (as a registry path component allows it).
_NAMESPACE = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")
_KINDS = ("personal", "organization")
_PUBLIC = "*/*/public"  # Docker Hub's path for every public repository
_MAX_REPOSITORIES = 50
_MAX_LABEL = 100  # Docker Hub's limit on a personal access token's label


class DockerHub(HttpMintingSource):
    name = "dockerhub"
    url_key = "dockerhub-url"
    input_secrets = ("admin-secret",)
    keys = frozenset(
        {
            "dockerhub-url",
            "dockerhub-namespace",
            "dockerhub-token-kind",
            "dockerhub-repositories",
            "admin-secret",
            "admin-username",
        }
    )

    def validate(self, config: RotationConfig) -> None:
        settings = {self.url_key: DEFAULT_URL, **config.source_settings}
        super().validate(replace(config, source_settings=settings))

    def validate_settings(self, config: RotationConfig, problems: Problems) -> None:
        settings = config.source_settings
        with problems.check():
            config.setting("dockerhub-namespace")
        kind = settings.get("dockerhub-token-kind", "personal")
        if kind not in _KINDS:
            problems.add(
                f"{PREFIX}dockerhub-token-kind",
                kind,
                f"annotation {PREFIX}dockerhub-token-kind must be personal or organization",
                "use personal (a user's token) or organization (an organization's token)",
            )
        for key in ("dockerhub-namespace", "admin-username"):
            value = settings.get(key)
            if value is not None and not _NAMESPACE.match(value):
                problems.add(
                    f"{PREFIX}{key}",
                    value,
                    f"annotation {PREFIX}{key} is not a Docker Hub user or organization name",
                    "give the name as Docker Hub shows it (lowercase letters and digits)",
                )
        if kind == "organization":
            _validate_organization(settings, problems)
        elif "dockerhub-repositories" in settings:
            problems.add(
                f"{PREFIX}dockerhub-repositories",
                settings["dockerhub-repositories"],
                f"annotation {PREFIX}dockerhub-repositories applies to organization tokens only",
                f"remove it, or set {PREFIX}dockerhub-token-kind=organization",
            )

    def default_username(self, config: RotationConfig) -> str:
        """The user name Docker Hub takes with the token: the user, or the organization."""
        return config.setting("dockerhub-namespace")

    def check_url(self, context: SourceContext) -> str | None:
        """`check-url`; for Docker repositories of one upstream, by default that registry (Docker
        Hub's, `https://registry-1.docker.io`, or a mirror of it), asked by its token flow
        (README, Formats)."""
        served = context.served
        if context.config.check_url or served.format != DOCKER or len(served.upstream_urls) != 1:
            return context.config.check_url
        return served.upstream_urls[0]

    def obtain(self, context: SourceContext) -> NewToken:
        tokens = DockerHubTokens(self._http, context)
        label = token_label(context.secret.name, context.rotation_id)
        if context.resumed:
            tokens.revoke_labelled(label)
        expires_at = context.now + token_lifetime(context.config, context.secret.rotation_period)
        body: dict[str, Any] = {"expires_at": expires_at.isoformat().replace("+00:00", "Z")}
        if tokens.organization:
            body |= {
                "label": label,
                "description": f"pull token of {context.secret.name}, rotated by ar-token-rotator",
                "resources": [
                    {"type": "TYPE_REPO", "path": path, "scopes": ["scope-image-pull"]}
                    for path in repositories(context.config.source_settings)
                ],
            }
        else:
            body |= {"token_label": label, "scopes": ["repo:read"]}
        token_id, value = tokens.create(body)
        logs.info(f"created {tokens.what} {token_id}", secret=context.secret.name)
        return NewToken(Token(value), expires_at, retire_data={"token_id": token_id})

    def retire(self, retire_data: Mapping[str, str], context: SourceContext) -> None:
        if "token_id" in retire_data:
            DockerHubTokens(self._http, context).tokens.revoke(retire_data["token_id"])
        elif "rotation" in retire_data:
            label = token_label(context.secret.name, retire_data["rotation"])
            DockerHubTokens(self._http, context).revoke_labelled(label)
        else:
            logs.warning(
                "no Docker Hub token id recorded for this version (it was stored by hand): "
                "revoke it in Docker Hub's access token settings if it is live",
                secret=context.secret.name,
            )


def token_label(secret: str, rotation_id: str) -> str:
    """`ar-token-rotator ROTATION SECRET`, cut to Docker Hub's 100 characters; the rotation id
    comes first (hashed if long), so the cut never reaches it."""
    if len(rotation_id) > 40:
        rotation_id = hashlib.sha256(rotation_id.encode()).hexdigest()[:32]
    return f"ar-token-rotator {rotation_id} {secret}"[:_MAX_LABEL]


def repositories(settings: Mapping[str, str]) -> list[str]:
    text = settings.get("dockerhub-repositories", _PUBLIC)
    return list(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))


def _validate_organization(settings: Mapping[str, str], problems: Problems) -> None:
    namespace = settings.get("dockerhub-namespace", "")
    admin = settings.get("admin-username")
    if admin is None or admin == namespace:
        problems.add(
            f"{PREFIX}admin-username",
            admin,
            "organization tokens are managed by an owner of the organization, who logs in as "
            f"themself: {PREFIX}admin-username must name that user, not the organization",
            f"set {PREFIX}admin-username to an owner's Docker Hub user name",
        )
    paths = repositories(settings)
    wrong = [
        p
        for p in paths
        if p != _PUBLIC
        and not re.fullmatch(rf"{re.escape(namespace)}/(\*|[a-z0-9]+(?:[._-][a-z0-9]+)*)", p)
    ]
    if wrong or not paths or len(paths) > _MAX_REPOSITORIES:
        problems.add(
            f"{PREFIX}dockerhub-repositories",
            settings.get("dockerhub-repositories"),
            f"annotation {PREFIX}dockerhub-repositories must list 1 to {_MAX_REPOSITORIES} of "
            f"{_PUBLIC}, {namespace}/REPOSITORY or {namespace}/*"
            + (f" (not {', '.join(wrong)})" if wrong else ""),
            "list the organization's repositories the token may pull, comma-separated",
        )
