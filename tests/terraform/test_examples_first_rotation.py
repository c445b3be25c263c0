"""The first scheduled rotation waits for the token only a person can add: `first_rotation_delay`,
wired from each example to the module, with a default long enough to add the token, and no
token ever passing through Terraform."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.terraform.console import BASE, _console, needs_terraform
from tests.terraform.example_docs import (
    EXAMPLE_NAMES,
    GENEROUS_MINUTES,
    INPUT_SECRETS,
    minutes,
    readme,
)
from tests.terraform.hcl import EXAMPLES, FLEET, SECRET_MODULE, TERRAFORM, expression, load_module

# --- (d) the first rotation waits for the token ---------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_the_example_passes_a_generous_first_rotation_delay(example: str) -> None:
    example_module = load_module(EXAMPLES / example)
    variable = example_module.variables.get("first_rotation_delay")
    assert variable is not None, f"{example}: no variable first_rotation_delay"
    assert variable.get("description")
    default = variable.get("default")
    assert isinstance(default, str)
    assert minutes(default) >= GENEROUS_MINUTES, f"{example}: {default} leaves too little time"
    call = example_module.modules["secret"]
    assert expression(call.get("first_rotation_delay")) == "var.first_rotation_delay"
    # ... and the module uses it for the secret's first rotation time.
    rotation = load_module(SECRET_MODULE).resource("google_secret_manager_secret.token")
    rotation = rotation["rotation"][0]
    assert "var.first_rotation_delay" in rotation["next_rotation_time"]
    assert "next_rotation_time" in example_module.outputs


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_the_readme_explains_the_first_rotation(example: str) -> None:
    text = readme(example)
    section = text.split("## First rotation", 1)[1].split("\n## ", 1)[0]
    default = load_module(EXAMPLES / example).variables["first_rotation_delay"]["default"]
    for needle in (
        "`first_rotation_delay`",
        "-var first_rotation_delay=",
        "fails at its `checks` step",
        "add the token to",
        "ar-token-rotator republish",
        "terraform output -raw next_rotation_time",
    ):
        assert needle in section, f"{example}/README.md, First rotation, lacks {needle!r}"
    assert f"**{minutes(default) // 60} hour" in section or f"`{default}`" in section
    # The token is added after the apply, and before the first rotation's section says why.
    assert text.index("## Add the") < text.index("## First rotation")


@pytest.mark.parametrize(
    "directory",
    [TERRAFORM, SECRET_MODULE, *(EXAMPLES / name for name in EXAMPLE_NAMES), FLEET],
    ids=lambda path: path.name,
)
def test_no_token_passes_through_terraform(directory: Path) -> None:
    """The chosen first rotation never has Terraform create the token's version."""
    module = load_module(directory)
    assert not module.of_type("google_secret_manager_secret_version")
    assert not [
        name for name in module.data if name.startswith("google_secret_manager_secret_version")
    ]


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_the_input_secret_is_created_empty_and_named_by_an_output(example: str) -> None:
    address, output, key = INPUT_SECRETS[example]
    module = load_module(EXAMPLES / example)
    module.resource(address)
    resource_name = address.split(".", 1)[1]
    assert resource_name in str(module.outputs[output]["value"])
    assert resource_name in str(module.modules["secret"]["rotation_settings"][key])


# --- with a terraform binary: the module accepts each example's default ------------------------------


@needs_terraform
@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_the_module_accepts_the_example_default(example: str, tmp_path: Path) -> None:
    default = load_module(EXAMPLES / example).variables["first_rotation_delay"]["default"]
    start = datetime.now(UTC).replace(microsecond=0)
    shutil.copy(TERRAFORM / "variables.tf", tmp_path / "variables.tf")
    code, output = _console(
        tmp_path,
        f'timeadd("{start:%Y-%m-%dT%H:%M:%SZ}", var.first_rotation_delay)',
        {**BASE, "first_rotation_delay": default},
    )
    assert code == 0, output
    expected = f"{start + timedelta(minutes=minutes(default)):%Y-%m-%dT%H:%M:%SZ}"
    assert f'"{expected}"' in output, output
