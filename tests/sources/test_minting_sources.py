"""The minting sources (gitlab, artifactory, http) against the local token authority, in process:
real HTTP to the authority, real secrets in the emulator, real pypiserver checking the tokens.

Here what every minting source does; their settings: test_minting_settings.py; each source's own
behaviour: test_gitlab_source.py, test_webhook_and_artifactory.py.
"""

from __future__ import annotations

import time

import httpx
import pytest

from rotation.core.errors import PermanentError, TokenRejected, TransientError
from rotation.core.token import Token
from rotation.sources import SOURCES
from tests.upstreams import WEBHOOK

SHORT_TIMEOUT = 0.3


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
