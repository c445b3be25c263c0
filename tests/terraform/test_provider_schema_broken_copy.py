"""A deliberately broken copy of the module: the provider schema check (schema_check.py) reports
each fault, naming the file, the resource and the attribute, and nothing else; an unbroken copy
passes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.terraform.hcl import TERRAFORM
from tests.terraform.schema_check import Finding, check_directory


def _copy_terraform(destination: Path) -> Path:
    copy = destination / "terraform"
    shutil.copytree(
        TERRAFORM, copy, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*", "*.md")
    )
    return copy


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path.name}: {old!r} is not there once"
    path.write_text(text.replace(old, new), encoding="utf-8")


# (file, old, new) -> the finding it must produce: (file, address, path, part of the problem).
BREAKAGES = [
    (
        "modules/rotator/delivery.tf",
        '  message_retention_duration = "172800s"',
        '  message_retention_duration = "172800s"\n  message_retention = "1d"',
        (
            "modules/rotator/delivery.tf",
            "resource google_pubsub_topic.events",
            "message_retention",
            "unknown argument",
        ),
    ),
    (
        "modules/rotated-secret/secret.tf",
        "  secret_id = var.secret_id\n",
        "",
        (
            "modules/rotated-secret/secret.tf",
            "resource google_secret_manager_secret.token",
            "secret_id",
            "required argument secret_id is missing",
        ),
    ),
    (
        "modules/rotated-secret/secret.tf",
        "  version_destroy_ttl = var.version_destroy_ttl",
        '  version_destroy_ttl = var.version_destroy_ttl\n  create_time = "now"',
        (
            "modules/rotated-secret/secret.tf",
            "resource google_secret_manager_secret.token",
            "create_time",
            "computed-only",
        ),
    ),
    (
        "modules/rotated-secret/secret.tf",
        "ignore_changes = [rotation[0].next_rotation_time]",
        "ignore_changes = [rotation[0].next_rotation]",
        (
            "modules/rotated-secret/secret.tf",
            "resource google_secret_manager_secret.token",
            "lifecycle.ignore_changes",
            "rotation[0].next_rotation: no argument or block next_rotation",
        ),
    ),
    (
        "modules/rotated-secret/repository.tf",
        "      remote_repository_config[0].upstream_credentials[0]",
        "      remote_repository_config.upstream_credentials[0]",
        (
            "modules/rotated-secret/repository.tf",
            "resource google_artifact_registry_repository.remote",
            "lifecycle.ignore_changes",
            "block remote_repository_config is a list: index it",
        ),
    ),
    (
        "modules/rotator/delivery.tf",
        "  retry_policy {",
        "  retry_polcy {",
        (
            "modules/rotator/delivery.tf",
            "resource google_pubsub_subscription.events",
            "retry_polcy",
            "unknown block retry_polcy",
        ),
    ),
    (
        "modules/rotator/function.tf",
        "        object = google_storage_bucket_object.source.name\n",
        "        object = google_storage_bucket_object.source.name\n        objects = []\n",
        (
            "modules/rotator/function.tf",
            "resource google_cloudfunctions2_function.rotator",
            "build_config.source.storage_source.objects",
            "unknown argument objects (known: bucket, generation, object)",
        ),
    ),
    (
        "modules/rotator/iam.tf",
        'resource "google_project_iam_custom_role" "secret" {',
        'resource "google_project_iam_custom_rol" "secret" {',
        (
            "modules/rotator/iam.tf",
            "resource google_project_iam_custom_rol.secret",
            "",
            "has no resource type google_project_iam_custom_rol",
        ),
    ),
    (
        "modules/rotator/apis.tf",
        '  provider = google-beta\n\n  project = var.project_id\n  service = "pubsub.googleapis.com"',
        '  project = var.project_id\n  service = "pubsub.googleapis.com"',
        (
            "modules/rotator/apis.tf",
            "resource google_project_service_identity.pubsub",
            "",
            "it is in hashicorp/google-beta: set `provider`",
        ),
    ),
    (
        "modules/rotated-secret/secret.tf",
        '      dynamic "customer_managed_encryption" {',
        '      dynamic "customer_encryption" {',
        (
            "modules/rotated-secret/secret.tf",
            "resource google_secret_manager_secret.token",
            "replication.auto.customer_encryption",
            "dynamic customer_encryption: customer_encryption is no block",
        ),
    ),
    (
        "modules/rotated-secret/repository.tf",
        "        public_repository = python_repository.value",
        "        public_repo = python_repository.value",
        (
            "modules/rotated-secret/repository.tf",
            "resource google_artifact_registry_repository.remote",
            "remote_repository_config.python_repository.public_repo",
            "unknown argument public_repo",
        ),
    ),
    (
        "modules/rotator/function.tf",
        "  versioning {\n    enabled = true\n  }",
        "  versioning = {\n    enabled = true\n  }",
        (
            "modules/rotator/function.tf",
            "resource google_storage_bucket.source",
            "versioning",
            "versioning is a block",
        ),
    ),
    (
        "modules/rotator/main.tf",
        "  project_id = var.project_id\n}",
        "  project_id = var.project_id\n  number     = 1\n}",
        ("modules/rotator/main.tf", "data google_project.this", "number", "computed-only"),
    ),
    (
        "examples/pypi/main.tf",
        "  secret_id    = var.secret_id\n",
        "  secret       = var.secret_id\n",
        (
            "examples/pypi/main.tf",
            "module secret",
            "secret",
            "has no variable secret",
        ),
    ),
    (
        "examples/pypi/main.tf",
        "  secret_id    = var.secret_id\n",
        "  secret       = var.secret_id\n",
        (
            "examples/pypi/main.tf",
            "module secret",
            "secret_id",
            "required variable secret_id",
        ),
    ),
]


def _matches(finding: Finding, expected: tuple[str, str, str, str]) -> bool:
    file, address, path, problem = expected
    return (
        finding.file == f"terraform/{file}"
        and finding.address == address
        and finding.path == path
        and problem in finding.problem
    )


def _check_copy(copy: Path, root: Path) -> list[Finding]:
    return [
        finding
        for directory in (
            copy,
            copy / "modules" / "rotator",
            copy / "modules" / "rotated-secret",
            copy / "examples" / "pypi",
            copy / "examples" / "gitlab",
        )
        for finding in check_directory(directory, root=root)
    ]


def test_an_unbroken_copy_passes(tmp_path: Path) -> None:
    findings = _check_copy(_copy_terraform(tmp_path), tmp_path)
    assert not findings, "\n".join(map(str, findings))


def test_a_broken_copy_reports_every_fault(tmp_path: Path) -> None:
    copy = _copy_terraform(tmp_path)
    applied: set[tuple[str, str, str]] = set()
    for file, old, new, _ in BREAKAGES:
        if (file, old, new) not in applied:  # two findings may come from one edit
            _edit(copy / file, old, new)
            applied.add((file, old, new))
    findings = _check_copy(copy, tmp_path)
    report = "\n".join(map(str, findings))
    for *_, expected in BREAKAGES:
        assert any(_matches(finding, expected) for finding in findings), (
            f"not reported: {expected}\n{report}"
        )
    unexpected = [
        finding
        for finding in findings
        if not any(_matches(finding, expected) for *_, expected in BREAKAGES)
    ]
    assert not unexpected, "\n".join(map(str, unexpected))
    # Each finding names the file, the resource and the attribute.
    assert (
        "terraform/modules/rotated-secret/secret.tf: resource "
        "google_secret_manager_secret.token.create_time:"
    ) in report
