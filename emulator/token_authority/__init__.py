"""A local token authority: the parts of GitLab's, Artifactory's and Docker Hub's access-token APIs
that the token sources use, and a minting webhook of the shape the `http` source expects.

Every token it creates becomes a live credential of its upstream (a CredentialHolder: pypiserver,
a registry's token server, verdaccio, a Maven layout); revoking a token removes it, so the
upstream accepts exactly the live tokens. Faults (an HTTP status, or a delay
longer than the client's timeout) can be injected per method and path, and every call is recorded.

GitLab (`PRIVATE-TOKEN` header or bearer, a minting token with the `api` scope); ID is a
project's or group's numeric id or its URL-encoded full path (`group%2Fproject`), known to the
authority through `gitlab_project` / `gitlab_group`:
    POST   /api/v4/{projects|groups}/ID/access_tokens          -> 201 {id, name, token, ...}
    GET    /api/v4/{projects|groups}/ID/access_tokens          -> 200 [{id, name, active, ...}],
                                                                  paged (page, per_page)
    GET    /api/v4/personal_access_tokens/self (with the token itself) -> 200 {id, name, ...}
    DELETE /api/v4/{projects|groups}/ID/access_tokens/TOKEN_ID -> 204
Artifactory (bearer, an admin minting token):
    POST   /access/api/v1/tokens (form or JSON: username, scope, expires_in, description)
                                                               -> 200 {token_id, access_token, ...}
    GET    /access/api/v1/tokens                               -> 200 {tokens: [...]}
    DELETE /access/api/v1/tokens/TOKEN_ID                      -> 200 (204 if unknown)
Requests are refused as the real APIs refuse them (emulator/token_rules.py). "Today" comes from
`clock`, which tests move.
Docker Hub (a JWT from POST /v2/auth/token {identifier, secret}, sent as bearer):
    POST   /v2/access-tokens {token_label, scopes, expires_at}  -> 201 {uuid, token, ...}
    GET    /v2/access-tokens (page, page_size)                  -> 200 {count, next, results}
    DELETE /v2/access-tokens/UUID                               -> 204
    POST   /v2/orgs/ORG/access-tokens {label, resources, expires_at} -> 201 {id, token, ...}
    GET    /v2/orgs/ORG/access-tokens, DELETE .../ID            -> 200 {total, results}, 204
Webhook (no authentication here; the request's Authorization header is recorded):
    POST   /webhook/tokens {secret, rotation, username}        -> 200 {token, id, expires_at}
    DELETE /webhook/tokens/ID_OR_ROTATION                      -> 204
"""

from emulator.token_authority.authority import TokenAuthority
from emulator.token_authority.ledger import Issued
from emulator.token_authority.plumbing import Call

__all__ = ["Call", "Issued", "TokenAuthority"]
