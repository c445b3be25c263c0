"""Regenerate tests/terraform/provider_schema.json from the pinned cdktf provider packages.

`make provider-schema` runs this (npm needed; `make test` is not: it only reads the JSON). The
npm packages `@cdktf/provider-google`, `-google-beta` and `-archive` are generated from the
providers' own schemas (`terraform providers schema -json`); each resource's TypeScript source,
embedded in the package's source maps, annotates every attribute and block with
`// name - computed: C, optional: O, required: R`, and its `...ToHclTerraform` functions say
which names are blocks (`isBlock: true`). From those this script writes, for the resource and data
source types the module and its examples use (found by parsing the .tf files) plus `SOON`, their
arguments (required / optional / computed-only) and nested blocks (nesting, min and max items),
recursively, with the package and provider versions.

    .venv/bin/python -m tests.terraform.provider_schema [--packages DIR]

--packages reuses a directory where the packages are already installed (node_modules/ inside).
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.terraform.hcl import MODULE_DIRECTORIES
from tests.terraform.schema_check import SCHEMA_FILE, used_types

# The npm package of each provider, pinned: 16.12.1 is generated from hashicorp/google(-beta)
# 6.50.0, 11.0.1 from hashicorp/archive 2.7.1 (each package.json's "cdktf.provider").
PACKAGES = {
    "hashicorp/google": ("@cdktf/provider-google", "16.12.1"),
    "hashicorp/google-beta": ("@cdktf/provider-google-beta", "16.12.1"),
    "hashicorp/archive": ("@cdktf/provider-archive", "11.0.1"),
}

# Types the module does not use yet but may soon (a filtered Pub/Sub push subscription instead of
# Eventarc, secret versions, KMS grants for the CMEK variables): (provider, kind, type).
SOON = (
    ("hashicorp/google", "resource", "google_pubsub_subscription"),
    ("hashicorp/google", "resource", "google_pubsub_subscription_iam_member"),
    ("hashicorp/google", "resource", "google_eventarc_trigger"),
    ("hashicorp/google", "resource", "google_secret_manager_secret_version"),
    ("hashicorp/google", "resource", "google_kms_crypto_key_iam_member"),
    ("hashicorp/google", "resource", "google_cloudfunctions2_function_iam_member"),
    ("hashicorp/google", "resource", "google_storage_bucket_iam_member"),
    ("hashicorp/google", "data", "google_secret_manager_secret"),
)

_SOURCE_MAP = re.compile(r"sourceMappingURL=data:application/json;base64,(\S+)")
_RESOURCE_TYPE = re.compile(r'\.tfResourceType = "([a-z0-9_]+)";')
_CLASS = re.compile(r"^export class (\w+) extends cdktf\.(\w+) \{$", re.MULTILINE)
_FIELD = re.compile(
    r"^  // (\w+) - computed: (true|false), optional: (true|false), required: (true|false)$",
    re.MULTILINE,
)
_COMPLEX = re.compile(r'new (\w+)\(this, "(\w+)"(?:, (true|false))?\)')
_HCL_ATTRIBUTE = re.compile(
    r'^\s+(\w+): \{\n\s+value: .*\n\s+isBlock: (true|false),\n\s+type: "(\w+)",\n'
    r'\s+storageClassType: "(\w+)",',
    re.MULTILINE,
)
_GETTER_TYPES = {
    "getStringAttribute": "string",
    "getNumberAttribute": "number",
    "getBooleanAttribute": "bool",
    "getListAttribute": "list",
    "getNumberListAttribute": "list",
    "getStringMapAttribute": "map",
    "getNumberMapAttribute": "map",
    "getBooleanMapAttribute": "map",
    "getAnyMapAttribute": "map",
    "interpolationForAttribute": "any",
}


class ExtractionError(RuntimeError):
    """The generated source no longer has the shape this script reads: a new cdktf template."""


@dataclass(frozen=True)
class Field:
    name: str
    computed: bool
    optional: bool
    required: bool
    complex_class: str | None  # the OutputReference / List class of a nested object
    wraps_set: bool
    getter_type: str


@dataclass(frozen=True)
class HclAttribute:
    is_block: bool
    kind: str  # simple, list, set, map, struct
    storage: str  # string, number, boolean, stringList, stringMap, ...List, ...


def typescript_source(index_js: Path) -> str:
    """The TypeScript a package's lib/<type>/index.js was compiled from (its inline source map)."""
    match = _SOURCE_MAP.search(index_js.read_text(encoding="utf-8"))
    if not match:
        raise ExtractionError(f"{index_js}: no inline source map")
    source_map = json.loads(base64.b64decode(match.group(1)))
    [source] = source_map["sourcesContent"]
    return str(source)


