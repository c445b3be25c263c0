"""The minting sources (gitlab, artifactory, http) against the local token authority, in process:
real HTTP to the authority, real secrets in the emulator, real pypiserver checking the tokens."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from urllib.parse import quote

import httpx
import pytest

from emulator.token_authority import TokenAuthority
from rotation.core import config
from rotation.core.durations import parse_duration
from rotation.core.errors import ConfigError, PermanentError, TokenRejected, TransientError
from rotation.core.settings import Settings
from rotation.core.token import Token
from rotation.gcp.secret_manager import SecretStore
from rotation.sources import SOURCE_KEYS, SOURCES, SourceContext, TokenSource
from rotation.sources.gitlab import token_name as gitlab_token_name
from rotation.sources.webhook import Webhook
from tests.support import World
from tests.upstreams import (
    ARTIFACTORY,
    CASES,
    GITLAB,
    GITLAB_PROJECT,
    WEBHOOK,
    SourceCase,
    minted_secret,
)

TIMEOUT = 5.0  # generous: a loaded two-core CI machine answers slowly; only the timeout test wants it short
SHORT_TIMEOUT = 0.3


@dataclass
class Rig:
    """One source, its secret (version 1 in use by a repository) and the authority behind it."""

    case: SourceCase
    world: World
    authority: TokenAuthority
    secret: str
    source: TokenSource
    rotation_id: str  # unique per test: the authority outlives tests, sources find tokens by it

    def context(self, resumed: bool = False, rotation_id: str | None = None) -> SourceContext:
        store = SecretStore()
        snapshot = store.get(self.secret)
        loaded = config.load(snapshot.annotations, Settings(plain_http=True), SOURCE_KEYS)
        return SourceContext(
            snapshot,
            loaded,
            store,
            rotation_id or self.rotation_id,
            datetime.now(UTC),
            resumed=resumed,
        )

    def live(self) -> set[str]:
        return {t.value for t in self.authority.live(self.case.api)}

    def replace_minting_token(self, value: str) -> None:
        self.world.sm.add_secret_version(
            parent=f"projects/demo-project/secrets/{self.case.api}-minting-token",
            payload={"data": value.encode()},
        )


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=TIMEOUT) as client:
        yield client


def make_rig(case, emulator, authority, private_index, http) -> Rig:
    world = World(emulator)
    secret = minted_secret(world, authority, private_index, case)
    source = SOURCES[case.source](http)
    return Rig(case, world, authority, secret, source, uuid.uuid4().hex[:12])


@pytest.fixture(params=CASES, ids=[case.source for case in CASES])
def rig(request, emulator, authority, private_index, http) -> Rig:
    return make_rig(request.param, emulator, authority, private_index, http)


def test_mint_check_and_retire(rig):
    context = rig.context()
    rig.source.validate(context.config)

    new = rig.source.obtain(context)

    assert new.token.reveal() in rig.live()
    assert new.retire_data["token_id"]
    assert new.token.reveal() not in repr(dict(new.retire_data))
    rig.source.check(new.token, context)
    retire_data = {**new.retire_data, "rotation": rig.rotation_id}
    rig.source.retire(retire_data, context)
    assert new.token.reveal() not in rig.live()
    with pytest.raises(TokenRejected):
        rig.source.check(new.token, context)
    rig.source.retire(retire_data, context)  # already gone: fine


def test_a_token_the_index_refuses_is_rejected(rig):
    with pytest.raises(TokenRejected, match="refused the new token"):
        rig.source.check(Token("not-a-live-token-at-all"), rig.context())


def test_unknown_minting_token_is_a_permanent_error(rig):
    if rig.case is WEBHOOK:
        rig.authority.fail("POST", rig.case.mint_path, 401)
    else:
        rig.replace_minting_token("mint-unknown-0123456789abcdef")
    before = rig.live()
    with pytest.raises(PermanentError, match=r"refused \(HTTP 401\)") as raised:
        rig.source.obtain(rig.context())
    assert raised.value.remedy
    assert rig.live() == before


def test_minting_token_without_permission_is_a_permanent_error(rig):
    if rig.case is WEBHOOK:
        rig.authority.fail("POST", rig.case.mint_path, 403)
    else:
        rig.replace_minting_token(rig.authority.minting_token(rig.case.api, may_mint=False))
    before = rig.live()
    with pytest.raises(PermanentError, match=r"refused \(HTTP 403\)"):
        rig.source.obtain(rig.context())
    assert rig.live() == before


@pytest.mark.parametrize("status", [429, 500, 503])
def test_server_errors_are_transient_then_succeed(rig, status):
    before = rig.live()
    rig.authority.fail("POST", rig.case.mint_path, status)
    with pytest.raises(TransientError, match=f"HTTP {status}"):
        rig.source.obtain(rig.context())
    assert rig.live() == before
    new = rig.source.obtain(rig.context(resumed=True))
    assert rig.live() == before | {new.token.reveal()}


def test_a_timeout_is_transient_and_its_token_is_revoked_on_resume(rig):
    """The upstream minted a token whose answer never arrived: the resumed attempt revokes it."""
    before = rig.live()
    rig.authority.delay("POST", rig.case.mint_path, SHORT_TIMEOUT * 4)
    with (
        httpx.Client(timeout=SHORT_TIMEOUT) as impatient,
        pytest.raises(TransientError, match="timed out"),
    ):
        SOURCES[rig.case.source](impatient).obtain(rig.context())
    deadline = time.monotonic() + 10
    while rig.live() == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(rig.live() - before) == 1, "the slow request minted a token upstream"

    new = rig.source.obtain(rig.context(resumed=True))

    assert rig.live() == before | {new.token.reveal()}


def test_revoking_needs_no_recorded_id(rig):
    """A version adopted after an interrupted attempt has only its rotation recorded."""
    before = rig.live()
    rig.source.obtain(rig.context())
    rig.source.retire({"adopted": "true", "rotation": rig.rotation_id}, rig.context())
    assert rig.live() == before


def test_the_token_stored_before_rotation_began(rig, capsys):
    """The first token was made by hand: GitLab says which it is; the others can only warn."""
    first_version = f"{rig.secret}/versions/1"
    first = rig.world.token(first_version)
    rig.source.retire({"version": first_version}, rig.context())
    if rig.case.source == "gitlab":
        assert first not in rig.live()
        rig.source.retire({"version": first_version}, rig.context())  # already revoked: fine
    else:
        assert first in rig.live()
        assert "revoke it" in capsys.readouterr().out


def test_retiring_with_a_refused_minting_token_is_permanent(rig):
    new = rig.source.obtain(rig.context())
    rig.authority.fail("DELETE", rig.case.revoke_path, 403)
    with pytest.raises(PermanentError, match="HTTP 403"):
        rig.source.retire(dict(new.retire_data), rig.context())
    assert new.token.reveal() in rig.live()


@pytest.mark.parametrize(
    ("source", "settings", "message"),
    [
        ("gitlab", {"minting-secret": "m"}, "gitlab-url is required"),
        (
            "gitlab",
            {"gitlab-url": "https://gitlab.example.com", "minting-secret": "m"},
            "exactly one of",
        ),
        (
            "gitlab",
            {
                "gitlab-url": "https://gitlab.example.com",
                "gitlab-group": "g",
                "minting-secret": "m",
                "token-scopes": "api,write_registry",
            },
            "not read scopes",
        ),
        ("gitlab", {"gitlab-url": "gitlab.example.com", "minting-secret": "m"}, "not an http"),
        (
            "artifactory",
            {"artifactory-url": "https://jf.example.com"},
            "minting-secret is required",
        ),
        (
            "artifactory",
            {"artifactory-url": "https://jf.example.com", "minting-secret": "m"},
            "refuses __token__",
        ),
        (
            "http",
            {"webhook-url": "https://mint.example.com", "webhook-auth": "basic"},
            "not one of",
        ),
        (
            "http",
            {
                "webhook-url": "https://mint.example.com",
                "webhook-revoke-url": "https://mint.example.com/t",
            },
            "no {id}",
        ),
    ],
)
def test_bad_settings_are_config_errors(source, settings, message):
    loaded = config.load(
        {
            "token-rotator.source": source,
            "token-rotator.repositories": "projects/p/locations/l/repositories/r",
            **{f"token-rotator.{k}": v for k, v in settings.items()},
        },
        Settings(plain_http=True),
        SOURCE_KEYS,
    )
    with pytest.raises(ConfigError, match=message):
        SOURCES[source](httpx.Client()).validate(loaded)


def test_webhook_sends_an_id_token_for_the_url_when_deployed(
    emulator, authority, private_index, http
):
    rig = make_rig(WEBHOOK, emulator, authority, private_index, http)
    context = rig.context()
    audiences: list[str] = []

    def fake_id_token(audience: str) -> str:
        audiences.append(audience)
        return "signed-id-token"

    settings = {**context.config.source_settings, "webhook-auth": "google-id-token"}
    deployed = replace(context, config=replace(context.config, source_settings=settings))
    Webhook(http, id_token=fake_id_token).obtain(deployed)
    assert audiences == [authority.url]
    assert authority.calls[-1].authorization


def gitlab_context(rig: Rig, **settings: str) -> SourceContext:
    """A context of the gitlab rig's secret with extra `token-rotator.*` settings."""
    context = rig.context()
    merged = {**context.config.source_settings, **settings}
    lifetime = settings.get("token-lifetime")
    loaded = replace(
        context.config,
        source_settings=merged,
        token_lifetime=parse_duration(lifetime) if lifetime else None,
    )
    return replace(context, config=loaded)


