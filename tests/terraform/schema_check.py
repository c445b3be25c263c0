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

The blocks come from tf_blocks.py; what a schema node lets one set, and the ignore_changes
paths, from schema_paths.py.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.terraform.hcl import REPO
from tests.terraform.schema_paths import Schema, _computed_only, _known, ignore_changes_problem
from tests.terraform.tf_blocks import (
    _Block,
    _blocks,
    _body,
    _configuration,
    _dynamic_blocks,
    _module_variables,
    _provider_source,
)

SCHEMA_FILE = Path(__file__).with_name("provider_schema.json")

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
