"""Where the function may send requests, and with them minting credentials and new tokens.

Whoever can edit a secret's annotations could otherwise point `gitlab-url`, `artifactory-url`,
`check-url` or `webhook-url` at a host of their choosing. A job may contact only the hosts of its
repositories' own upstream URLs (set by whoever may update the repositories, a separate
permission) and those the deployment lists in ALLOWED_UPSTREAM_HOSTS; a webhook's host must be
listed there. Link-local and metadata addresses are never contacted, plain http only with the
emulator. Each job checks its annotations before its claim, and the shared HTTP client checks
every request (redirects included) against the job's policy before sending it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import urlsplit

from rotation.core.errors import ConfigError

VARIABLE = "ALLOWED_UPSTREAM_HOSTS"
TERRAFORM_VARIABLE = "allowed_upstream_hosts"
# Annotations holding a URL the function sends requests to; the webhook's only if listed.
URL_KEYS = ("check-url", "index-url", "gitlab-url", "artifactory-url", "dockerhub-url")
LISTED_ONLY_KEYS = ("webhook-url", "webhook-revoke-url")
_DEFAULT_PORTS = {"https": 443, "http": 80}
_METADATA_NAMES = frozenset({"metadata", "metadata.google.internal"})
_LINK_LOCAL = (ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fe80::/10"))


class UpstreamRefused(ConfigError):
    """A URL the function must not send a request to."""


@dataclass(frozen=True)
class UpstreamPolicy:
    """The hosts (`host:port`) one job may contact, and whether plain http is allowed."""

    hosts: frozenset[str]
    plain_http: bool

    def check(self, url: str, what: str, key: str = "") -> None:
        """Raise UpstreamRefused, naming the host and the remedy, unless `url` may be contacted."""
        check_literal(url, what, self.plain_http, key)
        host = host_of(url)
        if host not in self.hosts:
            allowed = ", ".join(sorted(self.hosts)) or "none"
            raise UpstreamRefused(
                f"{what} {url}: host {host} is not one this function may contact "
                f"(allowed: {allowed})",
                remedy=f"if {host} is a trusted upstream, add it to {VARIABLE} (the terraform "
                f"variable {TERRAFORM_VARIABLE}); otherwise correct the URL",
                key=key,
                value=url,
            )


def check_literal(url: str, what: str, plain_http: bool, key: str = "") -> None:
    """What no deployment may contact: plain http (but for the emulator), a link-local address
    or the metadata server. Needs no allowlist, so the configuration's checks run it."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    if parts.scheme != "https" and not (parts.scheme == "http" and plain_http):
        raise UpstreamRefused(
            f"{what} {url} is not https",
            remedy="use an https:// URL (plain http is allowed only with the emulator)",
            key=key,
            value=url,
        )
    if host in _METADATA_NAMES or _link_local(host):
        raise UpstreamRefused(
            f"{what} {url} names the metadata server or a link-local address, which this "
            "function never contacts",
            remedy="use the upstream's own URL",
            key=key,
            value=url,
        )


def host_of(url: str) -> str:
    """`host:port`, the port made explicit: what an allowlist entry is compared with."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    try:
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme, 443)
    except ValueError:
        port = 0
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def allowed_hosts(text: str) -> frozenset[str]:
    """ALLOWED_UPSTREAM_HOSTS: comma-separated `host` (port 443) or `host:port`."""
    entries = [entry.strip() for entry in text.split(",") if entry.strip()]
    hosts = set()
    for entry in entries:
        if "/" in entry or "@" in entry:
            raise ConfigError(
                f"environment variable {VARIABLE} has {entry!r}, which is not a host or host:port",
                remedy=f"list hosts without scheme or path, e.g. {VARIABLE}=gitlab.example.com,"
                "tokens.example.com:8443",
                key=VARIABLE,
                value=text,
            )
        hosts.add(host_of(f"https://{entry}"))
    return frozenset(hosts)


def policy_for(
    settings: Mapping[str, str],
    listed: frozenset[str],
    upstream_urls: Iterable[str],
    plain_http: bool,
) -> UpstreamPolicy:
    """Check a secret's URL annotations (`settings`, without the prefix) and return the policy
    for its job: the listed hosts and those of its repositories' upstream URLs."""
    own = frozenset(host_of(url) for url in upstream_urls if url)
    policy = UpstreamPolicy(listed | own, plain_http)
    explicit = UpstreamPolicy(listed, plain_http)
    for key in URL_KEYS:
        if key in settings:
            policy.check(settings[key], f"token-rotator.{key}", f"token-rotator.{key}")
    for key in LISTED_ONLY_KEYS:
        if key in settings:
            url = settings[key].replace("{id}", "id")
            explicit.check(
                url, f"token-rotator.{key} (a webhook: listed hosts only)", f"token-rotator.{key}"
            )
    return policy


_POLICY: ContextVar[UpstreamPolicy | None] = ContextVar("upstream_policy", default=None)


@contextmanager
def enforced(policy: UpstreamPolicy) -> Iterator[None]:
    """Requests the shared client sends meanwhile, in this thread, must satisfy `policy`."""
    token = _POLICY.set(policy)
    try:
        yield
    finally:
        _POLICY.reset(token)


def active_policy() -> UpstreamPolicy | None:
    """The policy of the job running in this thread, if any."""
    return _POLICY.get()


def _link_local(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return any(address in network for network in _LINK_LOCAL)
