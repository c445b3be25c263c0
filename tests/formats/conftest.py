"""Fixtures of the remote formats' tests, one support module per format."""

from tests.formats.docker_support import (  # noqa: F401 (fixtures)
    docker_authority,
    docker_authority_session,
    docker_function,
    docker_token_server,
    htpasswd_registry,
    token_registry,
    upstream,
)
from tests.formats.maven_fixtures import (  # noqa: F401 (fixtures)
    maven_authority,
    maven_authority_session,
    maven_function,
    maven_layout,
)
from tests.formats.npm_support import (  # noqa: F401 (fixtures)
    npm_authority,
    npm_authority_session,
    npm_function,
    verdaccio,
)
