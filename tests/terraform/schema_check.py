"""Check Terraform configurations against the providers' schemas, with no provider binary.

`terraform validate` needs the provider plugins, which this machine cannot download. Instead,
provider_schema.json holds the schemas of the resource and data source types the module uses,
extracted from the pinned cdktf provider packages (tests/terraform/provider_schema.py, `make
provider-schema`). `check_directory` reads every resource, data and module block of a directory's
.tf files (python-hcl2, blocks kept apart from arguments) and reports, as `Finding`s:

- a resource or data source type the provider does not have;
- an argument or block name the schema does not have (at any depth, `dynamic` blocks included),
  an argument written as a block or a block written as an argument;
- a required argument or block left out, a block given more often than its max_items;
- a computed-only attribute set;
- a `lifecycle.ignore_changes` path that names nothing in the schema, indexes what cannot be
  indexed, or names a computed-only attribute (which Terraform reports as redundant);
- a module call that gives an argument the module has no variable for, or leaves out a required one.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2

from tests.terraform.hcl import REPO

SCHEMA_FILE = Path(__file__).with_name("provider_schema.json")

_OPTIONS = hcl2.SerializationOptions(
    strip_string_quotes=True, explicit_blocks=True, with_comments=False
)
_BLOCK_MARK = "__is_block__"

# Terraform's own arguments and blocks, which no provider schema lists.
RESOURCE_META = {"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner"}
RESOURCE_META_BLOCKS = {"lifecycle", "provisioner", "connection"}
DATA_META = {"count", "for_each", "depends_on", "provider", "lifecycle"}
MODULE_META = {"source", "version", "count", "for_each", "depends_on", "providers"}
RESOURCE_LIFECYCLE = {
    "create_before_destroy",
    "prevent_destroy",
    "ignore_changes",
    "replace_triggered_by",
    "precondition",
    "postcondition",
}
DATA_LIFECYCLE = {"precondition", "postcondition"}
DYNAMIC_ARGUMENTS = {"for_each", "iterator", "labels", "content"}

Schema = dict[str, Any]


@dataclass(frozen=True, order=True)
class Finding:
    file: str
    address: str  # resource TYPE.NAME, data TYPE.NAME or module NAME
    path: str  # the argument or block, dotted (empty for the block itself)
    problem: str

    def __str__(self) -> str:
        where = f"{self.address}.{self.path}" if self.path else self.address
        return f"{self.file}: {where}: {self.problem}"


@functools.cache
def load_schema(path: Path = SCHEMA_FILE) -> Schema:
    schema: Schema = json.loads(path.read_text(encoding="utf-8"))
    return schema


def _load(path: Path) -> dict[str, Any]:
    return _parse(path.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=256)
def _parse(text: str) -> dict[str, Any]:
    """A .tf file's blocks and arguments (cached by content: parsing is the slow part; never
    modify the result)."""
    document: dict[str, Any] = hcl2.loads(text, serialization_options=_OPTIONS)
    return document


def _blocks(value: Any) -> list[dict[str, Any]] | None:
    """The occurrences of a nested block, or None when `value` is an argument's value."""
    if (
        isinstance(value, list)
        and value
        and all(isinstance(item, dict) and item.get(_BLOCK_MARK) for item in value)
    ):
        return value
    return None


def _dynamic_blocks(value: Any) -> bool:
    """Whether `value` is what python-hcl2 makes of `dynamic "NAME" { ... }` blocks."""
    return isinstance(value, list) and all(
        isinstance(entry, dict)
        and all(
            isinstance(generator, dict) and generator.get(_BLOCK_MARK)
            for generator in entry.values()
        )
        for entry in value
    )


def _body(block: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in block.items() if key != _BLOCK_MARK}


def _required_providers(documents: list[dict[str, Any]]) -> dict[str, str]:
    """Local provider name -> source address (hashicorp/google), from terraform blocks."""
    sources: dict[str, str] = {}
    for document in documents:
        for settings in document.get("terraform", []):
            for providers in settings.get("required_providers", []):
                for local_name, requirement in _body(providers).items():
                    if isinstance(requirement, dict) and "source" in requirement:
                        sources[local_name] = requirement["source"].removeprefix(
                            "registry.terraform.io/"
                        )
    return sources


