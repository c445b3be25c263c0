"""The permanent failures test_every_failure_has_a_remedy.py runs, one arrangement each: every
`CASES` entry sets up a secret whose next rotation fails for good and says which resource the
failure must name and what its remedy must say.

A permission is withheld the way an operator's slip would withhold it: the module's custom role
is redefined without it, so Google answers PERMISSION_DENIED exactly where production would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google.cloud import artifactregistry_v1

from emulator import Emulator
from emulator.token_authority import TokenAuthority
from emulator.upstream import PypiServer
from rotation.gcp.permissions import ROLES_HOLDING
from tests.module_grants import MODULE_GRANTS
from tests.support import (
    AR_AGENT,
    LOCATION,
    OTHER_PROJECT,
    PROJECT,
    World,
    repository_name,
    root_token,
)
from tests.upstreams import GITLAB, minted_secret

REPO = repository_name("pypi")


@dataclass(frozen=True)
class Rig:
    world: World
    authority: TokenAuthority
    index: PypiServer


@dataclass(frozen=True)
class Failure:
    """A secret set up to fail: the secret, the resource the message must name, and words the
    remedy must say."""

    secret: str
    resource: str
    remedy: str
    force: bool = False  # the secret was rotated once already: the next rotation is forced


def input_secret_of(rig: Rig, source: str) -> tuple[str, str]:
    """A secret of `source` and the name of the secret its source reads (root, staging, minting)."""
    world = rig.world
    if source == "pypi-derived":
        secret = world.rotated_secret()
        return secret, world.annotations(secret)["token-rotator.root-secret"]
    if source == "pypi-staged":
        staging = world.secret("pypi-staging", payload=root_token(), rotation=False)
        return world.rotated_secret(source="pypi-staged", staging_secret=staging), staging
    secret = minted_secret(world, rig.authority, rig.index, GITLAB)
    return secret, world.annotations(secret)["token-rotator.minting-secret"]


INPUT_SECRET_KEYS = {
    "pypi-derived": "root-secret",
    "pypi-staged": "staging-secret",
    "gitlab": "minting-secret",
}


def unreadable_input(source: str, how: str) -> Callable[[Rig], Failure]:
    def arrange(rig: Rig) -> Failure:
        secret, read = input_secret_of(rig, source)
        sm = rig.world.sm
        if how == "missing":
            sm.delete_secret(name=read)
        elif how == "disabled":
            sm.disable_secret_version(name=f"{read}/versions/1")
        else:
            sm.destroy_secret_version(name=f"{read}/versions/1")
        return Failure(secret, read, f"token-rotator.{INPUT_SECRET_KEYS[source]}")

    return arrange


def without(
    permission: str, rotated_once: bool = False, **settings: Any
) -> Callable[[Rig], Failure]:
    """The module's roles without `permission`, for a secret whose rotation needs it (after a
    first rotation, with `rotated_once`)."""

    def arrange(rig: Rig) -> Failure:
        world = rig.world
        options = dict(settings)
        if "discover" in options:
            options["repositories"] = ""
            world.grant_outside_the_module(OTHER_PROJECT, discovery=True)
        if options.get("staging_secret") == "STAGING":
            options["staging_secret"] = world.secret(
                "staging", payload=root_token(), rotation=False
            )
        secret = world.rotated_secret(**options)
        if "discover" in options:
            world.repository(REPO, f"{secret}/versions/1")
        if options.get("keep_versions") == "1" and permission.endswith("destroy"):
            world.sm.update_secret(
                secret={"name": secret, "version_destroy_ttl": {"seconds": 86400}},
                update_mask={"paths": ["version_destroy_ttl"]},
            )
        if rotated_once:
            world.publish_rotate(secret)
            world.settle()
            assert world.aliases(secret)["current"] == 2
        withhold(world.emulator, permission)
        holding = ROLES_HOLDING[permission]
        return Failure(secret, permission, holding.predefined_role, force=rotated_once)

    return arrange


def withhold(emulator: Emulator, permission: str) -> None:
    for grant_access in (False, True):
        for key, permissions in MODULE_GRANTS.role_permissions(grant_access).items():
            if permission in permissions:
                for project in (PROJECT, OTHER_PROJECT):
                    emulator.authorizer.define_role(
                        MODULE_GRANTS.role_name(project, key, grant_access),
                        [p for p in permissions if p != permission],
                    )


def missing_repository(rig: Rig) -> Failure:
    missing = repository_name("no-such-repository")
    secret = rig.world.rotated_secret()
    list_also(rig.world, secret, missing)
    return Failure(secret, missing, "exists")


def standard_repository(rig: Rig) -> Failure:
    world = rig.world
    standard = repository_name("standard")
    parent, repository_id = standard.rsplit("/repositories/", 1)
    world.ar.create_repository(
        parent=parent,
        repository_id=repository_id,
        repository=artifactregistry_v1.Repository(
            format_=artifactregistry_v1.Repository.Format.PYTHON,
            mode=artifactregistry_v1.Repository.Mode.STANDARD_REPOSITORY,
        ),
    ).result()
    secret = world.rotated_secret()
    list_also(world, secret, standard)
    return Failure(secret, standard, "list only remote repositories")


def list_also(world: World, secret: str, repository: str) -> None:
    annotations = world.annotations(secret)
    annotations["token-rotator.repositories"] += f",{repository}"
    world.sm.update_secret(
        secret={"name": secret, "annotations": annotations},
        update_mask={"paths": ["annotations"]},
    )
    world.apply_module_grants(secret, annotations, PROJECT)


def invalid_annotations(rig: Rig) -> Failure:
    secret = rig.world.rotated_secret(keep_versions="none")
    return Failure(secret, "token-rotator.keep-versions", "a whole number")


def token_refused_upstream(rig: Rig) -> Failure:
    """The private index (the `check-url`, set under its former name) does not know the token."""
    secret = rig.world.rotated_secret(index_url=rig.index.index_url)
    return Failure(secret, rig.index.index_url, "token-rotator.check-url), then republish")


def repoint_refused(rig: Rig) -> Failure:
    """The offline check passes, but Artifact Registry's upstream validation (the private index
    the repository proxies, which knows only version 1's token) refuses the new token."""
    world = rig.world
    private = repository_name("private-pypi")
    root = world.secret("derived-root", payload=root_token(), rotation=False)
    first = root_token()
    annotations = {
        "token-rotator.source": "pypi-derived",
        "token-rotator.root-secret": root,
        "token-rotator.repositories": private,
    }
    secret = world.secret("derived-token", annotations, payload=first)
    world.grant(secret, AR_AGENT)
    rig.index.allow("__token__", first)
    world.repository(private, f"{secret}/versions/1", upstream=rig.index.index_url)
    return Failure(secret, private, "republish")


