"""Repository messages: what a stored repository must satisfy, and copies in and out of the store."""

from __future__ import annotations

import re
from typing import Any

from google.cloud import artifactregistry_v1 as ar
from google.protobuf.message import Message

from emulator.core import invalid

_SECRET_VERSION = re.compile(r"projects/[^/]+/secrets/[^/]+/versions/[^/]+")


def validate(repository: Any) -> None:
    """Reject what the real service rejects on create and update, as far as the rotation cares."""
    if repository.format_ == ar.Repository.Format.FORMAT_UNSPECIFIED:
        raise invalid("Repository format is required.")
    remote = repository.remote_repository_config
    is_remote = repository.mode == ar.Repository.Mode.REMOTE_REPOSITORY
    if is_remote and not remote.WhichOneof("remote_source"):
        raise invalid("A remote repository needs remote_repository_config with an upstream.")
    if not is_remote and repository.HasField("remote_repository_config"):
        raise invalid("remote_repository_config is only allowed for remote repositories.")
    credentials = remote.upstream_credentials.username_password_credentials
    if credentials.username or credentials.password_secret_version:
        if not credentials.username:
            raise invalid("username_password_credentials.username is required.")
        if not _SECRET_VERSION.fullmatch(credentials.password_secret_version):
            raise invalid(
                "password_secret_version must be a secret version name,"
                f" projects/*/secrets/*/versions/*; got '{credentials.password_secret_version}'."
            )


def drop_input_only(repository: Any) -> None:
    """`disable_upstream_validation` is input only: it is never stored, so never answered."""
    if repository.HasField("remote_repository_config"):
        repository.remote_repository_config.ClearField("disable_upstream_validation")


def needs_upstream_validation(repository: Any, requested: ar.RemoteRepositoryConfig) -> bool:
    """A remote repository with credentials, unless the request opts out of validating them."""
    credentials = repository.remote_repository_config.upstream_credentials
    return bool(
        repository.mode == ar.Repository.Mode.REMOTE_REPOSITORY
        and credentials.username_password_credentials.password_secret_version
        and not requested.disable_upstream_validation
    )


def copy_message(message: Message) -> Message:
    duplicate = type(message)()
    duplicate.CopyFrom(message)
    return duplicate


def wrap_repository(repository: Message) -> ar.Repository:
    """A proto-plus copy of a stored repository: no caller ever holds the stored message."""
    wrapped: ar.Repository = ar.Repository.wrap(copy_message(repository))
    return wrapped
