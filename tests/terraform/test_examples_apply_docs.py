"""The examples' READMEs are documents a user can apply from (terraform/examples/*/README.md).

Each names every required variable in its `terraform apply` (and `destroy`), every
`terraform output -raw X` it uses is an output of that example, the commands after the apply take
their names from those outputs rather than spelling them, and the first scheduled rotation waits
for the token only a person can add (`first_rotation_delay`, wired from the example to the
module, with a default long enough to add the token)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.terraform.hcl import EXAMPLES, TERRAFORM, expression, load_module

EXAMPLE_NAMES = ("pypi", "gitlab")
# The secret each example creates empty for the token a person adds, and the output naming it.
INPUT_SECRETS = {
    "pypi": ("google_secret_manager_secret.pypi_root", "root_secret_id", "root-secret"),
    "gitlab": (
        "google_secret_manager_secret.gitlab_minting",
        "minting_secret_id",
        "minting-secret",
    ),
}
# Names a command after the apply must take from an output, whatever the variables say.
ALWAYS_FORBIDDEN = ("MY_PROJECT", "my-project", "europe-west1", "us-central1")
# Enough time to add a token by hand after the apply: at least an hour.
GENEROUS_MINUTES = 60

OUTPUT_RAW = re.compile(r"terraform output -raw ([A-Za-z0-9_-]+)")
VAR_OPTION = re.compile(r"""-var[ =]'?([A-Za-z0-9_]+)=([^\s']*)""")


@dataclass(frozen=True)
class Command:
    line: str  # continuation lines joined
    block: int  # index of its fenced block in the README


def readme(example: str) -> str:
    return (EXAMPLES / example / "README.md").read_text(encoding="utf-8")


def code_blocks(text: str) -> list[str]:
    """The fenced blocks of a Markdown text, in order."""
    return re.findall(r"^```[a-z]*\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def commands(text: str) -> list[Command]:
    """Every command line of every fenced block, with backslash continuations joined."""
    found: list[Command] = []
    for index, block in enumerate(code_blocks(text)):
        joined = re.sub(r"\s*\\\n\s*", " ", block)
        found.extend(Command(line.strip(), index) for line in joined.splitlines() if line.strip())
    return found


def only(commands_found: list[Command], prefix: str, example: str) -> Command:
    matching = [command for command in commands_found if command.line.startswith(prefix)]
    assert len(matching) == 1, f"{example}/README.md: expected one `{prefix}`, found {matching}"
    return matching[0]


def required_variables(example: str) -> set[str]:
    variables = load_module(EXAMPLES / example).variables
    return {name for name, body in variables.items() if "default" not in body}


def var_options(command: Command) -> dict[str, str]:
    return dict(VAR_OPTION.findall(command.line))


def after_apply(example: str) -> list[Command]:
    """The commands of the blocks after the one holding `terraform apply`, but `destroy`, which
    repeats the apply's -var values."""
    found = commands(readme(example))
    apply = only(found, "terraform apply", example)
    return [
        command
        for command in found
        if command.block > apply.block and not command.line.startswith("terraform destroy")
    ]


def literal_names(example: str) -> set[str]:
    """What a command after the apply must not spell out: the values the apply is given, the
    defaults of the example's string variables, and the function's and topic's names (the
    example's literal ones, or the module's defaults)."""
    found = commands(readme(example))
    names = set(ALWAYS_FORBIDDEN)
    names.update(var_options(only(found, "terraform apply", example)).values())
    for body in load_module(EXAMPLES / example).variables.values():
        default = body.get("default")
        if isinstance(default, str) and not re.fullmatch(r"[0-9]+[smhd]", default):
            names.add(default)  # a name, not a duration
    call = load_module(EXAMPLES / example).modules["token_rotator"]
    module_variables = load_module(TERRAFORM).variables
    for name in ("function_name", "topic_name", "service_account_id"):
        value = call.get(name, module_variables[name].get("default"))
        if isinstance(value, str) and not value.startswith("${"):
            names.add(value)
    return {name for name in names if name}


