"""A small Maven artifact written into a repository layout: what `mvn dependency:get` fetches.

The layout (Maven's "default" repository layout): `GROUP/PATH/ARTIFACT/VERSION/ARTIFACT-VERSION.jar`
and `.pom`, `GROUP/PATH/ARTIFACT/maven-metadata.xml` listing the versions, and beside every file
its `.sha1` and `.md5` (hex digests), which Maven checks each download against.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

_POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>{group}</groupId>
  <artifactId>{artifact}</artifactId>
  <version>{version}</version>
  <packaging>jar</packaging>
</project>
"""
_METADATA = """<?xml version="1.0" encoding="UTF-8"?>
<metadata>
  <groupId>{group}</groupId>
  <artifactId>{artifact}</artifactId>
  <versioning>
    <latest>{latest}</latest>
    <release>{latest}</release>
    <versions>
{versions}
    </versions>
    <lastUpdated>{updated}</lastUpdated>
  </versioning>
</metadata>
"""


def artifact_dir(group: str, artifact: str) -> str:
    """`com.example` and `tiny` -> `com/example/tiny`."""
    return f"{group.replace('.', '/')}/{artifact}"


def publish_artifact(root: Path, group: str, artifact: str, version: str) -> list[str]:
    """Write the jar, the pom and the artifact's maven-metadata.xml (with every version published
    so far), each with its checksums; returns the paths written, relative to `root`."""
    base = artifact_dir(group, artifact)
    fields = {"group": escape(group), "artifact": escape(artifact), "version": escape(version)}
    files = {
        f"{base}/{version}/{artifact}-{version}.jar": _jar(group, artifact, version),
        f"{base}/{version}/{artifact}-{version}.pom": _POM.format(**fields).encode(),
    }
    for relative, content in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(content)
    versions = sorted(p.name for p in (root / base).iterdir() if p.is_dir())
    listed = "\n".join(f"      <version>{escape(v)}</version>" for v in versions)
    updated = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    metadata = _METADATA.format(**fields, latest=escape(version), versions=listed, updated=updated)
    files[f"{base}/maven-metadata.xml"] = metadata.encode()
    (root / base / "maven-metadata.xml").write_bytes(files[f"{base}/maven-metadata.xml"])
    written = []
    for relative, content in files.items():
        written.append(relative)
        for suffix, digest in ((".sha1", hashlib.sha1), (".md5", hashlib.md5)):
            checksum = digest(content, usedforsecurity=False).hexdigest()
            (root / (relative + suffix)).write_text(checksum)
            written.append(relative + suffix)
    return written


def _jar(group: str, artifact: str, version: str) -> bytes:
    """A jar as Maven builds one: a manifest and the pom.properties under META-INF/maven."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as jar:
        jar.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nCreated-By: emulator\r\n")
        jar.writestr(
            f"META-INF/maven/{group}/{artifact}/pom.properties",
            f"groupId={group}\nartifactId={artifact}\nversion={version}\n",
        )
    return buffer.getvalue()
