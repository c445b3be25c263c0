"""The real `mvn dependency:get` (Debian's maven), run as a developer runs it against a Maven
remote repository, without Maven Central: for tests and the demo.

Maven Central is not reachable here. Debian's libmaven-dependency-plugin-java puts the plugin
and what it needs in /usr/share/maven-repo, so the settings replace `central` (the super POM's
repository and plugin repository) by that directory, and name the plugin with the version Debian
ships: Maven resolves it from there without `-o`. The artifact comes from the repository under
test, with `checksumPolicy` `fail`, so a `.sha1` that does not match its file fails the run.

plexus-container-default's POM declares junit at compile scope (as upstream's does) but its
Debian package does not depend on junit4, so `make test` installs junit4 too: without it
`junit:junit:4.x` is missing from /usr/share/maven-repo and the plugin does not resolve.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from xml.sax.saxutils import escape

DEBIAN_REPO = Path("/usr/share/maven-repo")
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.5.0"  # Debian's version
REPOSITORY_ID = "artifact-registry"
TIMEOUT_SECONDS = 120
# Maven's own HTTP deadlines (milliseconds) and no retries, so a refusal fails fast.
_HTTP_OPTIONS = (
    "-Daether.connector.connectTimeout=5000",
    "-Daether.connector.requestTimeout=10000",
    "-Dmaven.wagon.http.retryHandler.count=0",
)
_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0">
  <localRepository>{local}</localRepository>
  <interactiveMode>false</interactiveMode>
  <profiles>
    <profile>
      <id>without-maven-central</id>
      <repositories>
        <repository>
          <id>central</id>
          <url>{debian}</url>
          <releases><checksumPolicy>ignore</checksumPolicy></releases>
          <snapshots><enabled>false</enabled></snapshots>
        </repository>
        <repository>
          <id>{repository_id}</id>
          <url>{repository}</url>
          <releases><updatePolicy>always</updatePolicy><checksumPolicy>fail</checksumPolicy></releases>
          <snapshots><enabled>false</enabled></snapshots>
        </repository>
      </repositories>
      <pluginRepositories>
        <pluginRepository>
          <id>central</id>
          <url>{debian}</url>
          <releases><checksumPolicy>ignore</checksumPolicy></releases>
          <snapshots><enabled>false</enabled></snapshots>
        </pluginRepository>
      </pluginRepositories>
    </profile>
  </profiles>
  <activeProfiles><activeProfile>without-maven-central</activeProfile></activeProfiles>
</settings>
"""


def settings_xml(repository_url: str, local_repository: Path) -> str:
    return _SETTINGS.format(
        local=escape(str(local_repository)),
        debian=DEBIAN_REPO.as_uri(),
        repository_id=REPOSITORY_ID,
        repository=escape(repository_url),
    )


def dependency_get(
    repository_url: str, artifact: str, workdir: Path
) -> subprocess.CompletedProcess[str]:
    """`mvn dependency:get -Dartifact=G:A:V` from `repository_url`, into a new local repository
    `workdir/local` (so nothing comes from an earlier run); `workdir` must not exist yet."""
    local = workdir / "local"
    local.mkdir(parents=True)
    settings = workdir / "settings.xml"
    settings.write_text(settings_xml(repository_url, local))
    return subprocess.run(
        [
            "mvn",
            "-B",
            "-q",
            "-s",
            str(settings),
            "-gs",
            str(settings),
            *_HTTP_OPTIONS,
            f"{DEPENDENCY_PLUGIN}:get",
            f"-Dartifact={artifact}",
            "-Dtransitive=false",
        ],
        capture_output=True,
        text=True,
        cwd=workdir,
        env={**os.environ, "MAVEN_OPTS": "-XX:TieredStopAtLevel=1 -Xshare:auto"},
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


def local_file(workdir: Path, group: str, artifact: str, version: str, extension: str) -> Path:
    """Where `dependency_get` in `workdir` put one of the artifact's files."""
    name = f"{artifact}-{version}.{extension}"
    return workdir / "local" / group.replace(".", "/") / artifact / version / name
