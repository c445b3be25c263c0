"""An existing single-secret deployment upgrades without replacement (but for the failed-rotation
metric, renamed rotations_failed, and the function, which loses its Eventarc trigger):
terraform/moved.tf moves every resource address of the module of before the split (OLD_ADDRESSES, the module at commit
SPLIT_BASE) to the address the two modules declare, with the same count/for_each shape, and
Terraform itself plans the moves of such a state as moves alone (on terraform_data stand-ins,
so no provider is needed)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.terraform.console import _terraform, needs_terraform
from tests.terraform.hcl import REPO, ROTATOR, SECRET_MODULE, TERRAFORM, load, load_module
from tests.terraform.moved_scratch import MOVED_TO, scratch

# The last commit with the single-secret module (terraform/*.tf before modules/ existed).
SPLIT_BASE = "1b88eb6"
# Its resources, with their shape: "single", "count" or "for_each".
OLD_ADDRESSES = {
    "google_project_service.this": "for_each",
    "google_project_service_identity.secret_manager": "single",
    "google_project_service_identity.artifact_registry": "single",
    "google_project_service_identity.pubsub": "single",
    "google_storage_bucket.source": "single",
    "google_storage_bucket_object.source": "single",
    "google_cloudfunctions2_function.rotator": "single",
    "google_service_account.function": "single",
    "google_service_account.trigger": "single",
    "google_project_iam_custom_role.secret": "single",
    "google_project_iam_custom_role.repository": "single",
    "google_project_iam_custom_role.project": "single",
    "google_secret_manager_secret_iam_member.function_secret": "single",
    "google_secret_manager_secret_iam_member.function_reads": "for_each",
    "google_artifact_registry_repository_iam_member.function_repository": "for_each",
    "google_project_iam_member.function_discovered_repositories": "count",
    "google_project_iam_member.function_project": "single",
    "google_cloud_run_v2_service_iam_member.trigger_invoker": "single",
    "google_service_account_iam_member.pubsub_token_creator": "single",
    "google_logging_metric.rotation_failed": "single",
    "google_monitoring_alert_policy.rotation_failed": "single",
    "google_pubsub_topic.events": "single",
    "google_pubsub_topic_iam_member.secret_manager_publisher": "single",
    "google_artifact_registry_repository.remote": "single",
    "google_secret_manager_secret.token": "single",
    "google_secret_manager_secret_iam_member.registry_agent_accessor": "single",
}
MODULE_DIRECTORIES = {"rotator": ROTATOR, "secret": SECRET_MODULE}
_TO = MOVED_TO


def moves() -> dict[str, str]:
    found: dict[str, str] = {}
    for entry in load(TERRAFORM / "moved.tf").get("moved", []):
        source = entry["from"].removeprefix("${").removesuffix("}")
        target = entry["to"].removeprefix("${").removesuffix("}")
        assert source not in found, f"{source} is moved twice"
        found[source] = target
    return found


def shape(body: dict[str, Any]) -> str:
    return "for_each" if "for_each" in body else "count" if "count" in body else "single"


def test_every_old_address_is_moved_and_nothing_else() -> None:
    assert set(moves()) == set(OLD_ADDRESSES)


def test_the_wrapper_declares_no_resource_of_its_own() -> None:
    wrapper = load_module(TERRAFORM)
    assert not wrapper.resources and not wrapper.data
    assert set(wrapper.modules) == set(MODULE_DIRECTORIES)
    assert wrapper.modules["rotator"]["source"] == "./modules/rotator"
    assert wrapper.modules["secret"]["source"] == "./modules/rotated-secret"
    assert wrapper.modules["secret"]["rotator"] == "${module.rotator}"


@pytest.mark.parametrize("old", sorted(OLD_ADDRESSES))
def test_each_move_reaches_a_declared_resource_of_the_same_shape(old: str) -> None:
    target = moves()[old]
    match = _TO.fullmatch(target)
    assert match, f"{old} moves to {target}, not module.rotator.X or module.secret.X"
    call, address, key = match.groups()
    assert address.split(".")[0] == old.split(".", maxsplit=1)[0], f"{old}: the type changes"
    module = load_module(MODULE_DIRECTORIES[call])
    body = module.resource(address)
    if key is None:
        assert shape(body) == OLD_ADDRESSES[old], f"{old} -> {target}: shape changes"
    else:  # one instance of a for_each: the key the wrapper gives
        assert OLD_ADDRESSES[old] == "single" and shape(body) == "for_each", target
        repositories = load_module(TERRAFORM).modules["secret"]["repositories"]
        assert key in repositories, f"the wrapper gives no {key!r} for {target}"


def test_the_for_each_keys_are_the_same_expressions() -> None:
    """Whole-resource moves keep each instance's key: the new for_each is built as the old."""
    secret = load_module(SECRET_MODULE)
    reads = secret.resource("google_secret_manager_secret_iam_member.function_reads")
    assert reads["for_each"] == "${local.read_secrets}"
    repository = secret.resource(
        "google_artifact_registry_repository_iam_member.function_repository"
    )
    assert repository["for_each"] == "${toset(local.repositories)}"
    apis = load_module(ROTATOR).resource("google_project_service.this")
    assert apis["for_each"] == "${var.enable_apis ? toset(local.apis) : toset([])}"


def _git_show(path: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", "show", f"{SPLIT_BASE}:{path}"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return None
    return result.stdout if result.returncode == 0 else None


def test_the_old_addresses_are_those_of_the_old_module(tmp_path: Path) -> None:
    listing = _git_show("terraform/")
    if listing is None:
        pytest.skip(f"this checkout's git history lacks {SPLIT_BASE}")
    found: dict[str, str] = {}
    for name in listing.splitlines():
        if not name.endswith(".tf"):
            continue
        text = _git_show(f"terraform/{name}")
        assert text is not None, name
        (tmp_path / name).write_text(text, encoding="utf-8")
    old = load_module(tmp_path)
    found = {address: shape(body) for address, body in old.resources.items()}
    assert found == OLD_ADDRESSES


# --- Terraform plans the moves of an old state as moves alone -------------------------------------


@needs_terraform
def test_terraform_plans_the_old_state_as_moves_only(tmp_path: Path) -> None:
    instances = scratch(tmp_path, moves(), OLD_ADDRESSES)
    code, output = _terraform(tmp_path, ["init", "-input=false"], {}, "")
    assert code == 0, output
    code, output = _terraform(tmp_path, ["plan", "-input=false", "-no-color"], {}, "")
    assert code == 0, output
    assert "Plan: 0 to add, 0 to change, 0 to destroy." in output, output
    moved_lines = re.findall(r"^\s*# (\S+) has moved to (\S+)$", output, re.MULTILINE)
    assert len(moved_lines) == instances, output
    assert shutil.which("terraform")