CASES: dict[str, Callable[[Rig], Failure]] = {
    **{
        f"{source} input secret {how}": unreadable_input(source, how)
        for source in ("pypi-derived", "pypi-staged", "gitlab")
        for how in ("missing", "disabled", "destroyed")
    },
    "denied secretmanager.secrets.get": without("secretmanager.secrets.get"),
    "denied secretmanager.secrets.update": without("secretmanager.secrets.update"),
    "denied secretmanager.secrets.getIamPolicy": without("secretmanager.secrets.getIamPolicy"),
    "denied secretmanager.secrets.setIamPolicy": without(
        "secretmanager.secrets.setIamPolicy", grant=False, grant_access="true"
    ),
    "denied secretmanager.versions.add": without("secretmanager.versions.add"),
    "denied secretmanager.versions.list": without("secretmanager.versions.list"),
    "denied secretmanager.versions.access": without(
        "secretmanager.versions.access",
        rotated_once=True,
        source="pypi-staged",
        staging_secret="STAGING",
    ),
    "denied secretmanager.versions.disable": without(
        "secretmanager.versions.disable", keep_versions="1"
    ),
    "denied secretmanager.versions.destroy": without(
        "secretmanager.versions.destroy", keep_versions="1"
    ),
    "denied artifactregistry.repositories.get": without("artifactregistry.repositories.get"),
    "denied artifactregistry.repositories.list": without(
        "artifactregistry.repositories.list",
        discover=f"projects/{PROJECT}/locations/{LOCATION}",
    ),
    "denied artifactregistry.repositories.update": without("artifactregistry.repositories.update"),
    "denied resourcemanager.projects.get": without("resourcemanager.projects.get"),
    "repository missing": missing_repository,
    "repository not remote": standard_repository,
    "invalid annotations": invalid_annotations,
    "token refused upstream": token_refused_upstream,
    "Artifact Registry refuses the repoint": repoint_refused,
}
