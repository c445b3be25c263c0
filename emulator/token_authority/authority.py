"""The token authority as one object: GitLab's, Artifactory's, Docker Hub's and the webhook's APIs
on one port, with the controls tests and the demo use."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import unquote

from emulator.core import Clock
from emulator.credentials import CredentialHolder
from emulator.routing import RoutedServer
from emulator.serving import StartStop
from emulator.token_authority.artifactory import ArtifactoryApi
from emulator.token_authority.dockerhub import DockerHubApi
from emulator.token_authority.gitlab import GitLabApi
from emulator.token_authority.ledger import Issued, TokenLedger
from emulator.token_authority.plumbing import Call, InstrumentedRouter
from emulator.token_authority.webhook import WebhookApi


class TokenAuthority(StartStop):
    """Serves the token APIs on 127.0.0.1:`port` (0 picks a free port); a context manager.
    Every token it creates is a live credential of `index` until it is revoked."""

    def __init__(self, index: CredentialHolder, port: int = 0, clock: Clock | None = None) -> None:
        self.index = index
        self.clock = clock or Clock()
        self._ledger = TokenLedger(index, self.clock)
        self._router = InstrumentedRouter()
        self._server = RoutedServer(self._router, port, name="token-authority")
        self._artifactory = ArtifactoryApi(self._ledger)
        GitLabApi(self._ledger, own_host=lambda: f"127.0.0.1:{self.port}").install(self._router)
        self._artifactory.install(self._router)
        self._dockerhub = DockerHubApi(self._ledger, own_host=lambda: f"127.0.0.1:{self.port}")
        self._dockerhub.install(self._router)
        WebhookApi(self._ledger).install(self._router)

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def url(self) -> str:
        return self._server.url

    @property
    def calls(self) -> list[Call]:
        """Every call since the last reset, in order."""
        return self._router.calls

    @property
    def artifactory_max_expiry(self) -> int:
        """Artifactory's token.max-expiry in seconds (0: no limit), which tests may set."""
        return self._artifactory.max_expiry

    @artifactory_max_expiry.setter
    def artifactory_max_expiry(self, seconds: int) -> None:
        self._artifactory.max_expiry = seconds

    @property
    def dockerhub_pat_manages_tokens(self) -> bool:
        """Whether a Docker Hub JWT obtained with a personal access token may manage access
        tokens (unconfirmed; users report it may not, the default), which tests may set."""
        return self._dockerhub.sessions.pat_manages_tokens

    @dockerhub_pat_manages_tokens.setter
    def dockerhub_pat_manages_tokens(self, allowed: bool) -> None:
        self._dockerhub.sessions.pat_manages_tokens = allowed

    def start(self) -> TokenAuthority:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def minting_token(self, api: str, may_mint: bool = True) -> str:
        """A credential for the token API itself (never valid on the index)."""
        return self._ledger.minting_token(api, may_mint)

    def gitlab_project(self, path: str) -> int:
        """Make a GitLab project known by its full path (`group/project`); returns its id."""
        return self._ledger.namespace("projects", path)

    def gitlab_group(self, path: str) -> int:
        """Make a GitLab group known by its full path (`group` or `group/subgroup`); returns its
        id. Projects and groups are numbered in one sequence, so an id names one of them."""
        return self._ledger.namespace("groups", path)

    def dockerhub_org(self, name: str, owners: tuple[str, ...]) -> None:
        """Make a Docker Hub organization known, owned by the users `owners`."""
        self._dockerhub.sessions.organization(name, owners)

    def issue(self, api: str, username: str, name: str, owner: str = "") -> Issued:
        """A token created out of band, as the one a team started with; a GitLab `owner` is
        `projects/ID` or `groups/ID` as in the API's paths (the namespace is made known); a
        Docker Hub one `users/NAME` (the default) or `orgs/NAME`."""
        if api == "gitlab":
            kind, _, raw = owner.partition("/")
            if not unquote(raw).isdigit():
                self._ledger.namespace(kind, unquote(raw))
            owner = self._ledger.owner(kind, raw)
        prefix = None
        if api == "dockerhub":
            owner = owner or f"users/{username}"
            prefix = "dockerhub-org" if owner.startswith("orgs/") else None
        today = self._ledger.today()
        expires_at = (today + timedelta(days=365)).isoformat() if api == "gitlab" else None
        return self._ledger.issue(
            api,
            username=username,
            name=name,
            owner=owner,
            scopes=[],
            expires_at=expires_at,
            prefix=prefix,
        )

    def live(self, api: str | None = None) -> list[Issued]:
        return self._ledger.live(api)

    def issued(self, api: str) -> list[Issued]:
        """Every token of one API ever handed out, revoked ones included."""
        return self._ledger.issued(api)

    def issued_values(self) -> set[str]:
        """Every token and minting token ever handed out: values tests must never print."""
        return self._ledger.issued_values() | self._dockerhub.sessions.values()

    def fail(self, method: str, path: str, status: int, times: int = 1) -> None:
        """Answer the next `times` calls of `method` on paths matching `path` with `status`."""
        self._router.fail(method, path, status, times)

    def delay(self, method: str, path: str, seconds: float, times: int = 1) -> None:
        """Hold the next `times` calls of `method` on paths matching `path` for `seconds`."""
        self._router.delay(method, path, seconds, times)

    def reset(self) -> None:
        """Forget faults, calls, clock moves, Artifactory limits and the Docker Hub switch; keep
        tokens and namespaces."""
        self._router.reset()
        self._artifactory.max_expiry = 0
        self._dockerhub.sessions.pat_manages_tokens = False
        self.clock.reset()
