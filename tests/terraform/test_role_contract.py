"""The function's custom roles grant every permission the code needs, and nothing more.

The chain: the Google API methods the function calls (rotation.gcp.permissions.FUNCTION_METHODS, the
table in the code) -> the IAM permission each needs -> the custom roles in
terraform/modules/rotator/iam.tf (bound there on the project, and by terraform/modules/rotated-secret
on each secret and repository).

The grant-access conditional: SecretManagerService.SetIamPolicy is called only for a secret whose
`token-rotator.grant-access` annotation is true, and the module adds its permission
(secretmanager.secrets.setIamPolicy) to the secret role only when var.grant_access is true. So:
  roles(grant_access=true)  == every permission in the table,
  roles(grant_access=false) == every permission except those of the CONDITIONAL methods.
The roles' permission lists are evaluated from the HCL for both values of var.grant_access.

The table itself is held to the calls the function makes: one test drives a fresh function
through rotations that reach every method in it and compares what the emulator recorded.
"""

from __future__ import annotations

import json

import pytest

from emulator.cloud_function import LocalFunction
from emulator.token_authority import TokenAuthority
from emulator.upstream import PypiServer
from emulator.upstream_proxy import UPSTREAM
from rotation.core.events import AUDIT
from rotation.gcp.clients import USER_AGENT
from rotation.gcp.permissions import FUNCTION_METHODS, function_permissions
from tests.conftest import StartFunction
from tests.support import LOCATION, PROJECT, World, repository_name
from tests.terraform.hcl import ROTATOR, SECRET_MODULE, load_module
from tests.terraform.hcl_evaluate import evaluate
from tests.upstreams import allowed_upstream_hosts

# Methods called only when a setting allows it -> the module variable that grants their permission.
CONDITIONAL_METHODS = {"SecretManagerService.SetIamPolicy": "grant_access"}

# Where each custom role is bound: the narrowest resource its permissions exist on.
ROLE_BINDINGS = {
    "secret": {"google_secret_manager_secret_iam_member"},
    "repository": {"google_artifact_registry_repository_iam_member", "google_project_iam_member"},
    "project": {"google_project_iam_member"},
}

# Permissions that exist only on a project (or above): the project role holds these alone.
PROJECT_ONLY_PERMISSIONS = {
    "resourcemanager.projects.get",
    "resourcemanager.projects.getIamPolicy",
    "artifactregistry.repositories.list",
    "secretmanager.secrets.list",
}
# Granted on the project although they exist lower: the audit reads whatever topic a secret names.
PROJECT_WIDE_PERMISSIONS = {"pubsub.topics.get"}

# Predefined roles the module may grant the function, and their permissions (IAM's role reference).
PREDEFINED_FUNCTION_ROLES = {
    "roles/secretmanager.secretAccessor": {"secretmanager.versions.access"},
}

FUNCTION_MEMBER = "${local.function_member}"
AUDIT_TOPIC = f"projects/{PROJECT}/topics/token-rotator-audit"


def called_methods() -> dict[str, str]:
    """The Google API methods the function calls, with the permission each needs: the table in
    rotation/gcp/permissions.py, which test_table_matches_the_calls_a_fresh_function_makes holds
    to the calls the function really makes."""
    return dict(FUNCTION_METHODS)


def required_permissions(**settings: bool) -> set[str]:
    return {
        permission
        for method, permission in called_methods().items()
        if method not in CONDITIONAL_METHODS or settings[CONDITIONAL_METHODS[method]]
    }


# The copies of the roles in the rotator's repository_projects: the same permissions.
ELSEWHERE = "_elsewhere"


def role_permissions(grant_access: bool) -> dict[str, list[str]]:
    module = load_module(ROTATOR)
    every_role = module.of_type("google_project_iam_custom_role")
    roles = {name: role for name, role in every_role.items() if not name.endswith(ELSEWHERE)}
    assert set(roles) == set(ROLE_BINDINGS), "the custom roles changed: update this contract"
    for name, role in every_role.items():
        if name.endswith(ELSEWHERE):
            base = roles[name.removesuffix(ELSEWHERE)]
            assert role["permissions"] == base["permissions"], name
            assert role["role_id"] == base["role_id"], name
    result: dict[str, list[str]] = {}
    for name, role in roles.items():
        permissions = evaluate(role["permissions"], module.locals, {"grant_access": grant_access})
        assert isinstance(permissions, list)
        assert all(isinstance(permission, str) for permission in permissions)
        result[name] = permissions
    return result


def test_conditional_methods_are_in_the_table() -> None:
    assert set(CONDITIONAL_METHODS) <= set(FUNCTION_METHODS)
    for directory in (ROTATOR, SECRET_MODULE):
        module = load_module(directory)
        for variable in CONDITIONAL_METHODS.values():
            assert module.variables[variable]["type"] == "bool"


def test_table_and_function_permissions_agree() -> None:
    assert function_permissions() == set(FUNCTION_METHODS.values())


