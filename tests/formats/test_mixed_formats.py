"""One secret, repositories of two formats: the rotation stops before anything is minted, naming
each repository's format (one token is checked one way and sent with one username)."""

from __future__ import annotations

from tests.formats.docker_support import docker_repository
from tests.support import PROJECT, repository_name


def test_a_secret_feeding_a_python_and_a_docker_repository_stops_before_minting(
    world, function_server, token_registry
):
    docker = repository_name("docker-mixed")
    secret = world.rotated_secret()
    token_registry.registry.allow("__token__", world.token(f"{secret}/versions/1"))
    registry = token_registry.registry.url
    docker_repository(world, docker, f"{secret}/versions/1", "__token__", registry)
    listed = world.annotations(secret)["token-rotator.repositories"]
    annotations = world.annotate(secret, repositories=f"{listed},{docker}")
    world.apply_module_grants(secret, annotations, PROJECT)  # terraform apply, the list changed
    mark = function_server.mark()

    world.publish_rotate(secret)
    world.settle()

    assert world.versions(secret) == {1: "ENABLED"}, "nothing was minted or added"
    assert world.points_at(docker) == f"{secret}/versions/1"
    entries = function_server.entries(since=mark)
    [failed] = [e for e in entries if e.get("event") == "rotation_failed"]
    assert "repositories/pypi is PYTHON" in failed["message"]
    assert "repositories/docker-mixed is DOCKER" in failed["message"]
    assert "its own secret" in failed["remedy"]
