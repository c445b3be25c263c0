"""The module and both examples against the providers' real schemas (what `terraform validate`
would check with the provider plugins), and the schema file itself. A broken copy that shows the
check reports each fault: test_provider_schema_broken_copy.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.terraform.hcl import MODULE_DIRECTORIES, REPO, TERRAFORM
from tests.terraform.provider_schema import PACKAGES, SOON, wanted_types
from tests.terraform.schema_check import check_directory, load_schema
from tests.terraform.schema_paths import ignore_changes_problem
from tests.terraform.tf_blocks import used_types


@pytest.mark.parametrize(
    "directory", MODULE_DIRECTORIES, ids=lambda path: str(path.relative_to(REPO))
)
def test_configuration_matches_the_provider_schema(directory: Path) -> None:
    findings = check_directory(directory)
    assert not findings, "\n".join(map(str, findings))


def test_schema_file_records_its_packages_and_providers() -> None:
    providers = load_schema()["providers"]
    assert set(providers) == set(PACKAGES)
    for provider, (package, version) in PACKAGES.items():
        assert providers[provider]["package"] == f"{package}@{version}"
    assert providers["hashicorp/google"]["provider_version"] == "6.50.0"
    assert providers["hashicorp/google-beta"]["provider_version"] == "6.50.0"
    assert providers["hashicorp/archive"]["provider_version"] == "2.7.1"


def test_schema_file_covers_every_type_used() -> None:
    """A new resource type needs `make provider-schema`; the file holds nothing else either."""
    providers = load_schema()["providers"]
    held = {
        (provider, kind, type_name)
        for provider, entry in providers.items()
        for kind in ("resource", "data")
        for type_name in entry[kind]
    }
    assert held == wanted_types(), "regenerate tests/terraform/provider_schema.json"
    assert set(SOON) <= held
    assert used_types(TERRAFORM) <= held


def test_schema_holds_known_facts() -> None:
    """Facts from the provider's documentation, so a broken extraction cannot pass unseen."""
    google = load_schema()["providers"]["hashicorp/google"]["resource"]
    secret = google["google_secret_manager_secret"]
    assert secret["attributes"]["secret_id"].get("required")
    replication = secret["blocks"]["replication"]
    assert (replication["min_items"], replication["max_items"]) == (1, 1)
    assert set(replication["block"]["blocks"]) == {"auto", "user_managed"}
    for computed in ("name", "create_time"):
        attribute = secret["attributes"][computed]
        assert attribute.get("computed") and not attribute.get("optional"), computed
    assert secret["blocks"]["topics"]["nesting"] == "list"
    assert "max_items" not in secret["blocks"]["topics"]

    function = google["google_cloudfunctions2_function"]
    assert {"build_config", "event_trigger", "service_config"} <= set(function["blocks"])
    service_config = function["blocks"]["service_config"]["block"]["attributes"]
    assert service_config["uri"] == {"computed": True, "type": "string"}
    assert service_config["available_memory"].get("optional")

    beta = load_schema()["providers"]["hashicorp/google-beta"]["resource"]
    assert "google_project_service_identity" in beta
    assert "google_project_service_identity" not in google  # beta only
    archive = load_schema()["providers"]["hashicorp/archive"]["data"]["archive_file"]
    assert archive["blocks"]["source"]["nesting"] == "set"


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("rotation[0].next_rotation_time", None),
        ("labels", None),
        ('labels["team"]', None),
        ("rotation[0].next_rotation", "no argument or block next_rotation"),
        ("rotation.next_rotation_time", "block rotation is a list: index it, rotation[0]"),
        ("rotation[0][1]", "is an object"),
        ("secret_id[0]", "secret_id is a string: it has nothing to index"),
        ("labels.team", 'labels is a map: address a key, labels["KEY"]'),
        ("create_time", "create_time is computed-only"),
        ("rotaton", "no argument or block rotaton"),
        ("topics[0].name", None),
        ("rotation[0", "not an attribute path"),
    ],
)
def test_ignore_changes_paths(path: str, problem: str | None) -> None:
    node = load_schema()["providers"]["hashicorp/google"]["resource"][
        "google_secret_manager_secret"
    ]
    found = ignore_changes_problem(node, path)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found, found


def test_set_blocks_cannot_be_indexed() -> None:
    node = load_schema()["providers"]["hashicorp/archive"]["data"]["archive_file"]
    problem = ignore_changes_problem(node, "source[0].content")
    assert problem is not None and "is a set" in problem