@pytest.mark.parametrize("grant_access", [True, False], ids=["grant_access", "no_grant_access"])
def test_custom_roles_grant_exactly_the_permissions_the_code_uses(grant_access: bool) -> None:
    roles = role_permissions(grant_access)
    granted = [permission for permissions in roles.values() for permission in permissions]
    assert len(granted) == len(set(granted)), f"a permission is granted twice: {sorted(granted)}"
    expected = required_permissions(grant_access=grant_access)
    missing = expected - set(granted)
    extra = set(granted) - expected
    assert not missing, f"the custom roles lack permissions the code needs: {sorted(missing)}"
    assert not extra, f"the custom roles grant permissions the code never uses: {sorted(extra)}"


def test_with_grant_access_the_roles_grant_the_whole_table() -> None:
    granted = set().union(*map(set, role_permissions(grant_access=True).values()))
    assert granted == function_permissions()


def test_project_role_holds_only_project_level_permissions() -> None:
    for grant_access in (True, False):
        roles = role_permissions(grant_access)
        assert set(roles["project"]) <= PROJECT_ONLY_PERMISSIONS | PROJECT_WIDE_PERMISSIONS
        for name in ("secret", "repository"):
            assert not set(roles[name]) & PROJECT_ONLY_PERMISSIONS, name


@pytest.fixture(scope="module")
def fresh_function(
    start_function: StartFunction, authority_session: TokenAuthority, private_index: PypiServer
) -> LocalFunction:
    """A function server of this module's own: its caches (project numbers) start empty, so what
    earlier tests made it learn cannot spare it a call."""
    return start_function(
        ALLOWED_UPSTREAM_HOSTS=allowed_upstream_hosts(authority_session, private_index)
    )


def rotate_through_every_method(world: World) -> list[str]:
    """Two rotations that together reach every method in the table. Returns the secrets.

    listed: its repository named in the annotations (GetRepository, GetProject); the service
      agent not granted, so access is looked for on the secret and the project (both
      GetIamPolicy) and granted (SetIamPolicy, grant-access); keep-versions 1 disables version 1.
    discovered: its repository found by listing a location (ListRepositories); a destroy TTL,
      so retiring version 1 destroys it.
    Both: read the secret and its versions, the root token, add a version, save the state,
    repoint (GetSecret, ListSecretVersions, AccessSecretVersion, AddSecretVersion, UpdateSecret,
    UpdateRepository)."""
    listed = world.rotated_secret(
        "listed-token", grant=False, grant_access="true", keep_versions="1"
    )
    discovered = world.rotated_secret(
        "discovered-token",
        repositories="",
        discover=f"projects/{PROJECT}/locations/{LOCATION}",
        keep_versions="1",
    )
    world.repository(repository_name("discovered"), f"{discovered}/versions/1")
    world.sm.update_secret(
        secret={"name": discovered, "version_destroy_ttl": {"seconds": 86400}},
        update_mask={"paths": ["version_destroy_ttl"]},
    )
    world.settle()
    world.fire_schedule()
    world.settle()
    return [listed, discovered]


def audit(world: World, url: str) -> None:
    """The daily audit of the project (ListSecrets, GetTopic on top of the reads above)."""
    world.publisher.create_topic(name=AUDIT_TOPIC)
    world.emulator.pubsub.push_to_function(AUDIT_TOPIC, url, event_type=AUDIT)
    data = json.dumps({"projects": [PROJECT]}).encode()
    world.publisher.publish(AUDIT_TOPIC, data, eventType=AUDIT).result()
    world.settle()


def test_table_matches_the_calls_a_fresh_function_makes(emulator, fresh_function):
    """The function's own calls (its user agent, as the emulator saw them from the Functions
    Framework process) in rotations that need every permission, and an audit, are exactly the
    table's methods."""
    world = World(emulator, fresh_function.url)
    secrets = rotate_through_every_method(world)
    mark = fresh_function.mark()
    audit(world, fresh_function.url)

    for secret in secrets:
        assert world.state(secret)["phase"] == "done", secret
    assert "audit_completed" in {entry.get("event") for entry in fresh_function.entries(mark)}
    assert world.versions(secrets[0]) == {1: "DISABLED", 2: "ENABLED"}
    assert world.emulator.control.counts["SecretManagerService.DestroySecretVersion"] == 1
    recorded = {
        call.method
        for call in emulator.control.calls
        if call.caller == USER_AGENT and not call.method.startswith(f"{UPSTREAM}.")
    }
    assert recorded == set(FUNCTION_METHODS), (
        f"called but not in the table: {sorted(recorded - set(FUNCTION_METHODS))}; "
        f"in the table but never called: {sorted(set(FUNCTION_METHODS) - recorded)}"
    )


def test_the_remedy_names_roles_that_hold_each_permission() -> None:
    """rotation.gcp.permissions.ROLES_HOLDING (what a PERMISSION_DENIED remedy suggests) against
    terraform/modules/rotator/iam.tf's custom roles and the emulator's predefined roles (IAM's role reference)."""
    from emulator.predefined_roles import PREDEFINED_ROLES
    from rotation.gcp.permissions import ROLES_HOLDING

    assert set(ROLES_HOLDING) == function_permissions()
    custom = role_permissions(grant_access=True)
    for permission, holding in ROLES_HOLDING.items():
        assert permission in custom[holding.module_role_suffix.lower()], permission
        assert permission in PREDEFINED_ROLES[holding.predefined_role], permission