def _classes(source: str) -> dict[str, tuple[str, str]]:
    """class name -> (base class, body)."""
    found = list(_CLASS.finditer(source))
    classes = {}
    for position, match in enumerate(found):
        end = found[position + 1].start() if position + 1 < len(found) else len(source)
        classes[match.group(1)] = (match.group(2), source[match.end() : end])
    return classes


def _fields(body: str) -> list[Field]:
    matches = list(_FIELD.finditer(body))
    fields = []
    for position, match in enumerate(matches):
        end = matches[position + 1].start() if position + 1 < len(matches) else len(body)
        code = body[match.end() : end]
        name, computed, optional, required = match.groups()
        complex_match = _COMPLEX.search(code)
        complex_class = None
        wraps_set = False
        if complex_match and complex_match.group(2) == name:
            if not complex_match.group(1).startswith("cdktf."):
                complex_class = complex_match.group(1)
            wraps_set = complex_match.group(3) == "true"
        getter = re.search(r"this\.(\w+)\('" + re.escape(name) + "'", code)
        if complex_class:
            getter_type = "object"
        elif "cdktf.StringMap" in code or "cdktf.NumberMap" in code or "cdktf.BooleanMap" in code:
            getter_type = "map"
        elif "cdktf.AnyMap" in code or "cdktf.StringMapList" in code:
            getter_type = "any"
        elif getter and getter.group(1) in _GETTER_TYPES:
            getter_type = _GETTER_TYPES[getter.group(1)]
        else:
            getter_type = "any"
        fields.append(
            Field(
                name,
                computed == "true",
                optional == "true",
                required == "true",
                complex_class,
                wraps_set,
                getter_type,
            )
        )
    return fields


def _hcl_attributes(code: str) -> dict[str, HclAttribute]:
    return {
        match.group(1): HclAttribute(match.group(2) == "true", match.group(3), match.group(4))
        for match in _HCL_ATTRIBUTE.finditer(code)
    }


def _to_hcl_function(source: str, struct: str) -> str:
    name = struct[0].lower() + struct[1:] + "ToHclTerraform"
    match = re.search(r"^export function " + name + r"\(.*?^\}$", source, re.MULTILINE | re.DOTALL)
    if not match:
        raise ExtractionError(f"no function {name}")
    return match.group(0)


def _attribute_type(field: Field, hcl: HclAttribute | None) -> str:
    if hcl is None:
        return field.getter_type
    if hcl.kind == "simple":
        return {"boolean": "bool"}.get(hcl.storage, hcl.storage)
    if hcl.kind in ("list", "set", "map"):
        return hcl.kind
    return "object"


class _Extractor:
    def __init__(self, source: str, where: str):
        self.source = source
        self.where = where
        self.classes = _classes(source)

    def block(self, class_name: str, hcl: dict[str, HclAttribute]) -> dict[str, Any]:
        """The schema of one resource or nested block class: its attributes and blocks."""
        _, body = self.classes[class_name]
        attributes: dict[str, Any] = {}
        blocks: dict[str, Any] = {}
        fields = _fields(body)
        configurable = {field.name for field in fields if field.optional or field.required}
        if configurable != set(hcl):
            raise ExtractionError(
                f"{self.where} {class_name}: annotated arguments {sorted(configurable)} differ "
                f"from the synthesized ones {sorted(hcl)}"
            )
        for field in fields:
            entry = hcl.get(field.name)
            if entry is not None and entry.is_block:
                blocks[field.name] = self._nested_block(field, entry)
                continue
            attribute: dict[str, Any] = {"type": _attribute_type(field, entry)}
            for flag in ("required", "optional", "computed"):
                if getattr(field, flag):
                    attribute[flag] = True
            attributes[field.name] = attribute
        return {"attributes": attributes, "blocks": blocks}

    def _nested_block(self, field: Field, entry: HclAttribute) -> dict[str, Any]:
        if field.complex_class is None:
            raise ExtractionError(f"{self.where}: block {field.name} has no class")
        reference = field.complex_class
        if reference.endswith("List"):
            reference = reference.removesuffix("List") + "OutputReference"
            nesting = "set" if field.wraps_set else "list"
            max_items = None
        elif entry.kind == "struct":
            nesting, max_items = "single", 1
        else:
            nesting, max_items = "list", 1  # a MaxItems: 1 list block
        if reference not in self.classes:
            raise ExtractionError(f"{self.where}: no class {reference} for block {field.name}")
        struct = reference.removesuffix("OutputReference")
        nested_hcl = _hcl_attributes(_to_hcl_function(self.source, struct))
        described: dict[str, Any] = {"nesting": nesting, "min_items": 1 if field.required else 0}
        if max_items is not None:
            described["max_items"] = max_items
        described["block"] = self.block(reference, nested_hcl)
        return described

    def top_level(self, class_name: str) -> dict[str, Any]:
        _, body = self.classes[class_name]
        match = re.search(
            r"protected synthesizeHclAttributes\(\).*?^  \}$", body, re.MULTILINE | re.DOTALL
        )
        if not match:
            raise ExtractionError(f"{self.where}: no synthesizeHclAttributes in {class_name}")
        return self.block(class_name, _hcl_attributes(match.group(0)))


