"""What the sources that mint and revoke tokens over HTTP (gitlab, artifactory, http) share: the
HTTP client, the checks every one of them makes of its annotations, and the check of a new token
upstream."""

from __future__ import annotations

from typing import ClassVar

import httpx

from rotation.checks import check_upstream
from rotation.core.annotation_values import check_url
from rotation.core.config import Problems, RotationConfig
from rotation.core.source import SourceContext, TokenSource
from rotation.core.token import Token


class HttpMintingSource(TokenSource):
    # The annotation holding the URL the source sends its minting requests to.
    url_key: ClassVar[str]

    def __init__(self, http: httpx.Client) -> None:
        self._http = http

    def validate(self, config: RotationConfig) -> None:
        """The minting URL and every input secret must be set; then the source's own checks.
        Every problem is reported at once."""
        problems = Problems()
        with problems.check():
            check_url(config.setting(self.url_key), self.url_key)
        for key in self.input_secrets:
            with problems.check():
                config.setting(key)
        self.validate_settings(config, problems)
        problems.raise_any("the secret")

    def validate_settings(self, config: RotationConfig, problems: Problems) -> None:
        """Add a problem for each of the source's other annotations that is wrong."""

    def check_url(self, context: SourceContext) -> str | None:
        """Where a new token is tried, the way upstreams of its format are asked
        (rotation.checks); None: it is not tried."""
        return context.config.check_url

    def check(self, token: Token, context: SourceContext) -> None:
        url = self.check_url(context)
        if url:
            check_upstream(self._http, context.served.format, url, context.username, token)