def _provider_source(body: dict[str, Any], type_name: str, sources: dict[str, str]) -> str:
    """The provider a block uses: its `provider` argument, else its type's prefix (Terraform's
    implied provider), mapped through required_providers."""
    reference = body.get("provider")
    if isinstance(reference, str):
        local_name = reference.removeprefix("${").removesuffix("}").split(".")[0]
    else:
        local_name = type_name.split("_", 1)[0]
    return sources.get(local_name, f"hashicorp/{local_name}")


@dataclass(frozen=True)
class _Block:
    kind: str  # resource, data or module
    type_name: str  # the resource or data type; the module's name
    name: str
    body: dict[str, Any]
    file: Path

    @property
    def address(self) -> str:
        if self.kind == "module":
            return f"module {self.name}"
        return f"{self.kind} {self.type_name}.{self.name}"


def _configuration(directory: Path) -> tuple[list[_Block], dict[str, str]]:
    blocks: list[_Block] = []
    documents = []
    for path in sorted(directory.glob("*.tf")):
        document = _load(path)
        documents.append(document)
        for kind in ("resource", "data"):
            for entry in document.get(kind, []):
                for type_name, named in _body(entry).items():
                    for name, block in _body(named).items():
                        blocks.append(_Block(kind, type_name, name, _body(block), path))
        for entry in document.get("module", []):
            for name, block in _body(entry).items():
                blocks.append(_Block("module", name, name, _body(block), path))
    return blocks, _required_providers(documents)


def used_types(directory: Path) -> set[tuple[str, str, str]]:
    """(provider source, resource|data, type) of every resource and data block in `directory`."""
    blocks, sources = _configuration(directory)
    return {
        (_provider_source(block.body, block.type_name, sources), block.kind, block.type_name)
        for block in blocks
        if block.kind != "module"
    }


def _computed_only(attribute: dict[str, Any]) -> bool:
    return bool(attribute.get("computed")) and not (
        attribute.get("optional") or attribute.get("required")
    )


