"""`repository_format`: Terraform itself computes, for each format, the upstream block, the
repository's URL and the user name, and refuses at plan time a user name it cannot default and a
`dockerhub` source that cannot work (the secret's preconditions, run on Terraform's built-in
terraform_data so no provider is needed).

Optional: skipped where no terraform binary is installed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from rotation.core.config import load as load_config
from rotation.core.settings import Settings
from rotation.sources import SOURCE_KEYS
from tests.terraform.console import (
    BASE,
    evaluate_locals,
    locals_config,
    needs_terraform,
    plan,
    split_values,
)
from tests.terraform.hcl import SECRET_MODULE, load_module

pytestmark = needs_terraform

PUBLIC_REPOSITORIES = {
    "PYTHON": "PYPI",
    "DOCKER": "DOCKER_HUB",
    "NPM": "NPMJS",
    "MAVEN": "MAVEN_CENTRAL",
}
PREFIX = "europe-west1-{}.pkg.dev/rotator-test-1/pypi-remote"
REPOSITORY_URLS = {
    "PYTHON": "https://" + PREFIX.format("python") + "/simple/",
    "DOCKER": PREFIX.format("docker"),
    "NPM": "https://" + PREFIX.format("npm") + "/",
    "MAVEN": "https://" + PREFIX.format("maven"),
}
ADMIN_SECRET = "projects/rotator-test-1/secrets/dockerhub-admin-credential"
DOCKERHUB = {
    **BASE,
    "repository_format": "DOCKER",
    "token_source": "dockerhub",
    "rotation_settings": {
        "dockerhub-namespace": "acme",
        "admin-secret": ADMIN_SECRET,
        "check-url": "https://registry-1.docker.io",
    },
}


def test_the_module_offers_the_formats_the_function_serves() -> None:
    from rotation.core.formats import FORMATS

    validation = load_module(SECRET_MODULE).variables["repository_format"]["validation"][0]
    listed = re.search(r"contains\(\[([^\]]*)\]", validation["condition"])
    assert listed, validation
    assert set(re.findall(r'"([^"]+)"', listed.group(1))) == set(FORMATS) == set(REPOSITORY_URLS)
    assert set(load_module(SECRET_MODULE).locals["formats"]) == set(FORMATS)


@pytest.mark.parametrize("repository_format", sorted(PUBLIC_REPOSITORIES))
def test_each_format_s_public_upstream_and_url(tmp_path: Path, repository_format: str) -> None:
    evaluated = evaluate_locals(tmp_path, {**BASE, "repository_format": repository_format})
    assert evaluated["public_repository"] == {
        name: [public] if name == repository_format else []
        for name, public in PUBLIC_REPOSITORIES.items()
    }
    assert evaluated["repository_urls"] == {"primary": REPOSITORY_URLS[repository_format]}


def test_a_custom_upstream_uses_no_public_block(tmp_path: Path) -> None:
    values = {
        **BASE,
        "repository_format": "NPM",
        "upstream_uri": "https://registry.example.com/npm/",
        "upstream_username": "svc-npm",
    }
    evaluated = evaluate_locals(tmp_path, values)
    assert evaluated["public_repository"] == {name: [] for name in PUBLIC_REPOSITORIES}
    assert evaluated["format"]["name"] == "npm"


@pytest.mark.parametrize(
    ("values", "username"),
    [
        ({}, "__token__"),
        ({"upstream_username": "artifact-registry"}, "artifact-registry"),
        (DOCKERHUB, "acme"),
        ({**DOCKERHUB, "upstream_username": "acme-bot"}, "acme-bot"),
        ({"repository_format": "MAVEN", "upstream_username": "svc-maven"}, "svc-maven"),
        ({"repository_format": "NPM", "token_source": "artifactory"}, None),
        ({"repository_format": "DOCKER", "token_source": "http"}, None),
    ],
    ids=["python", "given", "dockerhub", "dockerhub-given", "maven-given", "npm", "docker-http"],
)
def test_the_username(tmp_path: Path, values: dict[str, Any], username: str | None) -> None:
    evaluated = evaluate_locals(tmp_path, {**BASE, **values})
    assert evaluated["upstream_username"] == username


def test_the_dockerhub_admin_credential_is_read_only_by_the_function(tmp_path: Path) -> None:
    evaluated = evaluate_locals(tmp_path, DOCKERHUB)
    assert evaluated["read_secrets"] == [ADMIN_SECRET]
    assert evaluated["annotations"]["token-rotator.username"] == "acme"
    assert evaluated["annotations"]["token-rotator.admin-secret"] == ADMIN_SECRET


def test_the_function_accepts_a_maven_secret_s_annotations(tmp_path: Path) -> None:
    values = {
        **BASE,
        "repository_format": "MAVEN",
        "token_source": "artifactory",
        "upstream_uri": "https://acme.jfrog.io/artifactory/maven-remote",
        "upstream_username": "svc-maven",
        "rotation_settings": {
            "artifactory-url": "https://acme.jfrog.io",
            "minting-secret": "projects/rotator-test-1/secrets/artifactory-admin",
            "check-url": "https://acme.jfrog.io/artifactory/maven-remote",
        },
    }
    annotations = evaluate_locals(tmp_path, values)["annotations"]
    config = load_config(annotations, Settings(), SOURCE_KEYS)
    assert config.username == "svc-maven"
    assert config.check_url == "https://acme.jfrog.io/artifactory/maven-remote"


# --- The secret's preconditions, planned by Terraform -------------------------------------------------


def secret_preconditions() -> list[str]:
    """The text of each precondition block of the rotated secret, as written in secret.tf."""
    text = (SECRET_MODULE / "secret.tf").read_text(encoding="utf-8")
    start = text.index('resource "google_secret_manager_secret" "token"')
    resource = text[start : text.index("\n}\n", start)]
    blocks = []
    for match in re.finditer(r"\bprecondition \{", resource):
        depth = 0
        for position in range(match.end() - 1, len(resource)):
            depth += {"{": 1, "}": -1}.get(resource[position], 0)
            if depth == 0:
                blocks.append(resource[match.start() : position + 1])
                break
    lifecycle = load_module(SECRET_MODULE).resource("google_secret_manager_secret.token")[
        "lifecycle"
    ]
    assert len(blocks) == len(lifecycle[0]["precondition"]), blocks
    return blocks


def plan_preconditions(directory: Path, values: dict[str, Any]) -> tuple[int, str]:
    """The secret's preconditions for the wrapper's variables `values`."""
    locals_config(directory)
    values, _ = split_values(values)
    checks = "\n".join(secret_preconditions())
    (directory / "checks.tf").write_text(
        f'resource "terraform_data" "secret" {{\n  lifecycle {{\n{checks}\n  }}\n}}\n',
        encoding="utf-8",
    )
    return plan(directory, values)


def test_the_preconditions_pass_for_each_example_s_kind(tmp_path: Path) -> None:
    for number, values in enumerate(
        [
            BASE,
            DOCKERHUB,
            {**BASE, "repository_format": "NPM", "upstream_username": "svc-npm"},
        ]
    ):
        directory = tmp_path / str(number)
        directory.mkdir()
        code, output = plan_preconditions(directory, values)
        assert code == 0, output
        assert "Error" not in output, output


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"repository_format": "NPM", "token_source": "artifactory"},
            "upstream_username must be set for repository_format NPM",
        ),
        (
            {"repository_format": "DOCKER", "token_source": "http"},
            'with the dockerhub source it defaults to rotation_settings["dockerhub-namespace"]',
        ),
        (
            {**DOCKERHUB, "repository_format": "PYTHON"},
            "The dockerhub source (token_source) mints Docker Hub access tokens: it needs"
            " repository_format DOCKER, not PYTHON",
        ),
        (
            {**DOCKERHUB, "rotation_settings": {"dockerhub-namespace": "acme"}},
            'The dockerhub source (token_source) needs rotation_settings["dockerhub-namespace"]'
            ' (the Docker Hub user, or the organization) and rotation_settings["admin-secret"]',
        ),
    ],
    ids=["npm-no-username", "docker-no-username", "dockerhub-python", "dockerhub-no-admin"],
)
def test_the_preconditions_refuse(tmp_path: Path, values: dict[str, Any], message: str) -> None:
    code, output = plan_preconditions(tmp_path, {**BASE, **values})
    assert code != 0, output
    assert "Error: Resource precondition failed" in output, output
    # Terraform frames and wraps the diagnostic: compare its words.
    assert message in " ".join(output.replace("│", " ").split()), output
