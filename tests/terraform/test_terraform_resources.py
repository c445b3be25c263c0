"""The modules' resources keep the promises the function relies on: the APIs, the topic and who
publishes to it, the secret and its ignored fields, the repositories, the function, the source
bucket (the rotator); the delivery and the audit: test_terraform_delivery.py."""

from __future__ import annotations

import re

from tests.terraform.hcl import REPO, ROTATOR, SECRET_MODULE, block, dynamic_block, load_module


def test_apis() -> None:
    module = load_module(ROTATOR)
    apis = set(module.locals["apis"])
    assert {
        "secretmanager.googleapis.com",
        "artifactregistry.googleapis.com",
        "pubsub.googleapis.com",
        "cloudfunctions.googleapis.com",
        "cloudbuild.googleapis.com",
        "run.googleapis.com",
        "cloudscheduler.googleapis.com",
        "cloudresourcemanager.googleapis.com",
    } <= apis
    assert "eventarc.googleapis.com" not in apis  # no Eventarc trigger any more
    service = module.resource("google_project_service.this")
    assert service["disable_on_destroy"] is False


def test_topic_is_published_to_by_the_secret_manager_agent() -> None:
    module = load_module(ROTATOR)
    binding = module.resource("google_pubsub_topic_iam_member.secret_manager_publisher")
    assert binding["role"] == "roles/pubsub.publisher"
    assert binding["topic"] == "${google_pubsub_topic.events.name}"
    assert binding["member"] == "${local.secret_manager_agent}"
    # The address itself: tests/terraform/test_service_agents.py.
    assert "secretmanager.googleapis.com" in module.locals["secret_manager_agent"]
    # The secrets name the topic through the output, which waits for the grant.
    output = module.outputs["events_topic_id"]
    assert output["value"] == "${google_pubsub_topic.events.id}"
    assert output["depends_on"] == ["${google_pubsub_topic_iam_member.secret_manager_publisher}"]


def test_secret() -> None:
    module = load_module(SECRET_MODULE)
    secret = module.resource("google_secret_manager_secret.token")
    # The function owns the aliases.
    assert "version_aliases" not in secret
    assert secret["version_destroy_ttl"] == "${var.version_destroy_ttl}"
    assert block(secret, "topics")["name"] == "${var.rotator.events_topic_id}"
    rotation = block(secret, "rotation")
    assert rotation["rotation_period"] == "${var.rotation_period}"
    assert "next_rotation_time" in rotation
    # Secret Manager moves next_rotation_time; the function writes its own state annotation, which
    # the provider leaves alone (annotations are non-authoritative): nothing else is ignored.
    lifecycle = block(secret, "lifecycle")
    assert lifecycle["ignore_changes"] == ["${rotation[0].next_rotation_time}"]
    assert secret["annotations"] == "${local.annotations}"
    annotations = module.locals["annotations"]
    for key in ("source", "repositories", "username", "grant-access"):
        assert f'"token-rotator.{key}"' in annotations
    assert '"token-rotator.${key}"' in annotations  # rotation_settings, prefixed
    assert "token-rotator.state" not in annotations


def test_registry_agents_read_the_secret() -> None:
    module = load_module(SECRET_MODULE)
    binding = module.resource("google_secret_manager_secret_iam_member.registry_agent_accessor")
    assert binding["role"] == "roles/secretmanager.secretAccessor"
    assert binding["secret_id"] == "${google_secret_manager_secret.token.secret_id}"
    assert binding["member"] == "${var.rotator.artifact_registry_agents[local.project_id]}"
    elsewhere = module.resource(
        "google_secret_manager_secret_iam_member.registry_agent_accessor_elsewhere"
    )
    assert elsewhere["for_each"] == "${local.other_repository_projects}"
    assert elsewhere["role"] == "roles/secretmanager.secretAccessor"
    rotator = load_module(ROTATOR)
    assert "artifactregistry.googleapis.com" in rotator.locals["artifact_registry_agent"]
    assert "artifact_registry_agents" in rotator.outputs


