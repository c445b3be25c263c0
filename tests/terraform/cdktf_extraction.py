"""Read one resource or data source type's schema out of a cdktf provider package (what
provider_schema.py, `make provider-schema`, writes to provider_schema.json).

Each type's TypeScript source, embedded in the package's source maps, annotates every attribute
and block with `// name - computed: C, optional: O, required: R`, and its `...ToHclTerraform`
functions say which names are blocks (`isBlock: true`); `extract` turns those into the type's
arguments (required / optional / computed-only) and nested blocks (nesting, min and max items),
recursively.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
