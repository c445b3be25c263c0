"""The secret every format's rotation test starts from: rotated by the `http` source (the token
authority's webhook), version 1 a token the webhook issued out of band, in use by the format's
repository, as `terraform apply` leaves it once the repository exists."""

from __future__ import annotations

from collections.abc import Callable

from emulator.token_authority import TokenAuthority
from tests.support import AR_AGENT, PROJECT, World


def webhook_secret(
    world: World,
    authority: TokenAuthority,
    *,
    secret_id: str,
    repository: str,
    username: str,
    create_repository: Callable[[str], None],
    **settings: str,
) -> str:
    """`create_repository(version)` makes the repository on the secret's version 1; `settings`
    are more annotations (`check_url=...`). keep-versions 1: each rotation revokes the token
    before it."""
    annotations = {
        "token-rotator.source": "http",
        "token-rotator.repositories": repository,
        "token-rotator.webhook-url": f"{authority.url}/webhook/tokens",
        "token-rotator.webhook-revoke-url": f"{authority.url}/webhook/tokens/{{id}}",
        "token-rotator.webhook-auth": "none",
        "token-rotator.username": username,
        "token-rotator.keep-versions": "1",
        **{f"token-rotator.{key.replace('_', '-')}": value for key, value in settings.items()},
    }
    first = authority.issue("webhook", username, "first").value
    secret = world.secret(secret_id, annotations, payload=first)
    world.grant(secret, AR_AGENT)
    create_repository(f"{secret}/versions/1")
    world.apply_module_grants(secret, annotations, PROJECT)
    return secret
