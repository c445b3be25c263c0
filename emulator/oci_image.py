"""A small, valid OCI image layout for the upstream registry to serve, built without a container
engine: one layer (a tar with one file), its config and its manifest, under one tag.

skopeo reads it as `oci:DIRECTORY:TAG` (the OCI image layout specification: `oci-layout`,
`index.json`, content-addressed `blobs/sha256/`)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
CONFIG_TYPE = "application/vnd.oci.image.config.v1+json"
LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip"
REF_NAME = "org.opencontainers.image.ref.name"


@dataclass(frozen=True)
class OciImage:
    directory: Path
    tag: str
    manifest_digest: str  # sha256:..., what a registry answers as Docker-Content-Digest
    layer_digest: str


def _layer(file_name: str, content: bytes) -> tuple[bytes, bytes]:
    """The layer's tar and its gzip; both are fixed for a given content (no timestamps)."""
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w", format=tarfile.PAX_FORMAT) as tar:
        member = tarfile.TarInfo(file_name)
        member.size = len(content)
        member.mode = 0o644
        tar.addfile(member, io.BytesIO(content))
    plain = tar_bytes.getvalue()
    return plain, gzip.compress(plain, mtime=0)


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _canonical(value: dict[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


class _Layout:
    def __init__(self, directory: Path) -> None:
        self.blobs = directory / "blobs" / "sha256"
        self.blobs.mkdir(parents=True, exist_ok=True)

    def put(self, data: bytes, media_type: str) -> dict[str, Any]:
        """Store a blob; its descriptor."""
        digest = _digest(data)
        (self.blobs / digest.removeprefix("sha256:")).write_bytes(data)
        return {"mediaType": media_type, "digest": digest, "size": len(data)}


def build_oci_image(directory: Path, tag: str, content: bytes) -> OciImage:
    """An image whose one layer holds /hello.txt with `content`, written as an OCI layout."""
    layout = _Layout(directory)
    plain, compressed = _layer("hello.txt", content)
    layer = layout.put(compressed, LAYER_TYPE)
    config = layout.put(
        _canonical(
            {
                "architecture": "amd64",
                "os": "linux",
                "config": {"Cmd": ["/hello.txt"]},
                "rootfs": {"type": "layers", "diff_ids": [_digest(plain)]},
            }
        ),
        CONFIG_TYPE,
    )
    manifest = layout.put(
        _canonical(
            {
                "schemaVersion": 2,
                "mediaType": MANIFEST_TYPE,
                "config": config,
                "layers": [layer],
            }
        ),
        MANIFEST_TYPE,
    )
    index = {"schemaVersion": 2, "manifests": [{**manifest, "annotations": {REF_NAME: tag}}]}
    (directory / "index.json").write_bytes(_canonical(index))
    (directory / "oci-layout").write_bytes(_canonical({"imageLayoutVersion": "1.0.0"}))
    return OciImage(directory, tag, manifest["digest"], layer["digest"])
