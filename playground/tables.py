"""Reading one TOML table strictly: every key known, every value of the expected type, and an
error that names the file, the key and what to do."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from playground.errors import PlaygroundError


class ConfigFileError(PlaygroundError):
    """The playground's file is not one it can build; nothing was started or changed."""


class Table:
    """One table of the file, at `where` (e.g. `secrets[2]`), with the keys it may hold."""

    def __init__(self, data: Any, where: str, file: Path, known: Iterable[str]) -> None:
        self.file, self.where = file, where
        if not isinstance(data, dict):
            raise self.error(f"{where} must be a table", f"write {where} as a TOML table")
        self.data: dict[str, Any] = data
        allowed = sorted(known)
        for key in data:
            if key not in allowed:
                raise self.error(
                    f"unknown key {self.path(key)!r}",
                    f"remove it or correct its spelling; {where or 'the top level'} knows: "
                    + ", ".join(allowed),
                )

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def error(self, message: str, remedy: str) -> ConfigFileError:
        return ConfigFileError(f"{self.file}: {message}", remedy)

    def has(self, key: str) -> bool:
        return key in self.data

    def get(self, key: str, kind: type, default: Any = None, *, required: bool = False) -> Any:
        """The value of `key`, checked to be a `kind` (str, int, bool, list or dict)."""
        if key not in self.data:
            if required:
                raise self.error(f"{self.path(key)} is missing", f"add {self.path(key)} = ...")
            return default
        value = self.data[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(
                f"{self.path(key)} must be a {_KIND_NAMES.get(kind, kind.__name__)}, not {value!r}",
                f"correct {self.path(key)}",
            )
        return value

    def text(self, key: str, default: str | None = None) -> str:
        value = self.get(key, str, default, required=default is None)
        assert isinstance(value, str)
        return value

    def strings(self, key: str) -> list[str]:
        values = self.get(key, list, [])
        if not all(isinstance(v, str) for v in values):
            raise self.error(f"{self.path(key)} must be a list of strings", "correct it")
        return list(values)

    def string_table(self, key: str) -> dict[str, str]:
        values = self.get(key, dict, {})
        bad = [k for k, v in values.items() if not isinstance(v, str)]
        if bad:
            raise self.error(
                f"{self.path(key)}.{bad[0]} must be a string", "quote the value in the file"
            )
        return dict(values)

    def table(self, key: str, known: Iterable[str]) -> Table:
        return Table(self.get(key, dict, {}), self.path(key), self.file, known)

    def tables(self, key: str, known: Iterable[str]) -> list[Table]:
        """An array of tables (`[[key]]`)."""
        values = self.get(key, list, [])
        return [
            Table(value, f"{self.path(key)}[{index}]", self.file, known)
            for index, value in enumerate(values)
        ]


_KIND_NAMES = {str: "string", int: "integer", bool: "boolean", list: "list", dict: "table"}
