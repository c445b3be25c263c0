"""Which URLs a job may send requests to: the pure decisions of rotation/core/egress.py."""

from __future__ import annotations

import pytest

from rotation.core.egress import UpstreamRefused, allowed_hosts, check_literal, host_of, policy_for
from rotation.core.errors import ConfigError

REPOSITORY_UPSTREAM = "https://gitlab.example.com/api/v4/projects/42/packages/pypi/simple"


def test_hosts_carry_their_port():
    assert host_of("https://gitlab.example.com/api") == "gitlab.example.com:443"
    assert host_of("https://GitLab.Example.com.:8443/") == "gitlab.example.com:8443"
    assert host_of("http://127.0.0.1:5000/x") == "127.0.0.1:5000"
    assert allowed_hosts("tokens.example.com, 127.0.0.1:5000") == {
        "tokens.example.com:443",
        "127.0.0.1:5000",
    }
    with pytest.raises(ConfigError, match="ALLOWED_UPSTREAM_HOSTS"):
        allowed_hosts("https://tokens.example.com/")


@pytest.mark.parametrize(
    "url",
    [
        "http://gitlab.example.com",  # plain http outside the emulator
        "https://169.254.169.254/computeMetadata/v1/",
        "https://metadata.google.internal./",
        "https://[fe80::1]/",
    ],
)
def test_never_contacted(url):
    with pytest.raises(UpstreamRefused):
        check_literal(url, "annotation token-rotator.gitlab-url", plain_http=False)


def test_plain_http_only_with_the_emulator_and_still_never_the_metadata_server():
    check_literal("http://127.0.0.1:5000/", "x", plain_http=True)
    with pytest.raises(UpstreamRefused, match="metadata server"):
        check_literal("http://169.254.169.254/", "x", plain_http=True)


def test_the_repositories_hosts_are_allowed_by_default_but_not_for_a_webhook():
    policy = policy_for(
        {"gitlab-url": "https://gitlab.example.com"}, frozenset(), [REPOSITORY_UPSTREAM], False
    )
    assert policy.hosts == {"gitlab.example.com:443"}
    with pytest.raises(UpstreamRefused, match=r"host evil\.example\.com:443 is not one") as refused:
        policy_for(
            {"gitlab-url": "https://evil.example.com"}, frozenset(), [REPOSITORY_UPSTREAM], False
        )
    assert refused.value.key == "token-rotator.gitlab-url"
    assert "ALLOWED_UPSTREAM_HOSTS" in refused.value.remedy
    with pytest.raises(UpstreamRefused, match="listed hosts only"):
        policy_for(
            {"webhook-url": "https://gitlab.example.com/tokens"},
            frozenset(),
            [REPOSITORY_UPSTREAM],
            False,
        )
    listed = policy_for(
        {"webhook-url": "https://minter.example.com/tokens"},
        frozenset({"minter.example.com:443"}),
        [REPOSITORY_UPSTREAM],
        False,
    )
    assert listed.hosts == {"minter.example.com:443", "gitlab.example.com:443"}