class _Checker:
    def __init__(self, block: _Block, file: str):
        self.block = block
        self.file = file
        self.findings: list[Finding] = []

    def report(self, path: list[str], problem: str) -> None:
        self.findings.append(Finding(self.file, self.block.address, ".".join(path), problem))

    def body(self, body: dict[str, Any], node: Schema, path: list[str], meta: set[str]) -> None:
        """Check one block's body (`meta`: Terraform's own arguments, skipped) against `node`."""
        given: dict[str, int] = {}  # block name -> static occurrences
        dynamic: set[str] = set()
        for name, value in body.items():
            if name in meta:
                continue
            if name == "dynamic" and _dynamic_blocks(value):
                for entry in value:
                    for block_name, generator in _body(entry).items():
                        self.dynamic(block_name, _body(generator), node, path)
                        dynamic.add(block_name)
            elif (occurrences := _blocks(value)) is not None:
                given[name] = given.get(name, 0) + len(occurrences)
                self.nested(name, occurrences, node, path)
            else:
                self.argument(name, node, path)
        self.missing(body, given, dynamic, node, path)

    def nested(
        self, name: str, occurrences: list[dict[str, Any]], node: Schema, path: list[str]
    ) -> None:
        here = [*path, name]
        if name in node["blocks"]:
            for occurrence in occurrences:
                self.body(_body(occurrence), node["blocks"][name]["block"], here, set())
        elif name in node["attributes"]:
            self.report(here, f"{name} is an argument: write `{name} = ...`, not a block")
        else:
            self.report(here, f"unknown block {name}{_known(node)}")

    def argument(self, name: str, node: Schema, path: list[str]) -> None:
        here = [*path, name]
        if name in node["attributes"]:
            if _computed_only(node["attributes"][name]):
                self.report(here, f"{name} is computed-only: the provider sets it, remove it here")
        elif name in node["blocks"]:
            self.report(here, f"{name} is a block: write `{name} {{ ... }}`, not `{name} =`")
        else:
            self.report(here, f"unknown argument {name}{_known(node)}")

    def missing(
        self,
        body: dict[str, Any],
        given: dict[str, int],
        dynamic: set[str],
        node: Schema,
        path: list[str],
    ) -> None:
        """Required arguments and blocks left out, blocks given more often than allowed."""
        for name, attribute in node["attributes"].items():
            if attribute.get("required") and name not in body:
                self.report([*path, name], f"required argument {name} is missing")
        for name, nested in node["blocks"].items():
            count = given.get(name, 0)
            if nested.get("min_items", 0) > count and name not in dynamic:
                self.report([*path, name], f"required block {name} is missing")
            maximum = nested.get("max_items")
            if maximum is not None and count > maximum:
                self.report(
                    [*path, name], f"block {name} is given {count} times, at most {maximum}"
                )

    def dynamic(self, name: str, generator: dict[str, Any], node: Schema, path: list[str]) -> None:
        here = [*path, name]
        blocks = node["blocks"]
        if name not in blocks:
            what = "an argument" if name in node["attributes"] else "no block"
            self.report(here, f"dynamic {name}: {name} is {what} of this schema")
            return
        for argument in set(generator) - DYNAMIC_ARGUMENTS:
            self.report([*here, argument], f"dynamic {name}: unknown argument {argument}")
        for content in _blocks(generator.get("content")) or []:
            self.body(_body(content), blocks[name]["block"], here, set())
        if _blocks(generator.get("content")) is None:
            self.report(here, f"dynamic {name} has no content block")

    def lifecycle(self, node: Schema, allowed: set[str]) -> None:
        for occurrence in _blocks(self.block.body.get("lifecycle")) or []:
            body = _body(occurrence)
            for argument in set(body) - allowed:
                self.report(["lifecycle", argument], f"unknown lifecycle argument {argument}")
            ignored = body.get("ignore_changes")
            if ignored is None or ignored == "${all}":
                continue
            if not isinstance(ignored, list):
                self.report(["lifecycle", "ignore_changes"], "must be a list of attribute paths")
                continue
            for entry in ignored:
                text = str(entry).removeprefix("${").removesuffix("}")
                problem = ignore_changes_problem(node, text)
                if problem:
                    self.report(["lifecycle", "ignore_changes"], f"{text}: {problem}")


def _known(node: Schema) -> str:
    """The names one may set here, to point at the one meant."""
    arguments = [name for name, value in node["attributes"].items() if not _computed_only(value)]
    names = sorted([*arguments, *node["blocks"]])
    return f" (known: {', '.join(names)})" if len(names) <= 40 else ""


_STEP = re.compile(r'\.([A-Za-z_][\w-]*)|\[(\d+)\]|\["([^"]*)"\]')
_FIRST = re.compile(r"[A-Za-z_][\w-]*")


def _steps(path: str) -> list[tuple[str, str]] | None:
    """A traversal as ("name", x) / ("index", n) / ("key", k) steps, or None if unreadable."""
    first = _FIRST.match(path)
    if not first:
        return None
    steps = [("name", first.group(0))]
    position = first.end()
    while position < len(path):
        match = _STEP.match(path, position)
        if not match:
            return None
        name, index, key = match.groups()
        steps.append(("name", name) if name else ("index", index) if index else ("key", key))
        position = match.end()
    return steps


def ignore_changes_problem(node: Schema, path: str) -> str | None:
    """Why an ignore_changes path does not address an argument of `node`, or None if it does."""
    steps = _steps(path)
    if steps is None:
        return "not an attribute path"
    walked = ""
    while steps:
        kind, name = steps.pop(0)
        if kind != "name":
            return f"{walked} is an object: address its arguments by name"
        walked += ("." if walked else "") + name
        if name in node["attributes"]:
            return _attribute_traversal_problem(name, node["attributes"][name], steps)
        if name not in node["blocks"]:
            return f"no argument or block {name} here{_known(node)}"
        problem = _block_traversal_problem(name, node["blocks"][name], steps)
        if problem:
            return problem
        if steps and steps[0][0] == "index":
            walked += f"[{steps.pop(0)[1]}]"
        node = node["blocks"][name]["block"]
    return None


