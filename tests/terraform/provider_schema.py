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
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tests.terraform.cdktf_extraction import ExtractionError, _index, extract
from tests.terraform.hcl import MODULE_DIRECTORIES
from tests.terraform.schema_check import SCHEMA_FILE
from tests.terraform.tf_blocks import used_types

# The npm package of each provider, pinned: 16.12.1 is generated from hashicorp/google(-beta)
# 6.50.0, 11.0.1 from hashicorp/archive 2.7.1 (each package.json's "cdktf.provider").
PACKAGES = {
    "hashicorp/google": ("@cdktf/provider-google", "16.12.1"),
    "hashicorp/google-beta": ("@cdktf/provider-google-beta", "16.12.1"),
    "hashicorp/archive": ("@cdktf/provider-archive", "11.0.1"),
}

# Types the modules do not use but may (the Eventarc trigger of deployments before the push
# subscription, secret versions, KMS grants for the CMEK variables): (provider, kind, type).
SOON = (
    ("hashicorp/google", "resource", "google_eventarc_trigger"),
    ("hashicorp/google", "resource", "google_secret_manager_secret_version"),
    ("hashicorp/google", "resource", "google_kms_crypto_key_iam_member"),
    ("hashicorp/google", "resource", "google_cloudfunctions2_function_iam_member"),
    ("hashicorp/google", "resource", "google_storage_bucket_iam_member"),
    ("hashicorp/google", "data", "google_secret_manager_secret"),
)


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
