"""Fixtures of the remote formats' tests, one support module per format."""

from tests.formats.npm_support import (  # noqa: F401 (fixtures)
    npm_authority,
    npm_authority_session,
    npm_function,
    verdaccio,
)
