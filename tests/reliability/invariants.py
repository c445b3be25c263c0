"""The five invariants of rotation-lessons.md, checked from the emulator's own state (no API call)
before every call it serves, upstream calls included, and once more when a case ends.

1. Every repository points at an ENABLED version holding a token the upstream accepts.
2. A token is in Secret Manager before anything else happens: none reaches the upstream unstored
   (a session a token API hands out, as Docker Hub's login JWT, is no token here);
   the function's first call after the upstream issued one is the AddSecretVersion that stores
   it (unless the function died in between); and at the end no live token is unrecorded.
3. No version is disabled or destroyed, and no stored token revoked, while a repository points at
   it, or before every repository points at a token that passed the upstream probe. (Revoking a
   token an interrupted attempt minted and never stored is the clean-up invariant 2 asks for.)
4. One rotation request yields at most one new version.
5. No token value in an annotation, a label, or (checked at the end) the function's log.
"""

from __future__ import annotations

from emulator import Call, Emulator
from rotation.gcp.clients import USER_AGENT
from tests.redaction import MIN_LENGTH, stored_texts
from tests.reliability.upstreams import Upstream, sent_token

RETIRING = {
    "SecretManagerService.DisableSecretVersion",
    "SecretManagerService.DestroySecretVersion",
}
STORING = "SecretManagerService.AddSecretVersion"


class InvariantWatch:
    def __init__(self, emulator: Emulator, secret: str, upstream: Upstream, requests: int = 1):
        self.emulator = emulator
        self.secret = secret
        self.upstream = upstream
        self.baseline = max(emulator.secret_manager.version_states(secret), default=0)
        self.requests = requests
        self.violations: list[str] = []
        self.checks = 0
        self.crashed = False  # set by whoever crashes the function: what it held is gone
        self._unrecorded_seen: set[str] = set()

    def __call__(self, call: Call) -> None:
        self.checks += 1
        self.check(f"before {call.method} (check {self.checks})", call)

    def check(self, where: str, call: Call | None = None) -> None:
        found = self._pointers() + self._one_new_version() + self._no_token_stored_in_metadata()
        if call is not None:
            found += self._recorded_first(call) + self._retirement(call)
        self.violations += [f"{where}: {violation}" for violation in found]

    def finish(self, function_log: str) -> list[str]:
        """The final check, plus the function's log lines of the case; all violations seen."""
        self.check("at the end")
        unrecorded = self.upstream.live_tokens() - self._payloads()
        if unrecorded:
            self.violations.append(f"at the end: 2: {len(unrecorded)} live token(s) unrecorded")
        leaked = [token for token in self._payloads() if token in function_log]
        if leaked:
            self.violations.append(f"at the end: {len(leaked)} token value(s) in the function log")
        return self.violations

    # --- the state as the emulator holds it --------------------------------------------------

    def _versions(self) -> dict[int, str]:
        return self.emulator.secret_manager.version_states(self.secret)

    def _payloads(self) -> set[str]:
        return {p for p in self.emulator.secret_manager.payloads() if len(p) >= MIN_LENGTH}

    def _pointed(self) -> dict[str, int]:
        """Repository -> the version of the rotated secret it points at."""
        secret_id = self.secret.rsplit("/", 1)[1]
        pointed = {}
        for repository in self.emulator.artifact_registry.repositories():
            credentials = repository.remote_repository_config.upstream_credentials
            name = credentials.username_password_credentials.password_secret_version
            if f"/secrets/{secret_id}/versions/" in name:
                pointed[repository.name] = int(name.rsplit("/", 1)[1])
        return pointed

    def _token(self, version: int) -> str | None:
        data = self.emulator.secret_manager.version_data(self.secret, version)
        return None if data is None else data.decode(errors="replace")

    # --- the invariants ----------------------------------------------------------------------

    def _pointers(self) -> list[str]:
        found = []
        versions = self._versions()
        for repository, version in self._pointed().items():
            token = self._token(version)
            if versions.get(version) != "ENABLED":
                found.append(
                    f"1: {repository} points at version {version}, {versions.get(version)}"
                )
            elif token is None or not self.upstream.accepts(token):
                found.append(f"1: {repository} points at version {version}, which upstream refuses")
        return found

    def _recorded_first(self, call: Call) -> list[str]:
        stored = self._payloads()
        sent = sent_token(call)
        found = []
        if sent is not None and sent not in stored and self.upstream.issued_token(sent):
            found.append("2: a token reached the upstream before it was stored")
        if call.caller != USER_AGENT:
            return found
        fresh = self.upstream.live_tokens() - stored - self._unrecorded_seen
        if fresh and call.method != STORING and not self.crashed:
            found.append(f"2: the first call after the upstream issued a token is not {STORING}")
        self._unrecorded_seen |= fresh
        return found

    def _retirement(self, call: Call) -> list[str]:
        if call.method in RETIRING:
            target = getattr(call.request, "name", "")
            if not target.startswith(self.secret + "/"):
                return []
            version = int(target.rsplit("/", 1)[1])
            users = [r for r, v in self._pointed().items() if v == version]
        else:
            revoked = self.upstream.revokes(call)
            if revoked is None or revoked not in self._payloads():
                return []  # not a revocation, or the clean-up of a token never stored (2)
            target = "an upstream token"
            users = [r for r, v in self._pointed().items() if self._token(v) == revoked]
        found = [f"3: retiring {target} while {r} points at it" for r in users]
        tested = self.upstream.tested_tokens()
        untested = [r for r, v in self._pointed().items() if self._token(v) not in tested]
        found += [f"3: retiring {target} before {r} points at a tested token" for r in untested]
        return found

    def _one_new_version(self) -> list[str]:
        new = [v for v in self._versions() if v > self.baseline]
        if len(new) > self.requests:
            return [f"4: {len(new)} new versions {new} for {self.requests} rotation request(s)"]
        return []

    def _no_token_stored_in_metadata(self) -> list[str]:
        texts = stored_texts(self.emulator)
        hits = {t for t in self._payloads() for text in texts if t in text}
        return [f"5: {len(hits)} token value(s) in an annotation or label"] if hits else []
