"""The http (webhook) and artifactory sources' own behaviour against the local token
authority: the webhook's ID token when deployed, Artifactory's answers to revoking an unknown
id and its expiry cap."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rotation.core.errors import PermanentError
from rotation.sources.webhook import Webhook
from tests.sources.minting import make_rig
from tests.upstreams import ARTIFACTORY, WEBHOOK


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
