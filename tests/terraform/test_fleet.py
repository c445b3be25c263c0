"""examples/fleet: one rotator, three secrets by for_each, four repositories in two projects.
Terraform evaluates the fleet's secrets (fleet.tf) and, for each, the rotated-secret module's
locals and preconditions as the example calls it (the rotator's outputs stood in for): no
provider is needed."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from rotation.core.config import load as load_config
from rotation.core.settings import Settings
from rotation.sources import SOURCE_KEYS
from tests.terraform.console import (
    _console,
    evaluate_secret_locals,
    locals_config,
    needs_terraform,
    plan,
    rotator_stub,
)
from tests.terraform.hcl import FLEET, SECRET_MODULE, expression, load_module

PROJECT = "rotator-test-1"
SECOND = "rotator-test-2"
VALUES = {"project_id": PROJECT, "second_project_id": SECOND}


def test_one_rotator_and_one_secret_module_per_entry() -> None:
    fleet = load_module(FLEET)
    rotator = fleet.modules["rotator"]
    assert rotator["repository_projects"] == ["${var.second_project_id}"]
    assert "for_each" not in rotator  # one function for every secret
    secret = fleet.modules["secret"]
    assert secret["for_each"] == "${local.secrets}"
    assert secret["rotator"] == "${module.rotator}"
    assert secret["repositories"] == "${each.value.repositories}"
    assert fleet.resource("google_secret_manager_secret.input")["for_each"] == "${local.secrets}"
    # The input secret's name, known at plan (the function's read binding is keyed by it).
    settings = secret["rotation_settings"]
    assert "google_secret_manager_secret.input[each.key].project" in settings
    assert "google_secret_manager_secret.input[each.key].secret_id" in settings


@pytest.fixture(scope="module")
def secrets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if shutil.which("terraform") is None:
        pytest.skip("no terraform binary here")
    directory = tmp_path_factory.mktemp("fleet")
    shutil.copy(FLEET / "variables.tf", directory / "variables.tf")
    shutil.copy(FLEET / "fleet.tf", directory / "fleet.tf")
    code, output = _console(directory, "jsonencode(local.secrets)", VALUES)
    assert code == 0 and "Error:" not in output, output
    evaluated: dict[str, Any] = json.loads(json.loads(output.strip().splitlines()[-1]))
    return evaluated


def _module_values(entry: dict[str, Any], key: str) -> dict[str, Any]:
    """modules/rotated-secret's variables as examples/fleet/main.tf gives them for `entry`."""
    input_secret = f"projects/{PROJECT}/secrets/{entry['input_secret_id']}"
    return {
        "rotator": rotator_stub(PROJECT, repository_projects=(SECOND,)),
        "secret_id": f"{key}-token",
        "token_source": entry["source"],
        "rotation_period": entry["rotation_period"],
        "rotation_settings": {**entry["rotation_settings"], entry["input_key"]: input_secret},
        "first_rotation_delay": "1h",
        "repositories": entry["repositories"],
    }


@needs_terraform
def test_three_secrets_four_repositories_two_projects(secrets: dict[str, Any]) -> None:
    assert len(secrets) == 3
    repositories = [
        (repository["project_id"], repository["repository_id"])
        for entry in secrets.values()
        for repository in entry["repositories"].values()
    ]
    assert len(repositories) == len(set(repositories)) == 4
    assert {project for project, _ in repositories} == {PROJECT, SECOND}
    # Each secret's input is its own.
    assert len({entry["input_secret_id"] for entry in secrets.values()}) == 3


