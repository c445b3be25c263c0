"""The function runs as its service account with exactly the Terraform module's grants: what
the module grants is enough, and what it does not grant is refused with a remedy."""

from __future__ import annotations

import shutil

from tests.module_grants import ModuleGrants
from tests.support import FUNCTION_MEMBER, World, repository_name
from tests.terraform.hcl import TERRAFORM

REPO = repository_name("pypi")


def _failures(function_server, mark):
    return [e for e in function_server.entries(mark) if e.get("event") == "rotation_failed"]


def test_the_modules_grants_are_enough_for_a_rotation(world, function_server):
    secret = world.rotated_secret()
    mark = function_server.mark()
    world.fire_schedule()
    world.settle()
    assert _failures(function_server, mark) == []
    assert world.points_at(REPO) == f"{secret}/versions/2"


def test_a_function_without_its_grant_on_the_secret_logs_what_to_grant(world, function_server):
    secret = world.rotated_secret()
    policy = world.sm.get_iam_policy(request={"resource": secret})
    kept = [b for b in policy.bindings if FUNCTION_MEMBER not in b.members]
    del policy.bindings[:]
    policy.bindings.extend(kept)
    world.sm.set_iam_policy(request={"resource": secret, "policy": policy})
    mark = function_server.mark()
    world.fire_schedule()
    world.settle()

    failed = _failures(function_server, mark)
    assert failed[0]["error_type"] == "PermanentError"
    assert failed[0]["remedy"] == (
        f"grant the function's service account secretmanager.secrets.get on {secret}: the "
        "terraform module's custom role <role_id_prefix>Secret (tokenRotatorSecret by default) "
        "or the predefined role roles/secretmanager.viewer holds it; if it holds that already, "
        f"check that {secret} exists"
    )
    assert world.points_at(REPO) == f"{secret}/versions/1"


def test_a_permission_removed_from_the_module_fails_the_rotation(
    emulator, function_server, tmp_path
):
    """On a copy of terraform/ without secretmanager.versions.add in the secret role."""
    copy = tmp_path / "terraform"
    shutil.copytree(TERRAFORM, copy, ignore=shutil.ignore_patterns(".terraform*"))
    iam = copy / "iam.tf"
    line = '    "secretmanager.versions.add",\n'
    assert line in iam.read_text()
    iam.write_text(iam.read_text().replace(line, ""))
    world = World(emulator, function_server.url, grants=ModuleGrants(copy))
    secret = world.rotated_secret()
    mark = function_server.mark()
    world.fire_schedule()
    world.settle()

    failed = _failures(function_server, mark)
    assert failed[0]["remedy"].startswith(
        f"grant the function's service account secretmanager.versions.add on {secret}:"
    )
    assert world.versions(secret) == {1: "ENABLED"}