def spells(line: str, name: str) -> bool:
    """Whether `name` stands in `line` as a whole name (not inside ar-token-rotator, say), outside
    the `terraform output -raw X` that name things rightly."""
    line = OUTPUT_RAW.sub("terraform output -raw", line)
    return re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", line) is not None


def minutes(delay: str) -> int:
    match = re.fullmatch(r"([0-9]+)([mh])", delay)
    assert match, f"not minutes or hours: {delay!r}"
    return int(match.group(1)) * (60 if match.group(2) == "h" else 1)


# --- (a) the apply names every required variable -------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_readme_exists_and_runs_init_then_apply_in_the_example(example: str) -> None:
    found = commands(readme(example))
    apply = only(found, "terraform apply", example)
    block = [command.line for command in found if command.block == apply.block]
    assert block[0] == f"cd terraform/examples/{example}", block
    assert "terraform init" in block
    assert block.index("terraform init") < block.index(apply.line)


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
@pytest.mark.parametrize("verb", ["apply", "destroy"])
def test_apply_and_destroy_give_every_required_variable(example: str, verb: str) -> None:
    command = only(commands(readme(example)), f"terraform {verb}", example)
    given = var_options(command)
    required = required_variables(example)
    assert required, f"{example}: no required variable at all?"
    missing = required - set(given)
    assert not missing, f"{example}: `terraform {verb}` lacks -var {sorted(missing)}"
    unknown = set(given) - set(load_module(EXAMPLES / example).variables)
    assert not unknown, f"{example}: `terraform {verb}` gives undeclared {sorted(unknown)}"
    assert all(given.values()), f"{example}: an empty -var value in {command.line!r}"


def test_the_required_variables_are_the_expected_ones() -> None:
    """A guard on the parsing above: a variable without a default is really seen as one."""
    assert required_variables("pypi") == {"project_id"}
    assert required_variables("gitlab") == {"project_id", "gitlab_url", "gitlab_project_id"}


# --- (b) every output used exists -------------------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_every_output_used_is_an_output_of_the_example(example: str) -> None:
    used = set(OUTPUT_RAW.findall(readme(example)))
    outputs = set(load_module(EXAMPLES / example).outputs)
    assert used, f"{example}/README.md uses no output"
    assert used <= outputs, f"{example}/README.md uses outputs it lacks: {sorted(used - outputs)}"
    for needed in ("function_name", "region", "project_id", "secret", "repository_url"):
        assert needed in used, f"{example}/README.md never uses the output {needed}"


def test_the_module_readme_uses_outputs_the_examples_have() -> None:
    used = set(OUTPUT_RAW.findall((TERRAFORM / "README.md").read_text(encoding="utf-8")))
    for example in EXAMPLE_NAMES:
        outputs = set(load_module(EXAMPLES / example).outputs)
        # The input secret's output differs between the examples; the README says which.
        shared = used - {INPUT_SECRETS[name][1] for name in EXAMPLE_NAMES}
        assert shared <= outputs, f"terraform/README.md uses {sorted(shared - outputs)}"
    assert INPUT_SECRETS["pypi"][1] in used


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_example_outputs_name_module_outputs_that_exist(example: str) -> None:
    module_outputs = set(load_module(TERRAFORM).outputs)
    for name, body in load_module(EXAMPLES / example).outputs.items():
        for reference in re.findall(r"module\.token_rotator\.([A-Za-z0-9_]+)", str(body["value"])):
            assert reference in module_outputs, (
                f"{example} output {name}: no module output {reference}"
            )


# --- (c) no literal name after the apply --------------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_commands_after_the_apply_spell_no_name(example: str) -> None:
    names = literal_names(example)
    assert {"MY_PROJECT", "europe-west1"} <= names
    later = after_apply(example)
    assert later, f"{example}/README.md has no command after the apply"
    for command in later:
        spelt = sorted(name for name in names if spells(command.line, name))
        assert not spelt, f"{example}/README.md: {command.line!r} spells {spelt}"