@needs_terraform
def test_each_secret_s_annotations_and_grants(secrets: dict[str, Any], tmp_path: Path) -> None:
    seen_repositories: list[str] = []
    for key, entry in secrets.items():
        values = _module_values(entry, key)
        directory = tmp_path / key
        directory.mkdir()
        evaluated = evaluate_secret_locals(directory, values)
        expected = sorted(
            f"projects/{r['project_id']}/locations/europe-west1/repositories/{r['repository_id']}"
            for r in entry["repositories"].values()
        )
        assert sorted(evaluated["repositories"]) == expected
        seen_repositories += evaluated["repositories"]
        annotations = evaluated["annotations"]
        assert annotations["token-rotator.repositories"] == ",".join(evaluated["repositories"])
        assert evaluated["read_secrets"] == [values["rotation_settings"][entry["input_key"]]]
        # A repository in the second project: its service agent reads the secret too.
        others = {r["project_id"] for r in entry["repositories"].values()} - {PROJECT}
        assert evaluated["other_repository_projects"] == sorted(others)
        # The function accepts what the module writes.
        config = load_config(annotations, Settings(), SOURCE_KEYS)
        assert config.source == entry["source"]
        assert config.repositories == tuple(evaluated["repositories"])
    assert len(seen_repositories) == 4


def _binding_preconditions() -> str:
    """The repository binding's precondition, as written in modules/rotated-secret/iam.tf."""
    text = (SECRET_MODULE / "iam.tf").read_text(encoding="utf-8")
    start = text.index('resource "google_artifact_registry_repository_iam_member"')
    match = re.search(r"\n  lifecycle \{\n(.*?)\n  \}\n", text[start:], re.DOTALL)
    assert match, "no lifecycle block on the repository binding"
    return match.group(1)


def _plan_bindings(directory: Path, values: dict[str, Any]) -> tuple[int, str]:
    directory.mkdir()
    locals_config(directory)
    binding = load_module(SECRET_MODULE).resource(
        "google_artifact_registry_repository_iam_member.function_repository"
    )
    (directory / "checks.tf").write_text(
        'resource "terraform_data" "binding" {\n'
        f"  for_each = {expression(binding['for_each'])}\n"
        f"  lifecycle {{\n{_binding_preconditions()}\n  }}\n}}\n",
        encoding="utf-8",
    )
    return plan(directory, values)


@needs_terraform
def test_the_second_project_must_be_among_the_rotator_s_projects(
    secrets: dict[str, Any], tmp_path: Path
) -> None:
    values = _module_values(secrets["pypi-team-a"], "pypi-team-a")
    code, output = _plan_bindings(tmp_path / "listed", values)
    assert code == 0 and "Error" not in output, output
    # The same secret with a rotator that does not list the second project: refused.
    values["rotator"] = rotator_stub(PROJECT)
    code, output = _plan_bindings(tmp_path / "unlisted", values)
    assert code != 0, output
    words = " ".join(output.replace("│", " ").split())
    assert "Resource precondition failed" in words, output
    assert f"add {SECOND} to the rotator's repository_projects" in words, output


def test_the_readme_applies_with_every_required_variable_and_uses_outputs() -> None:
    text = (FLEET / "README.md").read_text(encoding="utf-8")
    fleet = load_module(FLEET)
    required = {name for name, body in fleet.variables.items() if "default" not in body}
    assert required == {"project_id", "second_project_id"}
    for verb in ("apply", "destroy"):
        [line] = [line for line in text.splitlines() if line.startswith(f"terraform {verb} ")]
        given = set(re.findall(r"-var ([a-z_]+)=", line))
        assert given == required, f"terraform {verb} gives {sorted(given)}"
    used = set(re.findall(r"terraform output -(?:raw|json) ([a-z_]+)", text))
    assert used, "the README takes no name from the outputs"
    assert used <= set(fleet.outputs), f"no such output: {sorted(used - set(fleet.outputs))}"
    # After the apply's section, every name comes from an output.
    after = text.split("## Add the input tokens", 1)[1].split("terraform destroy", 1)[0]
    for literal in ("MY_PROJECT", "MY_SECOND_PROJECT", "europe-west1", "fleet-token-rotator"):
        assert literal not in after, f"the README spells {literal} after the apply"
    for key in load_module(FLEET).locals["secrets"]:
        assert f'."{key}"' in text, f"the README adds no input token for {key}"
