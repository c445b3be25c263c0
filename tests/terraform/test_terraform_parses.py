"""Every .tf file parses (python-hcl2), and the module's files, providers, variables, outputs,
examples and README are what the rest relies on. The resources' promises to the function:
test_terraform_resources.py; the uploaded archive: test_terraform_archive.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.terraform.hcl import (
    EXAMPLES,
    MODULE_DIRECTORIES,
    REPO,
    TERRAFORM,
    load,
    load_module,
    tf_files,
)

MODULE_FILES = {
    "versions.tf",
    "variables.tf",
    "main.tf",
    "apis.tf",
    "pubsub.tf",
    "secret.tf",
    "repository.tf",
    "function.tf",
    "iam.tf",
    "monitoring.tf",
    "outputs.tf",
    "service_agents.tf",
}


def test_terraform_files_exist() -> None:
    names = {path.name for path in TERRAFORM.glob("*.tf")}
    assert names == MODULE_FILES
    for example in ("pypi", "gitlab", "dockerhub"):
        assert {path.name for path in (EXAMPLES / example).glob("*.tf")} >= {
            "main.tf",
            "variables.tf",
            "outputs.tf",
            "versions.tf",
        }


@pytest.mark.parametrize("path", tf_files(), ids=lambda path: str(path.relative_to(TERRAFORM)))
def test_tf_file_parses(path: Path) -> None:
    document = load(path)
    assert document, f"{path} parsed to nothing"


@pytest.mark.parametrize("directory", MODULE_DIRECTORIES, ids=lambda path: path.name)
def test_providers_are_pinned(directory: Path) -> None:
    module = load_module(directory)
    [settings] = module.terraform
    assert settings["required_version"].startswith(">= 1.")
    [providers] = settings["required_providers"]
    assert set(providers) == {"google", "google-beta", "archive"}
    assert providers["google"]["source"] == "hashicorp/google"
    assert re.match(r"^>= [67]\.", providers["google"]["version"])
    assert providers["archive"]["source"] == "hashicorp/archive"


@pytest.mark.parametrize("directory", MODULE_DIRECTORIES, ids=lambda path: path.name)
def test_variables_and_outputs_are_described(directory: Path) -> None:
    module = load_module(directory)
    for name, variable in module.variables.items():
        assert variable.get("description"), f"variable {name} has no description"
        assert variable.get("type"), f"variable {name} has no type"
    for name, output in module.outputs.items():
        assert output.get("description"), f"output {name} has no description"


def test_module_variables_are_validated() -> None:
    for name, variable in load_module(TERRAFORM).variables.items():
        if variable["type"] == "bool":
            continue
        assert variable.get("validation"), f"variable {name} has no validation"


@pytest.mark.parametrize("directory", MODULE_DIRECTORIES, ids=lambda path: path.name)
def test_outputs(directory: Path) -> None:
    outputs = load_module(directory).outputs
    assert {"function_name", "topic", "secret", "repository_url"} <= set(outputs)


def test_examples() -> None:
    pypi = load_module(EXAMPLES / "pypi").modules["token_rotator"]
    assert pypi["source"] == "../.."
    assert pypi["token_source"] == "pypi-derived"
    assert "upstream_uri" not in pypi  # public PyPI
    assert "root-secret" in pypi["rotation_settings"]

    gitlab = load_module(EXAMPLES / "gitlab").modules["token_rotator"]
    assert gitlab["source"] == "../.."
    assert gitlab["token_source"] == "gitlab"
    assert gitlab["upstream_uri"] == "${local.index_url}"  # common_repository
    assert {"gitlab-url", "gitlab-project", "minting-secret"} <= set(gitlab["rotation_settings"])

    dockerhub = load_module(EXAMPLES / "dockerhub").modules["token_rotator"]
    assert dockerhub["source"] == "../.."
    assert dockerhub["repository_format"] == "DOCKER"
    assert dockerhub["token_source"] == "dockerhub"
    # Docker Hub itself (docker_repository's DOCKER_HUB), the user name the source's namespace.
    assert "upstream_uri" not in dockerhub and "upstream_username" not in dockerhub
    settings = dockerhub["rotation_settings"]
    assert {"dockerhub-namespace", "admin-secret"} <= set(settings)
    assert settings["check-url"] == "https://registry-1.docker.io"
    assert "allowed_upstream_hosts" not in dockerhub  # Docker Hub's hosts come with the repository


def test_readme_documents_the_module() -> None:
    readme = (TERRAFORM / "README.md").read_text(encoding="utf-8")
    module = load_module(TERRAFORM)
    for name in [*module.variables, *module.outputs]:
        assert f"`{name}`" in readme, f"README does not document {name}"
    deploy = readme.split("## Deploy", 1)[1].split("\n## ", 1)[0]
    for needle in (
        "### Prerequisites",
        "gcloud auth application-default login",
        "Terraform >= 1.5",
        "terraform init",
        "terraform apply -var project_id=",
        "gcloud pubsub topics publish",
        "eventType=SECRET_ROTATE",
        "force=true",
        "gcloud functions logs read",
        'jsonPayload.event="rotation_completed"',
        "terraform destroy",
    ):
        assert needle in deploy, f"the Deploy section lacks {needle!r}"
    code = "\n".join(path.read_text(encoding="utf-8") for path in (REPO / "rotation").rglob("*.py"))
    assert 'event="rotation_completed"' in code, "the function no longer logs rotation_completed"
