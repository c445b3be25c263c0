"""The function's upload is an allow-list of files (local.source_files): main.py, requirements.txt
and rotation/ without the command line; Terraform can read every one, and they run alone."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.terraform.archive import archive_files
from tests.terraform.hcl import REPO, ROTATOR, dynamic_block, expression, load_module


def test_archive_takes_only_main_rotation_and_requirements() -> None:
    module = load_module(ROTATOR)
    archive = module.data["archive_file.source"]
    # No source_dir / source_file / excludes: the archive is an allow-list of files.
    assert set(archive) == {"type", "output_path", "output_file_mode", "dynamic"}
    source = dynamic_block(archive, "source")
    assert source["for_each"] == "${local.source_files}"
    [content] = source["content"]
    assert content == {
        "filename": "${source.value}",
        "content": '${file("${local.source_root}/${source.value}")}',
    }
    files = expression(module.locals["source_files"])
    quoted = set(re.findall(r'"((?:[^"\\]|\\.)*)"', files))
    assert {"main.py", "requirements.txt", "rotation/${file}", "${local.source_root}/rotation"} <= (
        quoted
    )
    assert re.fullmatch(
        r'concat\(\["main\.py", "requirements\.txt"\], \[for file in sort\(fileset\('
        r'"\$\{local\.source_root\}/rotation", "\*\*"\)\) : "rotation/\$\{file\}" if .*\]\)',
        files,
    ), files
    assert '!strcontains(file, "__pycache__")' in files


def test_archive_files_are_readable_by_terraform_file() -> None:
    files = archive_files()
    assert "rotation/__init__.py" in files
    for name in files:
        path = REPO / name
        assert path.is_file(), f"{name} is missing"
        # file() reads UTF-8 text only: a binary in rotation/ would break `terraform plan`.
        path.read_bytes().decode("utf-8")
    assert not any(
        name.startswith(("tests/", "emulator/", "terraform/", "bench/", "rotation/cli/"))
        for name in files
    )


def test_the_upload_runs_without_the_command_line(tmp_path: Path) -> None:
    """The archive's files alone import the entry point and every module they hold."""
    for name in archive_files():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / name, tmp_path / name)
    modules = [
        name.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        for name in archive_files()
        if name.endswith(".py")
    ]
    script = (
        "import importlib, sys\n"
        "for m in sys.argv[1:]: importlib.import_module(m)\n"
        "print(importlib.import_module('rotation').__file__)"
    )
    result = subprocess.run(
        [sys.executable, "-E", "-s", "-c", script, *modules],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "rotation" / "__init__.py")
    assert "main" in modules and "rotation.function.handler" in modules
    assert not (tmp_path / "rotation" / "cli").exists()
