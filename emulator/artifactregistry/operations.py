"""Create and DeleteRepository's long-running operations, finished before they are answered."""

from __future__ import annotations

import uuid

from google.cloud import artifactregistry_v1 as ar
from google.longrunning import operations_pb2
from google.protobuf import any_pb2, empty_pb2


def done_operation(
    project_id: str, location: str, answer: ar.Repository | empty_pb2.Empty
) -> operations_pb2.Operation:
    """Create and DeleteRepository are long-running; the emulator finishes them before answering."""
    response = any_pb2.Any()
    response.Pack(answer if isinstance(answer, empty_pb2.Empty) else ar.Repository.pb(answer))
    metadata = any_pb2.Any()
    metadata.Pack(ar.OperationMetadata.pb(ar.OperationMetadata()))
    return operations_pb2.Operation(
        name=f"projects/{project_id}/locations/{location}/operations/{uuid.uuid4()}",
        done=True,
        response=response,
        metadata=metadata,
    )
