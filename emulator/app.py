"""The emulator as one object: every service on one gRPC port, test controls on an HTTP port."""

from __future__ import annotations

from pathlib import Path

import grpc
from google.iam.v1 import policy_pb2

from emulator.artifactregistry import ArtifactRegistry
from emulator.authorization import Authorizer, PolicySources
from emulator.call_gate import CallGate
from emulator.core import ApiError, Clock, Control, Projects
from emulator.http_control import HttpControl
from emulator.identity import TOKEN_PATH, Identities
from emulator.pubsub import PubSub, RedeliveryPolicy
from emulator.remote.data_path import RemoteRepositories
from emulator.remote.python import repository_url
from emulator.repository_iam import RepositoryIam
from emulator.resourcemanager import ResourceManager
from emulator.secretmanager import SecretManager
from emulator.serving import StartStop

DEFAULT_PROJECTS = {"demo-project": 123456789012, "other-project": 210987654321}
# Holds roles/owner on the organization above every project: whoever sets the cloud up (the
# tests' own set-up, the demo, an operator trying the README's commands).
ADMINISTRATOR = "user:administrator@emulator.example.com"

ENV_VARIABLES = (
    "SECRET_MANAGER_EMULATOR_HOST",
    "ARTIFACT_REGISTRY_EMULATOR_HOST",
    "RESOURCE_MANAGER_EMULATOR_HOST",
    "PUBSUB_EMULATOR_HOST",
)
# The control API's URL: with it, the function and the command line read the emulator's clock
# (rotation/function/clock.py) and `republish --wait` reads its pushes.
CONTROL_VARIABLE = "EMULATOR_HTTP"


class Emulator(StartStop):
    """Secret Manager, Artifact Registry, Resource Manager and Pub/Sub, in process.

    Use as a context manager; `env()` gives the variables that point the real clients at it.

    IAM is enforced on every gRPC call. A caller authenticates with a credential file from
    `credential_file()`; a call without credentials is `anonymous` (by default the
    administrator, so clients without a credential file work as before; None refuses them with
    UNAUTHENTICATED, as production does).
    """

    def __init__(
        self,
        projects: dict[str, int] | None = None,
        grpc_port: int = 0,
        http_port: int = 0,
        push_endpoint: str | None = None,
        redelivery: RedeliveryPolicy | None = None,
        *,
        anonymous: str | None = ADMINISTRATOR,
    ) -> None:
        self.clock = Clock()
        self.control = Control()
        self.projects = Projects(DEFAULT_PROJECTS if projects is None else projects)
        self.pubsub = PubSub(self.clock, self.projects, redelivery or RedeliveryPolicy())
        self.secret_manager = SecretManager(self.clock, self.projects, self.pubsub)
        self.remote_repositories = RemoteRepositories(self)
        self.artifact_registry = ArtifactRegistry(
            self.projects, self.clock, validate_upstream=self.remote_repositories.validate
        )
        self.resource_manager = ResourceManager(self.projects)
        self.repository_iam = RepositoryIam(self.artifact_registry)
        self.identities = Identities()
        self.authorizer = Authorizer(
            PolicySources(
                secret=self.secret_manager.iam_policy,
                repository=self.repository_iam.policy,
                project=self._project_policy,
            ),
            administrators=[ADMINISTRATOR],
        )
        self.gate = CallGate(self.identities, self.authorizer, anonymous)
        self.default_push_endpoint = push_endpoint
        if push_endpoint:
            self.pubsub.set_default_push_endpoint(push_endpoint)
        self._grpc_port = grpc_port
        self._http_port = http_port
        self._server: grpc.Server | None = None
        self._http: HttpControl | None = None
        self.grpc_port = 0
        self.http_port = 0

    @property
    def grpc_target(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def index_url(self, project: str, repository_id: str) -> str:
        """Where pip finds a Python remote repository (its LOCATION-python.pkg.dev URL)."""
        return repository_url(self.http_url, project, repository_id)

    def env(self, control: bool = False) -> dict[str, str]:
        """The variables that point the clients here; with `control`, the control API too."""
        variables = {name: self.grpc_target for name in ENV_VARIABLES}
        if control:
            variables[CONTROL_VARIABLE] = self.http_url
        return variables

    def credential_file(self, email: str, path: Path) -> Path:
        """A service-account key file for `email` whose token URI is this emulator: point
        GOOGLE_APPLICATION_CREDENTIALS at it and the clients call as serviceAccount:`email`."""
        return self.identities.credential_file(email, path)

    def _project_policy(self, project: str) -> policy_pb2.Policy | None:
        try:
            return self.resource_manager.policy(project)
        except ApiError:
            return None

    def start(self) -> Emulator:
        from emulator.grpc_server import Service, build_server

        services: list[Service] = [
            self.secret_manager,
            self.artifact_registry,
            self.repository_iam,
            self.resource_manager,
            self.pubsub,
            self.pubsub.subscriptions,
        ]
        self._server, self.grpc_port = build_server(
            services, self.control, self._grpc_port, self.gate
        )
        self._server.start()
        self._http = HttpControl(self, self._http_port)
        self._http.route("POST", TOKEN_PATH, self.identities.token_endpoint)
        self.remote_repositories.install(self._http)
        self.http_port = self._http.start()
        self.identities.token_uri = f"{self.http_url}{TOKEN_PATH}"
        return self

    def stop(self) -> None:
        self.pubsub.stop()
        if self._http is not None:
            self._http.stop()
        self.remote_repositories.close()
        if self._server is not None:
            self._server.stop(grace=None)

    def reset(self) -> None:
        """Forget every resource, delivery, counter, fault and clock move; keep projects and ports."""
        self.pubsub.reset()
        self.secret_manager.reset()
        self.artifact_registry.reset()
        self.resource_manager.reset()
        self.repository_iam.reset()
        self.authorizer.reset()
        self.control.reset()
        self.clock.reset()
        if self.default_push_endpoint:
            self.pubsub.set_default_push_endpoint(self.default_push_endpoint)