@pytest.fixture
def gitlab_rig(emulator, authority, private_index, http) -> Rig:
    return make_rig(GITLAB, emulator, authority, private_index, http)


@pytest.mark.parametrize(
    ("rotation_period", "token_lifetime"),
    [(timedelta(days=30), "365d"), (timedelta(days=200), ""), (timedelta(days=400), "")],
)
def test_gitlab_never_asks_beyond_a_year(gitlab_rig, capsys, rotation_period, token_lifetime):
    """GitLab refuses expires_at beyond today + 365 days; the source asks for the latest date it
    accepts, records exactly that, and says it cut the lifetime."""
    settings = {"token-lifetime": token_lifetime} if token_lifetime else {}
    context = gitlab_context(gitlab_rig, **settings)
    context = replace(context, secret=replace(context.secret, rotation_period=rotation_period))

    new = gitlab_rig.source.obtain(context)

    issued = next(t for t in gitlab_rig.authority.live("gitlab") if t.value == new.token.reveal())
    assert new.expires_at is not None
    assert new.expires_at.isoformat() == f"{issued.expires_at}T00:00:00+00:00"
    today = gitlab_rig.authority.clock.now().date()
    assert date.fromisoformat(str(issued.expires_at)) <= today + timedelta(days=365)
    logged = capsys.readouterr().out
    assert "accepts no expiry later than 365 days" in logged
    assert ("before the next rotation is due" in logged) == (rotation_period > timedelta(days=364))


