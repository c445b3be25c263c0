"""The shared HTTP client's request hook: every request, redirects included, is checked against
the upstream policy of the job sending it before anything is sent."""

from __future__ import annotations

import httpx

from rotation.core.egress import UpstreamRefused, active_policy, host_of


def guard(request: httpx.Request) -> None:
    """Refuse a request outside the policy of the job sending it (or sent outside any job)."""
    policy = active_policy()
    if policy is None:
        raise UpstreamRefused(
            f"request to {host_of(str(request.url))} outside a rotation job: refused",
            remedy="send upstream requests only from a job, which sets the allowed hosts",
        )
    policy.check(str(request.url), f"{request.method} request to")
