"""UpdateRepository's update mask: which paths may be updated, and applying one path."""

from __future__ import annotations

from typing import Any

from google.protobuf.message import Message

from emulator.core import invalid

# Mask paths naming one of these fields, or a field inside one, may be updated; the others
# (name, format, mode, the remote upstream, timestamps, ...) are fixed when the repository is made.
UPDATABLE = (
    "description",
    "labels",
    "cleanup_policies",
    "cleanup_policy_dry_run",
    "docker_config",
    "maven_config",
    "virtual_repository_config",
    "vulnerability_scanning_config",
    "remote_repository_config.description",
    "remote_repository_config.upstream_credentials",
    "remote_repository_config.disable_upstream_validation",
)


def _field_name(message: Message, segment: str) -> str | None:
    """The descriptor's name for a mask path segment (proto-plus renames `format` to `format_`)."""
    fields = message.DESCRIPTOR.fields_by_name
    for candidate in (segment, f"{segment}_"):
        if candidate in fields:
            return candidate
    return None


def check_updatable(repository: Message, path: str) -> None:
    message: Any = repository
    segments = path.split(".")
    for index, segment in enumerate(segments):
        field = _field_name(message, segment)
        if field is None:
            raise invalid(f"Invalid update_mask path '{path}': unknown field '{segment}'.")
        descriptor = message.DESCRIPTOR.fields_by_name[field]
        is_last = index == len(segments) - 1
        if not is_last and (descriptor.message_type is None or descriptor.is_repeated):
            raise invalid(f"Invalid update_mask path '{path}': '{segment}' has no sub-fields.")
        if not is_last:
            message = getattr(message, field)
    if not any(path == root or path.startswith(f"{root}.") for root in UPDATABLE):
        raise invalid(f"Field '{path}' cannot be updated.")


def apply_path(source: Message, destination: Message, path: str) -> None:
    """Copy one checked mask path: the request's value replaces the stored one, unset clears it."""
    *parents, leaf = path.split(".")
    src: Any = source
    dst: Any = destination
    for segment in parents:
        field = _field_name(src, segment)
        assert field is not None  # paths are checked before they are applied
        src, dst = getattr(src, field), getattr(dst, field)
    field = _field_name(src, leaf)
    assert field is not None
    descriptor = src.DESCRIPTOR.fields_by_name[field]
    dst.ClearField(field)
    if descriptor.is_repeated:
        getattr(dst, field).MergeFrom(getattr(src, field))
    elif descriptor.message_type is not None:
        if src.HasField(field):
            getattr(dst, field).CopyFrom(getattr(src, field))
    else:
        setattr(dst, field, getattr(src, field))
