"""The pure parts of the Artifact Registry adapter: comparing version names, reading refusals."""

from __future__ import annotations

import pytest
from google.api_core import exceptions

from rotation.core.model import same_version
from rotation.gcp.artifact_registry import validation_refusal

NUMBERS = {"demo-project": "123456789012", "123456789012": "123456789012"}
BY_ID = "projects/demo-project/secrets/pypi-token/versions/2"
BY_NUMBER = "projects/123456789012/secrets/pypi-token/versions/2"


def number(project: str) -> str:
    return NUMBERS.get(project, project)


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        (BY_ID, BY_ID, True),
        (BY_ID, BY_NUMBER, True),
        (BY_NUMBER, BY_ID, True),
        (BY_ID, BY_ID.replace("versions/2", "versions/3"), False),
        (BY_ID, BY_ID.replace("pypi-token", "other-token"), False),
        (BY_ID, BY_ID.replace("demo-project", "other-project"), False),
        (BY_ID, "not a version name", False),
    ],
)
def test_versions_are_compared_by_their_parts(first, second, same):
    assert same_version(first, second, number) is same


def test_without_a_directory_only_identical_names_match():
    assert same_version(BY_ID, BY_ID, lambda project: project)
    assert not same_version(BY_ID, BY_NUMBER, lambda project: project)


@pytest.mark.parametrize(
    ("error", "agent_cannot_read"),
    [
        (
            exceptions.InvalidArgument(
                "Failed to validate remote upstream: failed to fetch bearer token; "
                "generic::unauthenticated: Unauthorized error returned by the external "
                "repository... this typically means your upstream credentials are invalid"
            ),
            False,
        ),
        (
            exceptions.FailedPrecondition(
                "Failed to validate remote upstream: the upstream credentials' secret version "
                f"{BY_NUMBER} cannot be accessed by the Artifact Registry service agent"
            ),
            True,
        ),
    ],
)
def test_a_validation_refusal_says_what_was_refused(error, agent_cannot_read):
    refused = validation_refusal(error, "projects/p/locations/l/repositories/r", "u", BY_NUMBER)

    assert refused is not None
    assert refused.agent_cannot_read is agent_cannot_read
    assert refused.repository == "projects/p/locations/l/repositories/r"
    assert "Failed to validate remote upstream" in str(refused)


def test_other_invalid_arguments_are_not_validation_refusals():
    error = exceptions.InvalidArgument("update_mask is required and must name at least one field.")

    assert validation_refusal(error, "r", "u", BY_NUMBER) is None
