"""The function's IAM grants exactly as the Terraform modules make them, read from terraform/.

The custom roles' permissions come from the rotator's `google_project_iam_custom_role` resources
(terraform/modules/rotator/iam.tf: their `locals` lists, evaluated for the module's variables), and
each of the function's bindings from the resource that makes it, in the rotator (project-level)
or in the rotated secret (terraform/modules/rotated-secret/iam.tf: the secret, the secrets it
reads, its repositories): which role, on which secret, repository or project. Nothing here lists
a permission: remove one from the rotator's iam.tf and the end-to-end test that needs it fails. A
binding the modules gain that this file does not know fails loudly. The rotator is taken with its
defaults: no repository_projects, so a repository in another project is not granted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator import Emulator
from tests.terraform.hcl import TERRAFORM, Module, load_module
from tests.terraform.hcl_evaluate import evaluate

FUNCTION_MEMBER_EXPRESSION = "${local.function_member}"
# How a binding names a custom role: in the rotator by the resource, in the rotated secret by the
# rotator's outputs.
_CUSTOM_ROLE = re.compile(
    r"\$\{(?:google_project_iam_custom_role\.(\w+)\.name"
    r"|var\.rotator\.custom_roles\.(\w+)"
    r"|lookup\(var\.rotator\.(repository)_roles, .*\))\}"
)
_PREFIX = "${var.role_id_prefix}"

# The module's function bindings -> what each is bound on, in the secret's own settings.
BINDING_TARGETS = {
    "google_secret_manager_secret_iam_member.function_secret": "rotated secret",
    "google_secret_manager_secret_iam_member.function_reads": "read secrets",
    "google_artifact_registry_repository_iam_member.function_repository": "repositories",
    "google_project_iam_member.function_discovered_repositories": "project with discovery",
    "google_project_iam_member.function_project": "project",
    # The rotator's repository_projects: none by default.
    "google_project_iam_member.function_project_elsewhere": "repository projects",
}


@dataclass(frozen=True)
class Binding:
    role: str
    target: str


def _variable_default(module: Any, name: str) -> Any:
    return module.variables[name]["default"]


def _read_secret_keys(module: Any) -> list[str]:
    """The rotation settings whose secrets the function only reads (local.read_secrets): quoted
    keys, and keys named through a local map (`local.dockerhub_keys.admin`)."""
    listed = str(module.locals["read_secrets"]).split(":")[0]
    named = re.findall(r"local\.(\w+)\.(\w+)", listed)
    return re.findall(r'"([a-z-]+)"', listed) + [module.locals[m][k] for m, k in named]


class ModuleGrants:
    """One module instance's grants for the secret it manages, applied to an emulator."""

    def __init__(self, directory: Path = TERRAFORM) -> None:
        """`directory`: a copy of terraform/ (its modules/rotator and modules/rotated-secret)."""
        self._module = load_module(directory / "modules" / "rotator")
        self._secret_module = load_module(directory / "modules" / "rotated-secret")
        self.account_id = _variable_default(self._module, "service_account_id")
        self.prefix = _variable_default(self._module, "role_id_prefix")
        self.read_secret_keys = _read_secret_keys(self._secret_module)
        self.bindings = self._bindings()

    def email(self, project: str) -> str:
        return f"{self.account_id}@{project}.iam.gserviceaccount.com"

    def member(self, project: str) -> str:
        return f"serviceAccount:{self.email(project)}"

    def role_permissions(self, grant_access: bool) -> dict[str, list[str]]:
        """Custom role key (secret, repository, project) -> its permissions."""
        variables = {"grant_access": grant_access}
        return {
            key: evaluate(body["permissions"], self._module.locals, variables)
            for key, body in self._module.of_type("google_project_iam_custom_role").items()
            if not key.endswith("_elsewhere")  # the same roles, in the repository projects
        }

    def role_name(self, project: str, key: str, grant_access: bool) -> str:
        """The custom role's full name; two instances in one project differ in their prefix, as
        var.role_id_prefix asks, so a grant_access instance gets its own."""
        role_id = self._module.resource(f"google_project_iam_custom_role.{key}")["role_id"]
        prefix = self.prefix + ("GrantAccess" if grant_access else "")
        return f"projects/{project}/roles/{role_id.replace(_PREFIX, prefix)}"

    def define_roles(self, emulator: Emulator, project: str, grant_access: bool) -> None:
        for key, permissions in self.role_permissions(grant_access).items():
            emulator.authorizer.define_role(self.role_name(project, key, grant_access), permissions)

    def apply(
        self, emulator: Emulator, secret: str, annotations: dict[str, str], project: str
    ) -> list[str]:
        """Grant what `terraform apply` would for `secret` (managed by a module instance in
        `project`), except repositories: returns the repositories the module binds its role on,
        to be granted once they exist (`grant_repository`)."""
        grant_access = annotations.get("token-rotator.grant-access", "false") == "true"
        self.define_roles(emulator, project, grant_access)
        member = self.member(project)
        repositories: list[str] = []
        for binding in self.bindings:
            role = self._role(binding.role, project, grant_access)
            if binding.target == "rotated secret":
                emulator.secret_manager.grant(secret, role, member)
            elif binding.target == "read secrets":
                for key in self.read_secret_keys:
                    read = annotations.get(f"token-rotator.{key}", "")
                    # terraform apply fails on a secret that does not exist: nothing granted
                    if emulator.secret_manager.iam_policy(read) is not None:
                        emulator.secret_manager.grant(read, role, member)
            elif binding.target == "project":
                emulator.resource_manager.grant(project, role, member)
            elif binding.target == "repository projects":
                pass  # the rotator's default: no other project
            elif binding.target == "project with discovery":
                if annotations.get("token-rotator.discover", "").strip():
                    emulator.resource_manager.grant(project, role, member)
            else:
                repositories.extend(_own_repositories(annotations, project))
        return repositories

    def repository_role(self, project: str, grant_access: bool) -> str:
        binding = next(b for b in self.bindings if b.target == "repositories")
        return self._role(binding.role, project, grant_access)

    def _role(self, role: str, project: str, grant_access: bool) -> str:
        custom = _CUSTOM_ROLE.fullmatch(role)
        if not custom:
            return role
        key = next(group for group in custom.groups() if group)
        return self.role_name(project, key, grant_access)

    def _bindings(self) -> list[Binding]:
        found = []
        modules: tuple[Module, ...] = (self._module, self._secret_module)
        for module in modules:
            for address, body in module.resources.items():
                if body.get("member") != FUNCTION_MEMBER_EXPRESSION:
                    continue
                assert address in BINDING_TARGETS, f"the modules gained a binding: {address}"
                found.append(Binding(body["role"], BINDING_TARGETS[address]))
        assert {b.target for b in found} == set(BINDING_TARGETS.values()), "a binding went away"
        repository = self._secret_module.resource(
            "google_artifact_registry_repository_iam_member.function_repository"
        )
        precondition = repository["lifecycle"][0]["precondition"][0]["condition"]
        assert "contains(keys(var.rotator.repository_roles)" in precondition, (
            "the repository-project precondition changed"
        )
        return found


def _own_repositories(annotations: dict[str, str], project: str) -> list[str]:
    """The repositories the module binds its repository role on: those it names that are in its
    own project (its precondition refuses the others: a project's custom role cannot be bound
    outside it)."""
    names = annotations.get("token-rotator.repositories", "").split(",")
    return [name.strip() for name in names if name.strip().split("/")[1:2] == [project]]


MODULE_GRANTS = ModuleGrants()
