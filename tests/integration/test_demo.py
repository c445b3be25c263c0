"""`make demo` is the README's first command: it must run and end with the repository moved."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_rotates_and_says_so():
    result = subprocess.run(
        [sys.executable, "demo.py"],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (
        "repository: gitlab-remote -> projects/123456789012/secrets/gitlab-pypi-token/versions/3"
        in result.stdout
    )
    assert "already ran (done); nothing to do" in result.stdout
    before, after = result.stdout.split("$ ar-token-rotator status")[1:3]
    assert "current   -" in before
    assert "repositories/gitlab-remote  listed    version 1\n" in before
    assert "repositories/gitlab-remote  listed    version 3 (current)" in after
    assert "$ ar-token-rotator republish" in result.stdout
    assert result.stdout.count("Successfully installed tiny-pkg-1.0") == 2
    assert "token of v1 (id 1) revoked" in result.stdout
    [clocks] = [line for line in result.stdout.splitlines() if line.startswith("one clock:")]
    assert clocks.endswith(": agree"), clocks  # the function's clock is the emulator's
    assert "the pip part succeeded" in result.stdout
    # The Docker part: skopeo read the image before and after both rotations, and the first
    # minted Docker Hub token was deleted by the second.
    docker = result.stdout.split("=== Docker:")[1]
    assert docker.count("$ skopeo inspect") == 3
    assert "FAILED" not in docker
    assert "demo-docker succeeded" in docker
    assert result.stdout.rstrip().splitlines()[-1] == "demo succeeded"
