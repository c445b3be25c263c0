"""Small, valid npm packages for the upstream registry to serve, built without npm: a gzipped
tarball of `package/package.json` and `package/index.js`, and the document `npm publish` sends."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
from typing import Any


def build_tarball(name: str, version: str) -> bytes:
    """A package whose `index.js` exports its version."""
    manifest = {"name": name, "version": version, "main": "index.js", "license": "MIT"}
    files = {
        "package/package.json": json.dumps(manifest, indent=2).encode() + b"\n",
        "package/index.js": f'module.exports = "{version}";\n'.encode(),
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path, data in files.items():
            entry = tarfile.TarInfo(path)
            entry.size, entry.mode = len(data), 0o644
            archive.addfile(entry, io.BytesIO(data))
    return buffer.getvalue()


def publish_document(registry: str, name: str, version: str, tarball: bytes) -> dict[str, Any]:
    """The body of `PUT {registry}/{name}` that npm publish sends (libnpmpublish): the version's
    manifest with its `dist` and the tarball as a base64 attachment."""
    filename = f"{name}-{version}.tgz"
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    manifest = {
        "name": name,
        "version": version,
        "main": "index.js",
        "license": "MIT",
        "_id": f"{name}@{version}",
        "dist": {
            "shasum": hashlib.sha1(tarball, usedforsecurity=False).hexdigest(),  # npm's field
            "integrity": integrity,
            "tarball": f"{registry}/{name}/-/{filename}",
        },
    }
    return {
        "_id": name,
        "name": name,
        "dist-tags": {"latest": version},
        "versions": {version: manifest},
        "_attachments": {
            filename: {
                "content_type": "application/octet-stream",
                "data": base64.b64encode(tarball).decode(),
                "length": len(tarball),
            }
        },
    }
