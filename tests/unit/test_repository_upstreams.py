"""The Artifact Registry adapter reads each format's upstream: its custom URL, its public
upstream, or the common repository's URL."""

from __future__ import annotations

import pytest
from google.cloud import artifactregistry_v1 as ar

from rotation.core import formats
from rotation.gcp.artifact_registry import _remote

NAME = "projects/p/locations/l/repositories/r"


def remote(format_: str, **config: object) -> ar.Repository:
    return ar.Repository(
        name=NAME,
        format_=getattr(ar.Repository.Format, format_),
        mode=ar.Repository.Mode.REMOTE_REPOSITORY,
        remote_repository_config=config,
    )


@pytest.mark.parametrize(
    ("format_", "block", "public", "url"),
    [
        ("PYTHON", "python_repository", "PYPI", formats.PUBLIC_PYPI),
        ("DOCKER", "docker_repository", "DOCKER_HUB", formats.DOCKER_HUB),
        ("NPM", "npm_repository", "NPMJS", formats.NPMJS),
        ("MAVEN", "maven_repository", "MAVEN_CENTRAL", formats.MAVEN_CENTRAL),
    ],
)
def test_each_formats_public_and_custom_upstream(format_, block, public, url):
    read = _remote(remote(format_, **{block: {"public_repository": public}}))
    custom = _remote(remote(format_, **{block: {"custom_repository": {"uri": "https://u.test/"}}}))
    common = _remote(remote(format_, common_repository={"uri": "https://c.test/x"}))
    assert (read.format, read.upstream_url) == (format_, url)
    assert custom.upstream_url == "https://u.test"
    assert common.upstream_url == "https://c.test/x"
