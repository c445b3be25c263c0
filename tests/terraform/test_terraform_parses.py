"""Every .tf file parses (python-hcl2), and the module keeps the promises the function relies on."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.terraform.hcl import (
    EXAMPLES,
    MODULE_DIRECTORIES,
    REPO,
    TERRAFORM,
    block,
    dynamic_block,
    expression,
    load,
    load_module,
    references,
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
    for example in ("pypi", "gitlab"):
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


def test_apis() -> None:
    module = load_module(TERRAFORM)
    apis = set(module.locals["apis"])
    assert {
        "secretmanager.googleapis.com",
        "artifactregistry.googleapis.com",
        "pubsub.googleapis.com",
        "cloudfunctions.googleapis.com",
        "cloudbuild.googleapis.com",
        "run.googleapis.com",
        "eventarc.googleapis.com",
        "cloudresourcemanager.googleapis.com",
    } <= apis
    service = module.resource("google_project_service.this")
    assert service["disable_on_destroy"] is False


def test_topic_is_published_to_by_the_secret_manager_agent() -> None:
    module = load_module(TERRAFORM)
    binding = module.resource("google_pubsub_topic_iam_member.secret_manager_publisher")
    assert binding["role"] == "roles/pubsub.publisher"
    assert binding["topic"] == "${google_pubsub_topic.events.name}"
    assert binding["member"] == "${local.secret_manager_agent}"
    # The address itself: tests/terraform/test_service_agents.py.
    assert "secretmanager.googleapis.com" in module.locals["secret_manager_agent"]


def test_secret() -> None:
    module = load_module(TERRAFORM)
    secret = module.resource("google_secret_manager_secret.token")
    # The function owns the aliases.
    assert "version_aliases" not in secret
    assert secret["version_destroy_ttl"] == "${var.version_destroy_ttl}"
    assert block(secret, "topics")["name"] == "${google_pubsub_topic.events.id}"
    rotation = block(secret, "rotation")
    assert rotation["rotation_period"] == "${var.rotation_period}"
    assert "next_rotation_time" in rotation
    # Secret Manager moves next_rotation_time; the function writes its own state annotation, which
    # the provider leaves alone (annotations are non-authoritative): nothing else is ignored.
    lifecycle = block(secret, "lifecycle")
    assert lifecycle["ignore_changes"] == ["${rotation[0].next_rotation_time}"]
    assert secret["annotations"] == "${local.annotations}"
    annotations = module.locals["annotations"]
    for key in ("source", "repositories", "username", "grant-access"):
        assert f'"token-rotator.{key}"' in annotations
    assert '"token-rotator.${key}"' in annotations  # rotation_settings, prefixed
    assert "token-rotator.state" not in annotations


def test_registry_agent_reads_the_secret() -> None:
    module = load_module(TERRAFORM)
    binding = module.resource("google_secret_manager_secret_iam_member.registry_agent_accessor")
    assert binding["role"] == "roles/secretmanager.secretAccessor"
    assert binding["secret_id"] == "${google_secret_manager_secret.token.secret_id}"
    assert binding["member"] == "${local.artifact_registry_agent}"
    assert "artifactregistry.googleapis.com" in module.locals["artifact_registry_agent"]


def test_repository() -> None:
    module = load_module(TERRAFORM)
    repository = module.resource("google_artifact_registry_repository.remote")
    assert repository["mode"] == "REMOTE_REPOSITORY"
    assert repository["format"] == "PYTHON"
    remote = block(repository, "remote_repository_config")
    assert dynamic_block(remote, "python_repository")["content"][0]["public_repository"] == (
        "${python_repository.value}"
    )
    assert dynamic_block(remote, "common_repository")["content"][0]["uri"] == (
        "${common_repository.value}"
    )
    credentials = block(block(remote, "upstream_credentials"), "username_password_credentials")
    assert credentials["username"] == "${var.upstream_username}"
    assert credentials["password_secret_version"].startswith(
        "${google_secret_manager_secret.token.id}/versions/"
    )
    # The function moves password_secret_version on every rotation.
    assert block(repository, "lifecycle")["ignore_changes"] == [
        "${remote_repository_config[0].upstream_credentials[0]"
        ".username_password_credentials[0].password_secret_version}"
    ]


def test_function() -> None:
    module = load_module(TERRAFORM)
    function = module.resource("google_cloudfunctions2_function.rotator")
    build = block(function, "build_config")
    assert build["runtime"] == "python311"
    assert build["entry_point"] == "on_secret_event"
    main = (REPO / "main.py").read_text(encoding="utf-8")
    assert re.search(r"^def on_secret_event\(", main, re.MULTILINE), "entry point not in main.py"
    storage = block(block(build, "source"), "storage_source")
    assert storage["object"] == "${google_storage_bucket_object.source.name}"

    service = block(function, "service_config")
    assert service["service_account_email"] == "${google_service_account.function.email}"
    assert service["max_instance_count"] == "${var.max_instance_count}"
    environment = service["environment_variables"]
    names = set(re.findall(r"\b([A-Z][A-Z_]+) =", environment))
    assert names == {"ALLOWED_PROJECTS", "ALLOWED_UPSTREAM_HOSTS", "MAX_EVENT_AGE", "LOG_LEVEL"}
    code = "\n".join(path.read_text(encoding="utf-8") for path in (REPO / "rotation").rglob("*.py"))
    for name in names:
        assert f'"{name}"' in code, f"the function reads no environment variable {name}"

    trigger = block(function, "event_trigger")
    assert trigger["event_type"] == "google.cloud.pubsub.topic.v1.messagePublished"
    assert trigger["pubsub_topic"] == "${google_pubsub_topic.events.id}"
    assert trigger["retry_policy"] == "RETRY_POLICY_RETRY"
    assert trigger["service_account_email"] == "${google_service_account.trigger.email}"
    assert trigger["trigger_region"] == "${var.region}"

    invoker = module.resource("google_cloud_run_v2_service_iam_member.trigger_invoker")
    assert invoker["role"] == "roles/run.invoker"
    assert invoker["name"] == "${google_cloudfunctions2_function.rotator.service_config[0].service}"
    assert invoker["member"] == "serviceAccount:${google_service_account.trigger.email}"


def test_source_bucket() -> None:
    bucket = load_module(TERRAFORM).resource("google_storage_bucket.source")
    assert bucket["uniform_bucket_level_access"] is True
    assert bucket["public_access_prevention"] == "enforced"
    assert block(bucket, "versioning")["enabled"] is True


def test_archive_takes_only_main_rotation_and_requirements() -> None:
    module = load_module(TERRAFORM)
    archive = module.data["archive_file.source"]
    # No source_dir / source_file / excludes: the archive is an allow-list of files.
    assert set(archive) == {"type", "output_path", "output_file_mode", "dynamic"}
    source = dynamic_block(archive, "source")
    assert source["for_each"] == "${local.source_files}"
    [content] = source["content"]
    assert content == {
        "filename": "${source.value}",
        "content": '${file("${local.source_root}/${source.value}")}',
    }
    files = expression(module.locals["source_files"])
    quoted = set(re.findall(r'"((?:[^"\\]|\\.)*)"', files))
    assert {"main.py", "requirements.txt", "rotation/${file}", "${local.source_root}/rotation"} <= (
        quoted
    )
    assert re.fullmatch(
        r'concat\(\["main\.py", "requirements\.txt"\], \[for file in sort\(fileset\('
        r'"\$\{local\.source_root\}/rotation", "\*\*"\)\) : "rotation/\$\{file\}" if .*\]\)',
        files,
    ), files
    assert '!strcontains(file, "__pycache__")' in files


def archive_files() -> list[str]:
    """What local.source_files selects, computed the way Terraform's fileset() does."""
    rotation = REPO / "rotation"
    selected = [
        "rotation/" + path.relative_to(rotation).as_posix()
        for path in rotation.rglob("*")
        if path.is_file()
    ]
    kept = [
        name
        for name in selected
        if "__pycache__" not in name
        and not name.endswith(".pyc")
        and not name.startswith("rotation/cli/")
        and name != "rotation/__main__.py"
        and not name.removeprefix("rotation/").startswith(".")
        and "/." not in name.removeprefix("rotation/")
    ]
    return ["main.py", "requirements.txt", *sorted(kept)]