def _index(package_directory: Path) -> dict[tuple[str, str], Path]:
    """(kind, type) -> lib/<dir>/index.js of every resource and data source in a package."""
    index = {}
    for index_js in sorted((package_directory / "lib").glob("*/index.js")):
        text = index_js.read_text(encoding="utf-8")
        match = _RESOURCE_TYPE.search(text)
        if not match:
            continue
        if "extends cdktf.TerraformDataSource" in text:
            index[("data", match.group(1))] = index_js
        elif "extends cdktf.TerraformResource" in text:
            index[("resource", match.group(1))] = index_js
        # else the provider's own configuration (extends cdktf.TerraformProvider)
    return index


def extract(index_js: Path, kind: str, type_name: str) -> dict[str, Any]:
    source = typescript_source(index_js)
    extractor = _Extractor(source, f"{kind} {type_name}")
    base = "TerraformDataSource" if kind == "data" else "TerraformResource"
    [class_name] = [
        name
        for name, (parent, body) in extractor.classes.items()
        if parent == base and f'tfResourceType = "{type_name}"' in body
    ]
    return extractor.top_level(class_name)


def wanted_types() -> set[tuple[str, str, str]]:
    """(provider, kind, type) the module and the examples use, plus SOON."""
    wanted = set(SOON)
    for directory in MODULE_DIRECTORIES:
        wanted |= used_types(directory)
    return wanted


def install(directory: Path) -> None:
    specs = [f"{name}@{version}" for name, version in PACKAGES.values()]
    subprocess.run(
        [
            "npm",
            "install",
            "--prefix",
            str(directory),
            "--no-save",
            "--ignore-scripts",
            "--legacy-peer-deps",  # cdktf and constructs: not needed to read the packages
            "--no-audit",
            "--no-fund",
            *specs,
        ],
        check=True,
        timeout=1800,
    )


def build(packages: Path, wanted: Iterable[tuple[str, str, str]]) -> dict[str, Any]:
    providers: dict[str, Any] = {}
    wanted = sorted(wanted)
    for provider, (package, version) in PACKAGES.items():
        package_directory = packages / "node_modules" / package
        manifest = json.loads((package_directory / "package.json").read_text(encoding="utf-8"))
        if manifest["version"] != version:
            raise ExtractionError(f"{package} is {manifest['version']}, not the pinned {version}")
        generated_from = manifest["cdktf"]["provider"]
        if generated_from["name"] != f"registry.terraform.io/{provider}":
            raise ExtractionError(f"{package} is generated from {generated_from['name']}")
        index = _index(package_directory)
        entry: dict[str, Any] = {
            "package": f"{package}@{version}",
            "provider_version": generated_from["version"],
            "resource": {},
            "data": {},
        }
        for wanted_provider, kind, type_name in wanted:
            if wanted_provider != provider:
                continue
            if (kind, type_name) not in index:
                raise ExtractionError(f"{package} has no {kind} {type_name}")
            entry[kind][type_name] = extract(index[(kind, type_name)], kind, type_name)
        providers[provider] = entry
    return {
        "generated_by": "make provider-schema (tests/terraform/provider_schema.py)",
        "providers": providers,
    }


def write(schema: dict[str, Any], path: Path = SCHEMA_FILE) -> None:
    path.write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--packages", type=Path, help="directory the packages are installed in")
    parser.add_argument("--output", type=Path, default=SCHEMA_FILE)
    arguments = parser.parse_args(argv)
    if arguments.packages is not None:
        if not (arguments.packages / "node_modules").is_dir():
            install(arguments.packages)
        write(build(arguments.packages, wanted_types()), arguments.output)
    else:
        with tempfile.TemporaryDirectory(prefix="provider-schema-") as scratch:
            install(Path(scratch))
            write(build(Path(scratch), wanted_types()), arguments.output)
    print(f"wrote {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
