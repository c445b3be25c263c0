"""`rollback` and `cleanup` on tokens minted by GitLab (the local token authority): the rollback's
check is a real request to the index with the older token, and pip through the remote repository
works after each command; cleanup revokes the tokens it retires at GitLab."""

from __future__ import annotations

import httpx

from tests.support import PROJECT, repository_name
from tests.upstreams import GITLAB, GITLAB_PROJECT_ID, minted_secret, pip_download

GITLAB_TOKENS = f"/api/v4/projects/{GITLAB_PROJECT_ID}/access_tokens"
REPOSITORY = repository_name("private-pypi")


def token_id(authority, value: str) -> str:
    return next(t.id for t in authority.issued("gitlab") if t.value == value)


def live(authority, value: str) -> bool:
    return any(t.value == value for t in authority.live("gitlab"))


def test_rollback_and_cleanup_of_gitlab_tokens(cloud, cli, authority, private_index, tmp_path):
    secret = minted_secret(cloud, authority, private_index, GITLAB, keep_versions="3")
    assert cli("rotate", secret).code == 0
    assert cli("rotate", secret, "--force").code == 0
    assert cloud.aliases(secret) == {"current": 3, "previous": 2}
    tokens = {v: cloud.token(f"{secret}/versions/{v}") for v in (1, 2, 3)}
    url = cloud.emulator.index_url(PROJECT, "private-pypi")

    rolled = cli("rollback", secret)
    assert rolled.code == 0, rolled.err
    assert cloud.points_at(REPOSITORY) == f"{secret}/versions/2"
    assert pip_download(url, tmp_path / "after-rollback").returncode == 0

    # The version rolled away from has its token revoked at GitLab, out of band: rolling back
    # to it is refused by the index itself, and nothing changes.
    minting = cloud.token(f"{secret.rsplit('/', 1)[0]}/gitlab-minting-token/versions/1")
    revoked = httpx.delete(
        f"{authority.url}{GITLAB_TOKENS}/{token_id(authority, tokens[3])}",
        headers={"PRIVATE-TOKEN": minting},
    )
    assert revoked.status_code == 204
    refused = cli("rollback", secret)
    assert refused.code == 1
    assert "the token of version 3 (`previous`) does not pass the check of source gitlab" in (
        refused.err
    )
    assert "(HTTP 403)" in refused.err  # the index, asked with the revoked token
    assert cloud.points_at(REPOSITORY) == f"{secret}/versions/2"

    found = cloud.sm.get_secret(name=secret)
    found.annotations["token-rotator.keep-versions"] = "1"
    cloud.sm.update_secret(secret=found, update_mask={"paths": ["annotations"]})
    cleaned = cli("cleanup", secret)
    assert cleaned.code == 0, cleaned.err
    assert cleaned.out == f"{secret}: retired versions 1, 3; enabled and kept: 2\n"
    assert cloud.versions(secret) == {1: "DISABLED", 2: "ENABLED", 3: "DISABLED"}
    assert cloud.aliases(secret) == {"current": 2}
    assert not live(authority, tokens[1])  # the token stored by hand, found by itself
    assert live(authority, tokens[2])
    assert pip_download(url, tmp_path / "after-cleanup").returncode == 0