def test_the_literal_check_catches_a_literal() -> None:
    names = literal_names("gitlab")
    assert "gitlab-token-rotator" in names and "gitlab-upstream-token" in names
    assert spells(
        "gcloud functions logs read gitlab-token-rotator --region europe-west1", "europe-west1"
    )
    assert not spells("ar-token-rotator status x", "token-rotator")
    assert not spells('"$(terraform output -raw region)"', "region")
    assert spells("--location europe-west1", "europe-west1")


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_the_commands_after_the_apply_use_the_outputs(example: str) -> None:
    lines = [command.line for command in after_apply(example)]
    text = "\n".join(lines)
    _, input_output, _ = INPUT_SECRETS[example]
    adds = [line for line in lines if line.find("gcloud secrets versions add") >= 0]
    assert len(adds) == 1, adds
    assert f'"$(terraform output -raw {input_output})"' in adds[0]
    assert '--project "$(terraform output -raw project_id)"' in adds[0]
    assert adds[0].endswith("--data-file=-") and adds[0].startswith('printf %s "$')
    assert (
        'gcloud functions logs read "$(terraform output -raw function_name)" --gen2 '
        '--region "$(terraform output -raw region)"'
    ) in text
    assert 'ar-token-rotator status "$(terraform output -raw secret)"' in text
    assert 'ar-token-rotator republish "$(terraform output -raw secret)" --wait' in text
    assert "INDEX_URL=$(terraform output -raw repository_url)" in text
    assert "pip download" in text and "${INDEX_URL#https://}" in text


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
    call = example_module.modules["token_rotator"]
    assert expression(call.get("first_rotation_delay")) == "var.first_rotation_delay"
    # ... and the module uses it for the secret's first rotation time.
    rotation = load_module(TERRAFORM).resource("google_secret_manager_secret.token")["rotation"][0]
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


@pytest.mark.parametrize("directory", [TERRAFORM, *(EXAMPLES / name for name in EXAMPLE_NAMES)])
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
    assert resource_name in str(module.modules["token_rotator"]["rotation_settings"][key])


# --- with a terraform binary: the module accepts each example's default ------------------------------

TERRAFORM_BINARY = shutil.which("terraform")


@pytest.mark.skipif(TERRAFORM_BINARY is None, reason="no terraform binary here")
@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_the_module_accepts_the_example_default(example: str, tmp_path: Path) -> None:
    default = load_module(EXAMPLES / example).variables["first_rotation_delay"]["default"]
    shutil.copy(TERRAFORM / "variables.tf", tmp_path / "variables.tf")
    values = {
        "project_id": "rotator-test-1",
        "secret_id": "pypi-upstream-token",
        "token_source": "pypi-derived",
        "repository_id": "pypi-remote",
        "first_rotation_delay": default,
    }
    (tmp_path / "values.tfvars.json").write_text(json.dumps(values), encoding="utf-8")
    (tmp_path / "empty.tfrc").write_text("", encoding="utf-8")
    environment = dict(os.environ)
    environment.update(
        {
            "CHECKPOINT_DISABLE": "1",
            "TF_IN_AUTOMATION": "1",
            "TF_CLI_CONFIG_FILE": str(tmp_path / "empty.tfrc"),
        }
    )
    assert TERRAFORM_BINARY is not None
    result = subprocess.run(
        [TERRAFORM_BINARY, "console", "-var-file=values.tfvars.json"],
        cwd=tmp_path,
        input='timeadd("2026-01-01T00:00:00Z", var.first_rotation_delay)\n',
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    assert result.returncode == 0, output
    expected = f"2026-01-01T{minutes(default) // 60:02d}:{minutes(default) % 60:02d}:00Z"
    assert f'"{expected}"' in output, output
