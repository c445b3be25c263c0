"""A scratch configuration for test_moved.py: terraform/moved.tf's moves over terraform_data
stand-ins of the two modules, and a state of the single-secret module's addresses, so that
`terraform plan` shows what the upgrade does with no provider."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

# module.CALL.TYPE.NAME, or one for_each instance of it.
MOVED_TO = re.compile(r"^module\.(\w+)\.(\w+\.\w+)(?:\[\"(\w+)\"\])?$")


def _stand_in(address: str) -> str:
    resource_type, name = address.split(".")
    return f"terraform_data.{resource_type}__{name}"


# The instance keys of the old state's for_each and count resources.
KEYS: dict[str, list[Any]] = {
    "google_project_service.this": ["pubsub.googleapis.com", "secretmanager.googleapis.com"],
    "google_secret_manager_secret_iam_member.function_reads": [
        "projects/rotator-test-1/secrets/pypi-root-token"
    ],
    "google_artifact_registry_repository_iam_member.function_repository": [
        "projects/rotator-test-1/locations/europe-west1/repositories/pypi-remote"
    ],
    "google_project_iam_member.function_discovered_repositories": [0],
}


def _instances(old: str) -> list[dict[str, Any]]:
    attributes = {"id": old, "input": None, "output": None, "triggers_replace": None}
    keys = KEYS.get(old)
    if keys is None:
        return [{"schema_version": 0, "attributes": attributes}]
    return [{"schema_version": 0, "index_key": key, "attributes": attributes} for key in keys]


def scratch(directory: Path, moves: dict[str, str], old_addresses: dict[str, str]) -> int:
    """The wrapper's moves and module calls over stand-in modules, and an old state. Returns the
    number of instances in it."""
    stand_ins: dict[str, list[str]] = {"rotator": [], "secret": []}
    moved = []
    for old, target in moves.items():
        call, address, key = MOVED_TO.fullmatch(target).groups()  # type: ignore[union-attr]
        keys = KEYS.get(old)
        if key is not None:
            repeat = f"  for_each = toset([{json.dumps(key)}])\n"
        elif old_addresses[old] == "for_each":
            repeat = f"  for_each = toset({json.dumps(keys)})\n"
        elif old_addresses[old] == "count":
            repeat = f"  count = {len(keys or [])}\n"
        else:
            repeat = ""
        _, name = _stand_in(address).split(".")
        stand_ins[call].append(f'resource "terraform_data" "{name}" {{\n{repeat}}}\n')
        suffix = f'["{key}"]' if key else ""
        moved.append(
            f"moved {{\n  from = {_stand_in(old)}\n"
            f"  to   = module.{call}.{_stand_in(address)}{suffix}\n}}\n"
        )
    for call, resources in stand_ins.items():
        (directory / call).mkdir()
        (directory / call / "main.tf").write_text("\n".join(resources), encoding="utf-8")
    calls = "".join(f'module "{call}" {{\n  source = "./{call}"\n}}\n' for call in stand_ins)
    (directory / "main.tf").write_text(calls + "\n".join(moved), encoding="utf-8")
    state_resources: list[dict[str, Any]] = []
    for old, old_shape in old_addresses.items():
        _, name = _stand_in(old).split(".")
        entry: dict[str, Any] = {
            "mode": "managed",
            "type": "terraform_data",
            "name": name,
            "provider": 'provider["terraform.io/builtin/terraform"]',
            "instances": _instances(old),
        }
        if old_shape == "for_each":
            entry["each"] = "map"
        elif old_shape == "count":
            entry["each"] = "list"
        state_resources.append(entry)
    state = {
        "version": 4,
        "terraform_version": "1.5.0",
        "serial": 1,
        "lineage": "00000000-0000-0000-0000-000000000000",
        "outputs": {},
        "resources": state_resources,
        "check_results": None,
    }
    (directory / "terraform.tfstate").write_text(json.dumps(state), encoding="utf-8")
    return sum(len(resource["instances"]) for resource in state_resources)
