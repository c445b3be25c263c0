"""`http`: a team's own minting service, called as a webhook, for any upstream we don't know.

    POST   token-rotator.webhook-url   {"secret", "rotation", "username"}
           -> 200 {"token": "...", "id"?: "...", "expires_at"?: RFC 3339}
    DELETE token-rotator.webhook-revoke-url, with {id} replaced   -> 2xx, or 404 if already gone

`rotation` is an idempotency key: a retried POST for the same rotation must not leave two live
tokens (return the same token, or revoke the earlier one). `{id}` is the id the POST returned, or
the rotation key when it returned none. Deployed, requests carry a Google-signed ID token for the
URL (`webhook-auth: google-id-token`, the default), so the service can check the caller is this
function's service account; `none` is for local use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from urllib.parse import quote, urlsplit

import httpx

from rotation.core import logs
from rotation.core.annotation_values import PREFIX, check_url
from rotation.core.config import Problems, RotationConfig
from rotation.core.errors import PermanentError
from rotation.core.source import NewToken, SourceContext
from rotation.core.token import Token
from rotation.sources.http_minting import HttpMintingSource
from rotation.sources.upstream_api import call, json_field

_AUTH_MODES = ("google-id-token", "none")
_REFUSED = "the webhook refused this function's identity: allow its service account to call the URL"
IdTokenFetcher = Callable[[str], str]


class Webhook(HttpMintingSource):
    name = "http"
    url_key = "webhook-url"
    keys = frozenset({"webhook-url", "webhook-revoke-url", "webhook-auth"})

    def __init__(self, http: httpx.Client, id_token: IdTokenFetcher | None = None) -> None:
        """`id_token` signs the requests of `webhook-auth: google-id-token` (the deployment
        passes Google's; without one, only `webhook-auth: none` works)."""
        super().__init__(http)
        self._id_token = id_token

    def validate_settings(self, config: RotationConfig, problems: Problems) -> None:
        revoke = config.source_settings.get("webhook-revoke-url")
        if revoke is not None:
            with problems.check():
                check_url(revoke.replace("{id}", "id"), "webhook-revoke-url")
            if "{id}" not in revoke:
                problems.add(
                    f"{PREFIX}webhook-revoke-url",
                    revoke,
                    f"annotation {PREFIX}webhook-revoke-url has no {{id}} in it",
                    "put {id} where the token's id goes, e.g. https://HOST/tokens/{id}",
                )
        if _auth_mode(config) not in _AUTH_MODES:
            problems.add(
                f"{PREFIX}webhook-auth",
                _auth_mode(config),
                f"annotation {PREFIX}webhook-auth={_auth_mode(config)!r} is not one of "
                f"{', '.join(_AUTH_MODES)}",
                f"use {' or '.join(_AUTH_MODES)}",
            )

    def obtain(self, context: SourceContext) -> NewToken:
        url = context.config.setting("webhook-url")
        answer = call(
            self._http,
            "POST",
            url,
            doing="asking the webhook for a token",
            refused_remedy=_REFUSED,
            json={
                "secret": context.secret.name,
                "rotation": context.rotation_id,
                "username": context.username,
            },
            headers=self._headers(context.config, url),
        )
        doing = "reading the webhook's answer"
        token = Token(str(json_field(answer, "token", doing)))
        body = answer.json()
        expires_at = _expiry(body.get("expires_at"))
        retire_data = {"token_id": str(body["id"])} if body.get("id") else {}
        return NewToken(token, expires_at, retire_data)

    def retire(self, retire_data: Mapping[str, str], context: SourceContext) -> None:
        template = context.config.source_settings.get("webhook-revoke-url")
        if template is None:
            logs.info(
                "no webhook-revoke-url: the old token is left to expire",
                secret=context.secret.name,
            )
            return
        token_id = retire_data.get("token_id") or retire_data.get("rotation")
        if not token_id:
            logs.warning(
                "no token id recorded for this version (it was stored by hand): revoke it at "
                "its issuer if it is live",
                secret=context.secret.name,
            )
            return
        url = template.replace("{id}", quote(token_id, safe=""))
        call(
            self._http,
            "DELETE",
            url,
            doing="asking the webhook to revoke a token",
            refused_remedy=_REFUSED,
            accept=(404,),
            headers=self._headers(context.config, url),
        )

    def _headers(self, config: RotationConfig, url: str) -> dict[str, str]:
        if _auth_mode(config) == "none":
            return {}
        parts = urlsplit(url)
        if self._id_token is None:
            raise PermanentError(
                "this deployment gives the webhook source no signer of Google ID tokens",
                remedy=f"run the deployed function, or set {PREFIX}webhook-auth=none",
            )
        return {"Authorization": f"Bearer {self._id_token(f'{parts.scheme}://{parts.netloc}')}"}


def _auth_mode(config: RotationConfig) -> str:
    return config.source_settings.get("webhook-auth", "google-id-token")


def _expiry(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        logs.warning("the webhook's expires_at is not an RFC 3339 time; ignored")
        return None
