"""The gitlab source against the local token authority: expiry dates GitLab accepts, tokens
found on a later page of the list, and projects by numeric id."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from urllib.parse import quote

import pytest

from rotation.sources.gitlab import token_name as gitlab_token_name
from tests.sources.minting import gitlab_context
from tests.upstreams import GITLAB_PROJECT


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