def test_archive_files_are_readable_by_terraform_file() -> None:
    files = archive_files()
    assert "rotation/__init__.py" in files
    for name in files:
        path = REPO / name
        assert path.is_file(), f"{name} is missing"
        # file() reads UTF-8 text only: a binary in rotation/ would break `terraform plan`.
        path.read_bytes().decode("utf-8")
    assert not any(
        name.startswith(("tests/", "emulator/", "terraform/", "bench/", "rotation/cli/"))
        for name in files
    )


def test_the_upload_runs_without_the_command_line(tmp_path: Path) -> None:
    """The archive's files alone import the entry point and every module they hold."""
    for name in archive_files():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / name, tmp_path / name)
    modules = [
        name.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        for name in archive_files()
        if name.endswith(".py")
    ]
    script = (
        "import importlib, sys\n"
        "for m in sys.argv[1:]: importlib.import_module(m)\n"
        "print(importlib.import_module('rotation').__file__)"
    )
    result = subprocess.run(
        [sys.executable, "-E", "-s", "-c", script, *modules],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "rotation" / "__init__.py")
    assert "main" in modules and "rotation.function.handler" in modules
    assert not (tmp_path / "rotation" / "cli").exists()


def test_failed_rotation_metric_and_alert() -> None:
    module = load_module(TERRAFORM)
    metric = module.resource("google_logging_metric.rotation_failed")
    log_filter = metric["filter"]
    assert 'jsonPayload.event=\\"rotation_failed\\"' in log_filter
    assert "severity>=ERROR" in log_filter
    assert 'resource.type=\\"cloud_run_revision\\"' in log_filter
    code = "\n".join(path.read_text(encoding="utf-8") for path in (REPO / "rotation").rglob("*.py"))
    assert 'event="rotation_failed"' in code, "the function no longer logs rotation_failed"

    alert = module.resource("google_monitoring_alert_policy.rotation_failed")
    assert alert["notification_channels"] == "${var.notification_channels}"
    condition = block(block(alert, "conditions"), "condition_threshold")
    assert "google_logging_metric.rotation_failed.name" in " ".join(references(condition["filter"]))


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
