"""A directory's .tf files as schema_check reads them: python-hcl2 with blocks kept apart from
arguments, every resource, data and module block with the file it is in, and the providers they
use.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2

_OPTIONS = hcl2.SerializationOptions(
    strip_string_quotes=True, explicit_blocks=True, with_comments=False
)
_BLOCK_MARK = "__is_block__"


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
