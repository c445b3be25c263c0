"""Google-signed ID tokens for the webhook source (`webhook-auth: google-id-token`), for the
function's own service account."""

from __future__ import annotations

import google.auth.exceptions
import google.auth.transport.requests
import google.oauth2.id_token

from rotation.core.annotation_values import PREFIX
from rotation.core.errors import PermanentError, TransientError


def google_id_token(audience: str) -> str:
    """An ID token for `audience`, signed by Google for the function's service account."""
    try:
        return str(
            google.oauth2.id_token.fetch_id_token(  # type: ignore[no-untyped-call]
                google.auth.transport.requests.Request(), audience
            )
        )
    except google.auth.exceptions.DefaultCredentialsError as error:
        raise PermanentError(
            f"no credentials can sign an ID token for {audience}: {error}",
            remedy=f"run as a service account, or set {PREFIX}webhook-auth=none",
        ) from None
    except google.auth.exceptions.TransportError as error:
        raise TransientError(f"fetching an ID token for {audience} failed: {error}") from None
