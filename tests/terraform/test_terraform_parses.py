"""Every .tf file parses (python-hcl2), and the module's files, providers, variables, outputs,
examples and README are what the rest relies on. The resources' promises to the function:
test_terraform_resources.py; the uploaded archive: test_terraform_archive.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.terraform.hcl import (
    EXAMPLE_NAMES,
    EXAMPLES,
    FLEET,
    MODULE_DIRECTORIES,
    REPO,
    ROTATOR,
    SECRET_MODULE,
    TERRAFORM,
    load,
    load_module,
    tf_files,
)

# The single-secret wrapper: both modules and the moves to them.
WRAPPER_FILES = {"versions.tf", "variables.tf", "main.tf", "moved.tf", "outputs.tf"}
ROTATOR_FILES = {
    "versions.tf",
    "variables.tf",
    "main.tf",
    "apis.tf",
    "delivery.tf",
    "audit.tf",
    "function.tf",
    "iam.tf",
    "outputs.tf",
    "service_agents.tf",
}
# monitoring.tf: the metrics, the failed-rotation alerts and the dashboard (issue #16, item 4).
ROTATOR_LATER_FILES = {"monitoring.tf"}
SECRET_MODULE_FILES = {
    "versions.tf",
    "variables.tf",
    "main.tf",
    "secret.tf",
    "repository.tf",
    "iam.tf",
    "outputs.tf",
}


def test_terraform_files_exist() -> None:
    assert {path.name for path in TERRAFORM.glob("*.tf")} == WRAPPER_FILES
    rotator = {path.name for path in ROTATOR.glob("*.tf")}
    assert ROTATOR_FILES <= rotator <= ROTATOR_FILES | ROTATOR_LATER_FILES
    assert {path.name for path in SECRET_MODULE.glob("*.tf")} == SECRET_MODULE_FILES
    for example in (*EXAMPLE_NAMES, FLEET.name):
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
    if directory == SECRET_MODULE:  # no service identity, no archive: google alone
        assert set(providers) == {"google"}
    else:
        assert set(providers) == {"google", "google-beta", "archive"}
    assert providers["google"]["source"] == "hashicorp/google"
    assert re.match(r"^>= [67]\.", providers["google"]["version"])
    if "archive" in providers:
        assert providers["archive"]["source"] == "hashicorp/archive"


@pytest.mark.parametrize("directory", MODULE_DIRECTORIES, ids=lambda path: path.name)
def test_variables_and_outputs_are_described(directory: Path) -> None:
    module = load_module(directory)
    for name, variable in module.variables.items():
        assert variable.get("description"), f"variable {name} has no description"
        assert variable.get("type"), f"variable {name} has no type"
    for name, output in module.outputs.items():
        assert output.get("description"), f"output {name} has no description"


@pytest.mark.parametrize("directory", [TERRAFORM, ROTATOR, SECRET_MODULE], ids=str)
def test_module_variables_are_validated(directory: Path) -> None:
    for name, variable in load_module(directory).variables.items():
        if variable["type"] == "bool" or name == "rotator":  # rotator: module.rotator's outputs
            continue
        assert variable.get("validation"), f"variable {name} has no validation"


@pytest.mark.parametrize(
    "directory",
    [TERRAFORM, *(EXAMPLES / name for name in EXAMPLE_NAMES)],
    ids=lambda path: path.name,
)
def test_outputs(directory: Path) -> None:
    outputs = load_module(directory).outputs
    assert {"function_name", "topic", "secret", "repository_url"} <= set(outputs)


def test_module_outputs() -> None:
    """What the contract of issue #16 names, and what rotated-secret reads of the rotator."""
    rotator = set(load_module(ROTATOR).outputs)
    assert {"events_topic_id", "function_service_account_email", "function_url"} <= rotator
    rotator_type = load_module(SECRET_MODULE).variables["rotator"]["type"]
    read = set(re.findall(r"\b([a-z_]+)\s*=", rotator_type.split("object(", 1)[1]))
    read -= {"secret", "repository", "project"}  # custom_roles' attributes
    assert read <= rotator, f"rotated-secret reads outputs the rotator lacks: {read - rotator}"
    secret = set(load_module(SECRET_MODULE).outputs)
    assert {"secret", "secret_id", "repositories", "repository_urls"} <= secret


def test_examples() -> None:
    for example in (*EXAMPLE_NAMES, FLEET.name):
        modules = load_module(EXAMPLES / example).modules
        assert set(modules) == {"rotator", "secret"}, example
        assert modules["rotator"]["source"] == "../../modules/rotator"
        assert modules["secret"]["source"] == "../../modules/rotated-secret"
        assert modules["secret"]["rotator"] == "${module.rotator}"

    pypi = load_module(EXAMPLES / "pypi").modules["secret"]
    assert pypi["token_source"] == "pypi-derived"
    assert "upstream_uri" not in pypi  # public PyPI
    assert "root-secret" in pypi["rotation_settings"]

    gitlab = load_module(EXAMPLES / "gitlab").modules["secret"]
    assert gitlab["token_source"] == "gitlab"
    assert gitlab["upstream_uri"] == "${local.index_url}"  # common_repository
    assert {"gitlab-url", "gitlab-project", "minting-secret"} <= set(gitlab["rotation_settings"])

    dockerhub = load_module(EXAMPLES / "dockerhub").modules["secret"]
    assert dockerhub["repository_format"] == "DOCKER"
    assert dockerhub["token_source"] == "dockerhub"
    # Docker Hub itself (docker_repository's DOCKER_HUB), the user name the source's namespace.
    assert "upstream_uri" not in dockerhub and "upstream_username" not in dockerhub
    settings = dockerhub["rotation_settings"]
    assert {"dockerhub-namespace", "admin-secret"} <= set(settings)
    assert settings["check-url"] == "https://registry-1.docker.io"
    # Docker Hub's hosts come with the repository.
    assert "allowed_upstream_hosts" not in load_module(EXAMPLES / "dockerhub").modules["rotator"]


@pytest.mark.parametrize("directory", [TERRAFORM, ROTATOR, SECRET_MODULE], ids=str)
def test_readme_documents_the_modules(directory: Path) -> None:
    readme = (TERRAFORM / "README.md").read_text(encoding="utf-8")
    module = load_module(directory)
    for name in [*module.variables, *module.outputs]:
        assert f"`{name}`" in readme, f"README does not document {name} of {directory.name}"


def test_readme_deploy_section() -> None:
    readme = (TERRAFORM / "README.md").read_text(encoding="utf-8")
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


@pytest.mark.parametrize(
    ("readme", "heading"),
    [
        ("README.md", "### One rotator for many secrets"),
        ("README.ja.md", "## 1 つのローテーターで多数のシークレット"),
    ],
)
def test_the_readmes_explain_one_rotator_for_many_secrets(readme: str, heading: str) -> None:
    text = (REPO / readme).read_text(encoding="utf-8")
    assert heading in text, f"{readme} has no section on one rotator for many secrets"
    section = text.split(heading, 1)[1].split("\n#", 1)[0]
    for needle in (
        "modules/rotated-secret",
        "rotator = module.rotator",
        'attributes.eventType = "SECRET_ROTATE"',
        "max_delivery_attempts",
        "repository_projects",
        "audit_schedule",
        "terraform/examples/fleet",
        "moved",
    ):
        assert needle in section, f"{readme}: the section lacks {needle!r}"
