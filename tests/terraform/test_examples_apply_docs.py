"""The examples' READMEs are documents a user can apply from (terraform/examples/*/README.md).

Each names every required variable in its `terraform apply` (and `destroy`), every
`terraform output -raw X` it uses is an output of that example, and the commands after the apply
take their names from those outputs rather than spelling them."""

from __future__ import annotations

import re

import pytest

from tests.terraform.example_docs import (
    CLIENT_CHECKS,
    EXAMPLE_NAMES,
    INPUT_SECRETS,
    OUTPUT_RAW,
    after_apply,
    commands,
    example_format,
    literal_names,
    only,
    readme,
    required_variables,
    spells,
    var_options,
)
from tests.terraform.hcl import EXAMPLES, ROTATOR, SECRET_MODULE, TERRAFORM, load_module


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
    assert required_variables("dockerhub") == {"project_id", "dockerhub_username"}


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
    module_outputs = {
        "rotator": set(load_module(ROTATOR).outputs),
        "secret": set(load_module(SECRET_MODULE).outputs),
    }
    found = 0
    for name, body in load_module(EXAMPLES / example).outputs.items():
        for call, reference in re.findall(
            r"module\.(\w+)(?:\[[^\]]*\])?\.([A-Za-z0-9_]+)", str(body["value"])
        ):
            found += 1
            assert reference in module_outputs[call], (
                f"{example} output {name}: module {call} has no output {reference}"
            )
    assert found >= 10, found


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
    for needle in CLIENT_CHECKS[example_format(example)]:
        assert needle in text, f"{example}/README.md: the client check lacks {needle!r}"


def test_each_example_fetches_with_its_format_s_client() -> None:
    """A guard on the parametrisation above: the examples' formats are the ones expected."""
    assert {name: example_format(name) for name in EXAMPLE_NAMES} == {
        "pypi": "PYTHON",
        "gitlab": "PYTHON",
        "dockerhub": "DOCKER",
    }
