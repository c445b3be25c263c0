"""JFrog Artifactory access tokens, minted with an admin token kept in another secret.

The token's subject is `token-rotator.username`, which is also the user pip sends (Artifactory
refuses `__token__`). Its description carries the rotation id, so a token minted by an
interrupted attempt is found and revoked when the rotation resumes. Old tokens are revoked by id
once no repository uses them.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from rotation.core import logs
from rotation.core.annotation_values import PREFIX
from rotation.core.config import Problems, RotationConfig
from rotation.core.source import NewToken, SourceContext, token_lifetime
from rotation.core.token import Token
from rotation.sources.http_minting import HttpMintingSource
from rotation.sources.upstream_api import TokenCollection, json_field

_REFUSED = (
    "the minting token in token-rotator.minting-secret was refused: it must be a live admin "
    "(or token-manager) access token of this Artifactory"
)


class Artifactory(HttpMintingSource):
    name = "artifactory"
    url_key = "artifactory-url"
    input_secrets = ("minting-secret",)
    keys = frozenset({"minting-secret", "artifactory-url", "token-scope"})

    def validate_settings(self, config: RotationConfig, problems: Problems) -> None:
        if config.username in (None, "__token__"):
            problems.add(
                f"{PREFIX}username",
                config.source_settings.get("username"),
                f"source artifactory needs {PREFIX}username: Artifactory refuses __token__",
                f"set {PREFIX}username to the user the tokens are minted for",
            )

    def obtain(self, context: SourceContext) -> NewToken:
        tokens = _tokens(self._http, context)
        description = _description(context.secret.name, context.rotation_id)
        if context.resumed:
            _revoke_described(tokens, description)
        lifetime = token_lifetime(context.config, context.secret.rotation_period)
        created = tokens.create(
            data={
                "username": context.username,
                "scope": context.config.source_settings.get(
                    "token-scope", "applied-permissions/user"
                ),
                "expires_in": str(int(lifetime.total_seconds())),
                "refreshable": "false",
                "description": description,
            }
        )
        doing = "creating an Artifactory access token"
        token_id = str(json_field(created, "token_id", doing))
        token = Token(str(json_field(created, "access_token", doing)))
        logs.info(f"created Artifactory access token {token_id}", secret=context.secret.name)
        return NewToken(token, context.now + lifetime, retire_data={"token_id": token_id})

    def retire(self, retire_data: Mapping[str, str], context: SourceContext) -> None:
        tokens = _tokens(self._http, context)
        if "token_id" in retire_data:
            tokens.revoke(retire_data["token_id"])
        elif "rotation" in retire_data:
            _revoke_described(tokens, _description(context.secret.name, retire_data["rotation"]))
        else:
            logs.warning(
                "no Artifactory token id recorded for this version (it was stored by hand): "
                "revoke it in Artifactory if it is live",
                secret=context.secret.name,
            )


def _description(secret: str, rotation_id: str) -> str:
    return f"ar-token-rotator {secret} rotation {rotation_id}"


def _tokens(http: httpx.Client, context: SourceContext) -> TokenCollection:
    url = f"{context.config.setting('artifactory-url').rstrip('/')}/access/api/v1/tokens"
    minting = context.read_secret("minting-secret").reveal()
    return TokenCollection(
        http, url, {"Authorization": f"Bearer {minting}"}, "Artifactory access token", _REFUSED
    )


def _revoke_described(tokens: TokenCollection, description: str) -> None:
    listed = tokens.listing().get("tokens", [])
    tokens.revoke_unstored(
        [str(t["token_id"]) for t in listed if t.get("description") == description]
    )
