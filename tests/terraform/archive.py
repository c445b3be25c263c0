"""The files the module uploads as the function's source, as Terraform selects them."""

from __future__ import annotations

from tests.terraform.hcl import REPO


def archive_files() -> list[str]:
    """What local.source_files selects, computed the way Terraform's fileset() does."""
    rotation = REPO / "rotation"
    selected = [
        "rotation/" + path.relative_to(rotation).as_posix()
        for path in rotation.rglob("*")
        if path.is_file()
    ]
    kept = [
        name
        for name in selected
        if "__pycache__" not in name
        and not name.endswith(".pyc")
        and not name.startswith("rotation/cli/")
        and name != "rotation/__main__.py"
        and not name.removeprefix("rotation/").startswith(".")
        and "/." not in name.removeprefix("rotation/")
    ]
    return ["main.py", "requirements.txt", *sorted(kept)]
