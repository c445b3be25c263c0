"""Where the function's custom roles are bound: each at the narrowest scope its permissions exist
at, in the rotator (project level) and in each rotated secret (its secret and repositories); the
permissions themselves: test_role_contract.py."""

from __future__ import annotations

from typing import Any

from rotation.gcp.permissions import function_permissions
from tests.terraform.hcl import ROTATOR, SECRET_MODULE, load_module
from tests.terraform.test_role_contract import (
    FUNCTION_MEMBER,
    PREDEFINED_FUNCTION_ROLES,
    ROLE_BINDINGS,
)


def _function_bindings() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (address.split(".")[0], address, body)
        for directory in (ROTATOR, SECRET_MODULE)
        for address, body in load_module(directory).resources.items()
        if body.get("member") == FUNCTION_MEMBER
    ]


def _custom_role_expressions() -> dict[str, str]:
    """How a binding names each custom role: the rotator by its resource (or its copy in another
    project), the rotated secret by the rotator's outputs."""
    custom = {f"${{google_project_iam_custom_role.{name}.name}}": name for name in ROLE_BINDINGS}
    custom["${google_project_iam_custom_role.project_elsewhere[each.value].name}"] = "project"
    custom["${var.rotator.custom_roles.secret}"] = "secret"
    custom['${lookup(var.rotator.repository_roles, split("/", each.value)[1], "")}'] = "repository"
    return custom


def test_the_rotator_outputs_name_its_roles() -> None:
    outputs = load_module(ROTATOR).outputs
    assert outputs["custom_roles"]["value"] == {
        name: f"${{google_project_iam_custom_role.{name}.name}}" for name in ROLE_BINDINGS
    }
    repository_roles = str(outputs["repository_roles"]["value"])
    assert "google_project_iam_custom_role.repository.name" in repository_roles
    assert "google_project_iam_custom_role.repository_elsewhere" in repository_roles


def test_function_bindings_use_only_the_custom_roles_or_narrow_predefined_ones() -> None:
    bindings = _function_bindings()
    assert bindings
    custom = _custom_role_expressions()
    used = set()
    for resource_type, address, body in bindings:
        role = body["role"]
        if role in custom:
            name = custom[role]
            used.add(name)
            assert resource_type in ROLE_BINDINGS[name], f"{address} binds role {name} too widely"
        else:
            assert role in PREDEFINED_FUNCTION_ROLES, f"{address} grants {role}"
            assert PREDEFINED_FUNCTION_ROLES[role] <= function_permissions(), address
            assert resource_type == "google_secret_manager_secret_iam_member", address
    assert used == set(ROLE_BINDINGS), "a custom role is never bound"


def test_project_level_repository_binding_only_for_discovery() -> None:
    module = load_module(ROTATOR)
    binding = module.resource("google_project_iam_member.function_discovered_repositories")
    assert binding["role"] == "${google_project_iam_custom_role.repository.name}"
    assert binding["count"] == "${var.discovery ? 1 : 0}"
    # A secret that discovers needs it: its precondition.
    secret = load_module(SECRET_MODULE).resource("google_secret_manager_secret.token")
    conditions = [check["condition"] for check in secret["lifecycle"][0]["precondition"]]
    assert "${length(local.discover_locations) == 0 || var.rotator.discovery}" in conditions


def test_secret_role_is_bound_on_the_rotated_secret() -> None:
    module = load_module(SECRET_MODULE)
    binding = module.resource("google_secret_manager_secret_iam_member.function_secret")
    assert binding["role"] == "${var.rotator.custom_roles.secret}"
    assert binding["secret_id"] == "${google_secret_manager_secret.token.secret_id}"


def test_trigger_identity_is_not_the_function_identity() -> None:
    module = load_module(ROTATOR)
    invoker = module.resource("google_cloud_run_v2_service_iam_member.trigger_invoker")
    assert invoker["member"] != FUNCTION_MEMBER
    assert "google_service_account.trigger" in invoker["member"]