def test_gitlab_expiry_holds_when_the_server_is_behind_at_utc_midnight(gitlab_rig):
    """Our clock just past 00:00 UTC, GitLab's still on the day before: still accepted."""
    start = datetime.now(UTC)
    midnight = datetime.combine(start.date() + timedelta(days=1), clock_time(), UTC)
    gitlab_rig.authority.clock.set(midnight - timedelta(seconds=5))
    context = replace(gitlab_context(gitlab_rig), now=midnight + timedelta(seconds=5))
    context = replace(context, secret=replace(context.secret, rotation_period=timedelta(days=300)))
    new = gitlab_rig.source.obtain(context)
    assert new.token.reveal() in gitlab_rig.live()


def test_gitlab_resume_finds_the_unstored_token_on_a_later_page(gitlab_rig):
    """GitLab pages token lists (at most 100 a page): a token an interrupted attempt minted is
    found and revoked even when more than a page of tokens comes before it."""
    project = f"platform/paged-{gitlab_rig.rotation_id}"
    gitlab_rig.authority.gitlab_project(project)
    owner = f"projects/{quote(project, safe='')}"
    decoys = [
        gitlab_rig.authority.issue("gitlab", "decoy", f"decoy-{n}", owner) for n in range(100)
    ]
    context = gitlab_context(gitlab_rig, **{"gitlab-project": project})
    stranded = gitlab_rig.authority.issue(
        "gitlab", "x", gitlab_token_name(context.config, gitlab_rig.rotation_id), owner
    )

    new = gitlab_rig.source.obtain(replace(context, resumed=True))

    live = gitlab_rig.live()
    assert stranded.value not in live
    assert new.token.reveal() in live
    assert {d.value for d in decoys} <= live
    listed = [c for c in gitlab_rig.authority.calls if c.method == "GET" and "paged" in c.path]
    assert len(listed) == 2


def test_gitlab_project_by_numeric_id(gitlab_rig):
    number = gitlab_rig.authority.gitlab_project(GITLAB_PROJECT)
    new = gitlab_rig.source.obtain(gitlab_context(gitlab_rig, **{"gitlab-project": str(number)}))
    issued = next(t for t in gitlab_rig.authority.live("gitlab") if t.value == new.token.reveal())
    assert issued.owner == f"projects/{number}"
    gitlab_rig.source.retire(dict(new.retire_data), gitlab_rig.context())  # addressed by path
    assert new.token.reveal() not in gitlab_rig.live()


@pytest.mark.parametrize("owner", ["platform%2Fwheels", "/platform/wheels", "platform/wheels/"])
def test_gitlab_project_must_be_a_plain_id_or_path(owner):
    loaded = config.load(
        {
            "token-rotator.source": "gitlab",
            "token-rotator.repositories": "projects/p/locations/l/repositories/r",
            "token-rotator.gitlab-url": "https://gitlab.example.com",
            "token-rotator.minting-secret": "m",
            "token-rotator.gitlab-project": owner,
        },
        Settings(),
        SOURCE_KEYS,
    )
    with pytest.raises(ConfigError, match="not a plain id or full path"):
        SOURCES["gitlab"](httpx.Client()).validate(loaded)


def test_artifactory_treats_an_unknown_id_as_revoked_whether_204_or_404(
    emulator, authority, private_index, http
):
    """JFrog documents 204 for an unknown token id; older servers may answer 404: both are
    'already gone'."""
    rig = make_rig(ARTIFACTORY, emulator, authority, private_index, http)
    rig.source.retire({"token_id": "no-such-token"}, rig.context())
    authority.fail("DELETE", ARTIFACTORY.revoke_path, 404)
    rig.source.retire({"token_id": "no-such-token"}, rig.context())
    assert [c.status for c in authority.calls if c.method == "DELETE"] == [204, 404]


def test_artifactory_expiry_cap_is_a_permanent_error(emulator, authority, private_index, http):
    rig = make_rig(ARTIFACTORY, emulator, authority, private_index, http)
    authority.artifactory_max_expiry = 3600
    before = rig.live()
    with pytest.raises(PermanentError, match="HTTP 403"):
        rig.source.obtain(rig.context())
    assert rig.live() == before
