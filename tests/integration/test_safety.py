"""Safe while people act: every invalid value reported at once, `previous` kept for a rollback,
and tokens sent only to the hosts the deployment allows; through the real function."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from rotation.cli.rollback_cleanup import Rollback
from rotation.core.settings import Settings
from rotation.function.wiring import build_services
from tests.support import AR_AGENT, TOPIC, World, repository_name
from tests.upstreams import GITLAB, WEBHOOK, RecordingServer, minted_secret

REPO = repository_name("pypi")
# Four invalid values on a gitlab secret: two the configuration checks, two the source's own.
FOUR_BAD = {
    "source": "gitlab",
    "keep-versions": "none",
    "min-interval": "soon",
    "gitlab-url": "gitlab.example.com",
    "gitlab-project": "platform/wheels",
    "minting-secret": "gitlab-minting-token",
    "access-level": "99",
}
FOUR_BAD_KEYS = [
    "token-rotator.access-level",
    "token-rotator.gitlab-url",
    "token-rotator.keep-versions",
    "token-rotator.min-interval",
]


def four_bad_secret(world: World, repository: str = REPO) -> str:
    annotations = {f"token-rotator.{key}": value for key, value in FOUR_BAD.items()}
    annotations["token-rotator.repositories"] = repository
    name = world.secret("bad-token", annotations, payload="glpat-" + "a" * 20)
    world.grant(name, AR_AGENT)
    world.repository(repository, f"{name}/versions/1")
    return name


def test_the_function_logs_every_invalid_annotation_at_once(world, function_server):
    secret = four_bad_secret(world)
    before = world.annotations(secret)
    mark = function_server.mark()
    world.publish_rotate(secret)
    world.settle()

    [failed] = [
        e
        for e in function_server.entries(mark)
        if e.get("event") == "rotation_failed" and e.get("secret") == secret
    ]
    assert failed["error_type"] == "InvalidAnnotations"
    problems = {p["key"]: p for p in failed["problems"]}
    assert sorted(problems) == FOUR_BAD_KEYS
    assert problems["token-rotator.access-level"]["value"] == "99"
    assert problems["token-rotator.gitlab-url"]["value"] == "gitlab.example.com"
    assert problems["token-rotator.keep-versions"]["value"] == "none"
    assert problems["token-rotator.min-interval"]["value"] == "soon"
    assert all(p["remedy"] and p["problem"] for p in problems.values())
    assert world.annotations(secret) == before
    assert world.versions(secret) == {1: "ENABLED"}


@pytest.fixture
def recorder() -> Iterator[RecordingServer]:
    server = RecordingServer()
    yield server
    server.stop()


def failures(function_server, mark: int, secret: str) -> list[dict]:
    return [
        e
        for e in function_server.entries(mark)
        if e.get("event") == "rotation_failed" and e.get("secret") == secret
    ]


def test_a_gitlab_url_outside_the_allowed_hosts_receives_nothing(
    world, function_server, authority, private_index, recorder
):
    """The repository's upstream is the real GitLab; an annotation points gitlab-url elsewhere."""
    secret = minted_secret(world, authority, private_index, GITLAB, gitlab_url=recorder.url)
    before = world.annotations(secret)
    mark = function_server.mark()
    world.publish_rotate(secret)
    world.settle()

    [failed] = failures(function_server, mark, secret)
    assert failed["error_type"] == "UpstreamRefused"
    assert f"host {recorder.host} is not one this function may contact" in failed["message"]
    assert "ALLOWED_UPSTREAM_HOSTS" in failed["remedy"]
    assert failed["problems"][0]["key"] == "token-rotator.gitlab-url"
    assert recorder.requests == []
    assert world.versions(secret) == {1: "ENABLED"}
    assert world.annotations(secret) == before


def test_a_webhook_host_must_be_listed_even_if_a_repository_uses_it(
    world, start_function, authority, private_index
):
    """The webhook's host is the repository's own upstream, but ALLOWED_UPSTREAM_HOSTS does not
    list it: refused before anything is sent."""
    function = start_function(ALLOWED_UPSTREAM_HOSTS=urlsplit(authority.url).netloc)
    world.emulator.pubsub.push_to_function(TOPIC, function.url)
    index = urlsplit(private_index.index_url)
    secret = minted_secret(
        world,
        authority,
        private_index,
        WEBHOOK,
        webhook_url=f"{index.scheme}://{index.netloc}/tokens",
        webhook_revoke_url=f"{index.scheme}://{index.netloc}/tokens/{{id}}",
    )
    mark = function.mark()
    world.publish_rotate(secret)
    world.settle()

    [failed] = failures(function, mark, secret)
    assert "token-rotator.webhook-url (a webhook: listed hosts only)" in failed["message"]
    assert f"host {index.netloc} is not one this function may contact" in failed["message"]
    assert world.versions(secret) == {1: "ENABLED"}


def test_metadata_and_link_local_urls_are_refused_as_configuration(world, function_server):
    secret = world.rotated_secret(
        index_url="http://169.254.169.254/computeMetadata/v1/",
    )
    other = world.rotated_secret(
        "other-token",
        repositories=repository_name("other"),
        index_url="https://metadata.google.internal/simple",
    )
    mark = function_server.mark()
    world.publish_rotate(secret)
    world.publish_rotate(other)
    world.settle()
    for name in (secret, other):
        [failed] = failures(function_server, mark, name)
        assert "names the metadata server or a link-local address" in failed["message"]
        assert failed["problems"][0]["key"] == "token-rotator.index-url"
        assert world.versions(name) == {1: "ENABLED"}


def completed(function_server, mark: int, secret: str) -> dict:
    [entry] = [
        e
        for e in function_server.entries(mark)
        if e.get("event") == "rotation_completed" and e.get("secret") == secret
    ]
    return entry


def test_keep_versions_2_keeps_previous_through_rotations_and_rollback_works(
    world, function_server
):
    secret = world.rotated_secret()
    world.fire_schedule()
    world.settle()
    mark = function_server.mark()
    world.publish_rotate(secret, force=True)
    world.settle()

    assert completed(function_server, mark, secret)["rollback"] == "to version 2 (previous)"
    assert world.aliases(secret) == {"current": 3, "previous": 2}
    assert world.versions(secret) == {1: "DISABLED", 2: "ENABLED", 3: "ENABLED"}
    result = Rollback(secret, build_services(), Settings.from_env()).run()
    assert (result.current, result.previous) == (2, 3)
    assert world.points_at(REPO) == f"{secret}/versions/2"


def test_keep_versions_1_says_the_rotation_leaves_no_rollback(world, function_server):
    secret = world.rotated_secret(keep_versions="1")
    mark = function_server.mark()
    world.fire_schedule()
    world.settle()

    entry = completed(function_server, mark, secret)
    assert entry["rollback"].startswith("impossible: keep-versions 1 retires the old current")
    assert entry["retired_versions"] == [1]
    assert world.aliases(secret) == {"current": 2}
