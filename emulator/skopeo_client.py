"""The real skopeo (Debian's), pulling through the emulator's Docker remote repositories as a
developer's docker or crane would: anonymous and over plain http towards the emulator, whose
data path authenticates upstream with the repository's credential. For tests and the demo."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

TIMEOUT_SECONDS = 60


def skopeo(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["skopeo", "--insecure-policy", *arguments],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


def inspect(reference: str) -> subprocess.CompletedProcess[str]:
    """`skopeo inspect docker://HOST:PORT/PROJECT/REPOSITORY/IMAGE:TAG`."""
    return skopeo("inspect", "--tls-verify=false", "--no-creds", reference)


def digest_of(done: subprocess.CompletedProcess[str]) -> str | None:
    """The manifest digest a successful `inspect` printed; None if it failed."""
    if done.returncode != 0:
        return None
    return str(json.loads(done.stdout)["Digest"])


def copy(reference: str, destination: Path, tag: str) -> subprocess.CompletedProcess[str]:
    """Copy the image into an OCI layout at `destination`."""
    return skopeo(
        "copy",
        "--quiet",
        "--src-tls-verify=false",
        "--src-no-creds",
        reference,
        f"oci:{destination}:{tag}",
    )
