"""The schema side of schema_check: what a schema node lets one set, and whether a
`lifecycle.ignore_changes` path addresses an argument of it (as Terraform checks the path against
the attribute's type).
"""

from __future__ import annotations

import re
from typing import Any

Schema = dict[str, Any]


def _computed_only(attribute: dict[str, Any]) -> bool:
    return bool(attribute.get("computed")) and not (
        attribute.get("optional") or attribute.get("required")
    )


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
