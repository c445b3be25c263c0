"""Testing a token with its source, a few times: a fresh token may take a moment to work
upstream."""

from __future__ import annotations

import time

from rotation.core import logs
from rotation.core.durations import format_duration
from rotation.core.errors import TokenRejected
from rotation.core.managed_secret import ManagedSecret
from rotation.core.retire import abandon
from rotation.core.source import SourceContext
from rotation.core.token import Token


def check_token(secret: ManagedSecret, token: Token, context: SourceContext, *, step: str) -> None:
    """The source's check, up to CHECK_ATTEMPTS times; raises the last TokenRejected."""
    attempts, delay = secret.settings.check_attempts, secret.settings.check_delay
    for attempt in range(1, attempts + 1):
        try:
            secret.source.check(token, context)
            return
        except TokenRejected as error:
            if attempt == attempts:
                raise
            logs.info(
                f"check {attempt} of {attempts} refused the token ({error}); checking again "
                f"in {format_duration(delay)}",
                **secret.fields(step),
            )
            time.sleep(delay.total_seconds())


def test_pending(
    secret: ManagedSecret, pending: int, token: Token | None, *, resumed: bool, step: str
) -> None:
    """Check the token of version `pending` (read from Secret Manager unless given); a token
    the source still refuses after the retries is abandoned."""
    if token is None:
        token = secret.services.secrets.access(secret.snapshot.version_name(pending))
    try:
        check_token(secret, token, secret.source_context(resumed=resumed), step=step)
    except TokenRejected as error:
        abandon(secret, pending, error, resumed=resumed, step="abandon")
        raise
    logs.info(
        f"the new token passed the check of source {secret.config.source}",
        **secret.fields(step),
    )
