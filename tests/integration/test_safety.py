"""Safe while people act: every invalid value reported at once, `previous` kept for a rollback,
and tokens sent only to the hosts the deployment allows; through the real function."""

from __future__ import annotations

from tests.support import World, repository_name

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
