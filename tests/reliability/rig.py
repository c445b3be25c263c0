"""What the fault matrix and its scenarios run on: the session's emulator, a function server of
their own (a short rotation lease, so a crashed attempt's lease expires within a second), and the
upstream index behind a recording proxy."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from google.cloud import artifactregistry_v1

from emulator import Emulator
from emulator.cloud_function import LocalFunction
from emulator.token_authority import TokenAuthority
from emulator.upstream import PypiServer
from tests.formats.docker_support import docker_repository
from tests.redaction import SCAN
from tests.reliability.docker_upstream import DockerHub
from tests.reliability.upstreams import DockerHubUpstream, GitLabUpstream, PypiUpstream
from tests.support import LOCATION, PROJECT, World
from tests.upstreams import DOCKERHUB, GITLAB

# The function's lease on a rotation; a redelivery after a crash waits for it to run out.
MATRIX_LEASE = "1s"
_PROJECT_NUMBERS = itertools.count(970_000_000_001)


def agent(number: int | str) -> str:
    return f"serviceAccount:service-{number}@gcp-sa-artifactregistry.iam.gserviceaccount.com"


@dataclass
class Rig:
    emulator: Emulator
    function: LocalFunction
    pypi: PypiUpstream
    gitlab: GitLabUpstream
    private_index: PypiServer
    docker: DockerHub

    @property
    def authority(self) -> TokenAuthority:
        return self.gitlab.authority

    @property
    def dockerhub(self) -> DockerHubUpstream:
        return self.docker.upstream

    def fresh_world(self) -> World:
        """A clean cloud pushing to this rig's function; what the last case left is scanned."""
        SCAN.collect(self.emulator)
        self.emulator.reset()
        self.pypi.proxy.reset()
        self.gitlab.proxy.reset()
        for proxy in self.docker.proxies:
            proxy.reset()
        return World(self.emulator, self.function.url)

    def new_project(self) -> tuple[str, int]:
        """A project this function instance has never looked up: its first use costs GetProject.
        Outside the module's project, so each case grants the function what it needs there by
        hand (World.grant_outside_the_module)."""
        number = next(_PROJECT_NUMBERS)
        project = f"matrix-{number}"
        self.emulator.projects.add(project, number)
        return project, number

    def pypi_secret(self, world: World, secret_id: str = "pypi-token") -> tuple[str, str]:
        """A pypi-derived secret whose one repository lives in a fresh project, version 1 in use
        and accepted upstream, the index probed through the proxy. Returns secret, repository."""
        project, number = self.new_project()
        repository = f"projects/{project}/locations/{LOCATION}/repositories/pypi"
        root = world.secret(f"{secret_id}-root", payload=self.pypi.root_token(), rotation=False)
        secret = world.secret(
            secret_id,
            {
                "token-rotator.source": "pypi-derived",
                "token-rotator.root-secret": root,
                "token-rotator.repositories": repository,
                "token-rotator.index-url": self.pypi.index_url,
            },
            payload=self.pypi.root_token(),
            project=PROJECT,
        )
        world.grant(secret, agent(number))
        world.repository(repository, f"{secret}/versions/1")
        world.grant_outside_the_module(project, repositories=(repository,))
        return secret, repository

    def list_a_copy(self, world: World, secret: str, repository: str) -> str:
        """What an operator does mid-rotation: create a repository like `repository`, on the
        version it points at now, and list it in the secret's annotations (the grants first, as
        a terraform apply would). Returns the new repository."""
        original = world.ar.get_repository(name=repository)
        copy = f"{repository}-copy"
        parent, copy_id = copy.rsplit("/repositories/", 1)
        like = artifactregistry_v1.Repository(
            format_=original.format_,
            mode=original.mode,
            remote_repository_config=original.remote_repository_config,
        )
        world.ar.create_repository(parent=parent, repository_id=copy_id, repository=like).result()
        world.grant_outside_the_module(copy.split("/")[1], repositories=(copy,))
        annotations = world.annotations(secret)
        annotations["token-rotator.repositories"] += f",{copy}"
        world.sm.update_secret(
            secret={"name": secret, "annotations": annotations},
            update_mask={"paths": ["annotations"]},
        )
        return copy

    def gitlab_secret(self, world: World) -> tuple[str, str]:
        """A gitlab secret holding a project access token issued out of band, in use by one
        repository in a fresh project; keep-versions 1, so the first rotation also revokes it.
        The function reaches GitLab through the proxy. Returns secret, repository."""
        self.gitlab.start()
        project, number = self.new_project()
        repository = f"projects/{project}/locations/{LOCATION}/repositories/private-pypi"
        settings = GITLAB.settings(world, self.authority, self.private_index)
        settings |= {"gitlab-url": self.gitlab.proxy.url, "keep-versions": "1"}
        secret = world.secret(
            "gitlab-token",
            {
                "token-rotator.source": GITLAB.source,
                "token-rotator.repositories": repository,
                **{f"token-rotator.{key}": value for key, value in settings.items()},
            },
            payload=GITLAB.first_token(self.authority),
        )
        world.grant(secret, agent(number))
        upstream = GITLAB.upstream_url(self.authority, self.private_index)
        world.repository(repository, f"{secret}/versions/1", GITLAB.username, upstream)
        world.grant_outside_the_module(project, repositories=(repository,))
        return secret, repository

    def dockerhub_secret(self, world: World) -> tuple[str, str]:
        """A dockerhub secret holding a personal access token created by hand, in use by a DOCKER
        repository of the token-mode registry in a fresh project; keep-versions 1, so the first
        rotation retires it; check-url the registry, so the function runs its Docker check. The
        function reaches Docker Hub's API and the registry's token service through the proxies.
        Returns secret, repository."""
        self.dockerhub.start()
        authority = self.dockerhub.authority
        project, number = self.new_project()
        repository = f"projects/{project}/locations/{LOCATION}/repositories/docker"
        settings = {
            "dockerhub-url": self.dockerhub.proxy.url,
            "dockerhub-namespace": DOCKERHUB.username,
            "admin-secret": DOCKERHUB.minting_secret(world, authority),
            "check-url": self.docker.registry.url,
            "keep-versions": "1",
        }
        secret = world.secret(
            "dockerhub-token",
            {
                "token-rotator.source": DOCKERHUB.source,
                "token-rotator.repositories": repository,
                **{f"token-rotator.{key}": value for key, value in settings.items()},
            },
            payload=DOCKERHUB.first_token(authority),
        )
        world.grant(secret, agent(number))
        registry = self.docker.registry.url
        docker_repository(world, repository, f"{secret}/versions/1", DOCKERHUB.username, registry)
        world.grant_outside_the_module(project, repositories=(repository,))
        return secret, repository
