"""Reading the examples' READMEs (terraform/examples/*/README.md): their commands, the variables
and outputs they use, and the names they must not spell."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tests.terraform.hcl import EXAMPLE_NAMES, EXAMPLES, ROTATOR, SECRET_MODULE, load_module

__all__ = ["EXAMPLE_NAMES"]
# The secret each example creates empty for the token a person adds, and the output naming it.
INPUT_SECRETS = {
    "pypi": ("google_secret_manager_secret.pypi_root", "root_secret_id", "root-secret"),
    "gitlab": (
        "google_secret_manager_secret.gitlab_minting",
        "minting_secret_id",
        "minting-secret",
    ),
    "dockerhub": (
        "google_secret_manager_secret.dockerhub_admin",
        "admin_secret_id",
        "admin-secret",
    ),
}
# By repository format, what the commands after the apply hold to fetch through the repository
# with the format's own client, its address taken from the repository_url output.
CLIENT_CHECKS = {
    "PYTHON": (
        "INDEX_URL=$(terraform output -raw repository_url)",
        "pip download",
        "${INDEX_URL#https://}",
    ),
    "DOCKER": (
        'gcloud auth configure-docker "$(terraform output -raw registry_host)"',
        "REPOSITORY_URL=$(terraform output -raw repository_url)",
        'docker pull "$REPOSITORY_URL/library/alpine"',
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


def example_format(example: str) -> str:
    """The repository_format an example gives the module (the module's default if none)."""
    call = load_module(EXAMPLES / example).modules["secret"]
    value = call.get(
        "repository_format", load_module(SECRET_MODULE).variables["repository_format"]["default"]
    )
    assert isinstance(value, str), value
    return value


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
    call = load_module(EXAMPLES / example).modules["rotator"]
    module_variables = load_module(ROTATOR).variables
    for name in ("function_name", "events_topic_name", "service_account_id"):
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