def _block_traversal_problem(name: str, nested: Schema, steps: list[tuple[str, str]]) -> str | None:
    if nested["nesting"] == "set" and steps:
        return f"block {name} is a set: its elements have no index to address"
    if nested["nesting"] == "list" and steps and steps[0][0] != "index":
        return f"block {name} is a list: index it, {name}[0]"
    return None


def _attribute_traversal_problem(
    name: str, attribute: dict[str, Any], steps: list[tuple[str, str]]
) -> str | None:
    """Whether the rest of a path can address into an attribute's value (as Terraform checks it
    against the attribute's type)."""
    if _computed_only(attribute):
        return f"{name} is computed-only: ignoring its changes has no effect"
    type_name = attribute["type"]
    first = steps[0][0] if steps else None
    if type_name in ("string", "number", "bool"):
        wrong, remedy = first is not None, "it has nothing to index"
    elif type_name == "set":
        wrong, remedy = first is not None, "its elements have no index to address"
    elif type_name == "list":
        wrong, remedy = first not in (None, "index"), f"index it, {name}[0]"
    elif type_name == "map":
        wrong, remedy = first == "name", f'address a key, {name}["KEY"]'
    else:
        wrong, remedy = False, ""
    return f"{name} is a {type_name}: {remedy}" if wrong else None


def _module_variables(directory: Path) -> tuple[set[str], set[str]]:
    """(every variable, the required ones) of the module in `directory`."""
    names: set[str] = set()
    required: set[str] = set()
    for path in sorted(directory.glob("*.tf")):
        for entry in _load(path).get("variable", []):
            for name, block in _body(entry).items():
                names.add(name)
                if "default" not in block:
                    required.add(name)
    return names, required


def _check_module_call(block: _Block, file: str) -> list[Finding]:
    checker = _Checker(block, file)
    source = block.body.get("source")
    if not isinstance(source, str) or not source.startswith(("./", "../")):
        return []  # a registry or remote module: its variables are not here
    directory = (block.file.parent / source).resolve()
    if not any(directory.glob("*.tf")):
        checker.report(["source"], f"{source} holds no Terraform module")
        return checker.findings
    variables, required = _module_variables(directory)
    for name in sorted(set(block.body) - MODULE_META - variables):
        checker.report([name], f"the module at {source} has no variable {name}")
    for name in sorted(required - set(block.body)):
        checker.report([name], f"required variable {name} of the module at {source} is not given")
    return checker.findings


def check_directory(
    directory: Path, schema: Schema | None = None, root: Path = REPO
) -> list[Finding]:
    """Every finding in the .tf files of `directory` (file names relative to `root`)."""
    schema = load_schema() if schema is None else schema
    blocks, sources = _configuration(directory)
    findings: list[Finding] = []
    for block in blocks:
        file = (
            str(block.file.relative_to(root))
            if block.file.is_relative_to(root)
            else str(block.file)
        )
        if block.kind == "module":
            findings.extend(_check_module_call(block, file))
            continue
        checker = _Checker(block, file)
        provider = _provider_source(block.body, block.type_name, sources)
        provider_schema = schema["providers"].get(provider)
        if provider_schema is None:
            checker.report([], f"provider {provider} is not in {SCHEMA_FILE.name}")
        elif block.type_name not in provider_schema[block.kind]:
            known_elsewhere = [
                name
                for name, other in schema["providers"].items()
                if block.type_name in other[block.kind]
            ]
            remedy = (
                f" (it is in {', '.join(known_elsewhere)}: set `provider`)"
                if known_elsewhere
                else f" (a misspelling, or a type {SCHEMA_FILE.name} lacks: `make provider-schema`)"
            )
            checker.report([], f"{provider} has no {block.kind} type {block.type_name}{remedy}")
        else:
            node = provider_schema[block.kind][block.type_name]
            resource = block.kind == "resource"
            checker.body(
                block.body,
                node,
                [],
                RESOURCE_META | RESOURCE_META_BLOCKS if resource else DATA_META,
            )
            checker.lifecycle(node, RESOURCE_LIFECYCLE if resource else DATA_LIFECYCLE)
        findings.extend(checker.findings)
    return sorted(findings)