# The remote_repository_config block of each format the module offers.
FORMAT_BLOCKS = {
    "python_repository": "PYTHON",
    "docker_repository": "DOCKER",
    "npm_repository": "NPM",
    "maven_repository": "MAVEN",
}


def test_repository() -> None:
    module = load_module(SECRET_MODULE)
    repository = module.resource("google_artifact_registry_repository.remote")
    assert repository["for_each"] == "${local.repository_settings}"
    assert repository["project"] == "${each.value.project_id}"
    assert repository["mode"] == "REMOTE_REPOSITORY"
    assert repository["format"] == "${var.repository_format}"
    remote = block(repository, "remote_repository_config")
    # Each format's public upstream, in its own block; which one is used: the console tests.
    for name, format_ in FORMAT_BLOCKS.items():
        public = dynamic_block(remote, name)
        assert public["for_each"] == f"${{local.public_repository.{format_}}}"
        assert public["content"][0]["public_repository"] == f"${{{name}.value}}"
    # A custom upstream of any format: common_repository, which the function and the emulator
    # read as they read <format>_repository.custom_repository.
    assert dynamic_block(remote, "common_repository")["content"][0]["uri"] == (
        "${common_repository.value}"
    )
    credentials = block(block(remote, "upstream_credentials"), "username_password_credentials")
    assert credentials["username"] == "${local.upstream_username}"
    assert credentials["password_secret_version"].startswith(
        "${google_secret_manager_secret.token.id}/versions/"
    )
    # The function moves password_secret_version on every rotation.
    assert block(repository, "lifecycle")["ignore_changes"] == [
        "${remote_repository_config[0].upstream_credentials[0]"
        ".username_password_credentials[0].password_secret_version}"
    ]


def test_function() -> None:
    module = load_module(ROTATOR)
    function = module.resource("google_cloudfunctions2_function.rotator")
    build = block(function, "build_config")
    assert build["runtime"] == "python311"
    assert build["entry_point"] == "on_secret_event"
    main = (REPO / "main.py").read_text(encoding="utf-8")
    assert re.search(r"^def on_secret_event\(", main, re.MULTILINE), "entry point not in main.py"
    storage = block(block(build, "source"), "storage_source")
    assert storage["object"] == "${google_storage_bucket_object.source.name}"

    service = block(function, "service_config")
    assert service["service_account_email"] == "${google_service_account.function.email}"
    assert service["max_instance_count"] == "${var.max_instance_count}"
    environment = service["environment_variables"]
    names = set(re.findall(r"\b([A-Z][A-Z_]+) =", environment))
    assert names == {"ALLOWED_PROJECTS", "ALLOWED_UPSTREAM_HOSTS", "MAX_EVENT_AGE", "LOG_LEVEL"}
    code = "\n".join(path.read_text(encoding="utf-8") for path in (REPO / "rotation").rglob("*.py"))
    for name in names:
        assert f'"{name}"' in code, f"the function reads no environment variable {name}"

    # Push subscriptions deliver (test_terraform_delivery.py): no Eventarc trigger.
    assert "event_trigger" not in function
    assert not module.of_type("google_eventarc_trigger")
    assert re.search(r"^@functions_framework\.cloud_event\n", main, re.MULTILINE), (
        "an HTTP-triggered function must declare its CloudEvent signature itself"
    )

    invoker = module.resource("google_cloud_run_v2_service_iam_member.trigger_invoker")
    assert invoker["role"] == "roles/run.invoker"
    assert invoker["name"] == "${google_cloudfunctions2_function.rotator.service_config[0].service}"
    assert invoker["member"] == "serviceAccount:${google_service_account.trigger.email}"


def test_source_bucket() -> None:
    bucket = load_module(ROTATOR).resource("google_storage_bucket.source")
    assert bucket["uniform_bucket_level_access"] is True
    assert bucket["public_access_prevention"] == "enforced"
    assert block(bucket, "versioning")["enabled"] is True
