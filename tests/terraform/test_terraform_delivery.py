"""The rotator's delivery (issue #16, items 2 and 3): only SECRET_ROTATE reaches the function, by a
filtered Pub/Sub push subscription with an OIDC token, an explicit backoff and a dead-letter
topic with an alert; the audit's Cloud Scheduler job and its own filtered subscription. Read from
terraform/modules/rotator; the bounds of max_delivery_attempts evaluated by Terraform itself."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rotation.core import events
from tests.terraform.console import _console, needs_terraform
from tests.terraform.hcl import ROTATOR, TERRAFORM, block, load_module

# The contract of issue #16 (notes: contract-16.md), which the function's decoding follows.
AUDIT_EVENT_TYPE = "TOKEN_ROTATOR_AUDIT"
PUSH_SUBSCRIPTIONS = {
    "events": ("google_pubsub_topic.events", 'attributes.eventType = "SECRET_ROTATE"'),
    "audit": ("google_pubsub_topic.audit", 'attributes.eventType = "${local.audit_event_type}"'),
}


@pytest.mark.parametrize("name", sorted(PUSH_SUBSCRIPTIONS))
def test_push_subscription(name: str) -> None:
    module = load_module(ROTATOR)
    topic, expected_filter = PUSH_SUBSCRIPTIONS[name]
    subscription = module.resource(f"google_pubsub_subscription.{name}")
    assert subscription["topic"] == f"${{{topic}.id}}"
    assert subscription["filter"] == expected_filter
    push = block(subscription, "push_config")
    assert push["push_endpoint"] == "${local.function_url}"
    oidc = block(push, "oidc_token")
    assert oidc["service_account_email"] == "${google_service_account.trigger.email}"
    assert oidc["audience"] == "${local.function_url}"
    retry = block(subscription, "retry_policy")
    assert (retry["minimum_backoff"], retry["maximum_backoff"]) == (
        "${local.retry_minimum_backoff}",
        "${local.retry_maximum_backoff}",
    )
    dead_letter = block(subscription, "dead_letter_policy")
    assert dead_letter["dead_letter_topic"] == "${google_pubsub_topic.dead_letter.id}"
    assert dead_letter["max_delivery_attempts"] == "${var.max_delivery_attempts}"
    # A month between rotations must not expire the subscription.
    assert block(subscription, "expiration_policy")["ttl"] == ""
    # Pub/Sub acknowledges a dead letter on the subscription it came from.
    subscriber = module.resource("google_pubsub_subscription_iam_member.pubsub_agent_subscriber")
    assert subscriber["for_each"][name] == f"${{google_pubsub_subscription.{name}.name}}"
    assert subscriber["role"] == "roles/pubsub.subscriber"
    assert subscriber["member"] == "${local.pubsub_agent}"


def test_the_filters_name_the_function_s_event_types() -> None:
    module = load_module(ROTATOR)
    assert events.SECRET_ROTATE in module.resource("google_pubsub_subscription.events")["filter"]
    assert module.locals["audit_event_type"] == AUDIT_EVENT_TYPE
    assert getattr(events, "AUDIT", AUDIT_EVENT_TYPE) == AUDIT_EVENT_TYPE


def test_backoff_is_10s_to_600s_and_the_endpoint_is_the_function_s_url() -> None:
    local_values = load_module(ROTATOR).locals
    assert (local_values["retry_minimum_backoff"], local_values["retry_maximum_backoff"]) == (
        "10s",
        "600s",
    )
    assert local_values["function_url"] == (
        "${google_cloudfunctions2_function.rotator.service_config[0].uri}"
    )


def test_dead_letters_are_kept_published_and_alerted() -> None:
    module = load_module(ROTATOR)
    publisher = module.resource("google_pubsub_topic_iam_member.pubsub_agent_dead_letter_publisher")
    assert publisher["topic"] == "${google_pubsub_topic.dead_letter.name}"
    assert publisher["role"] == "roles/pubsub.publisher"
    assert publisher["member"] == "${local.pubsub_agent}"
    hold = module.resource("google_pubsub_subscription.dead_letter")
    assert hold["topic"] == "${google_pubsub_topic.dead_letter.id}"
    assert "push_config" not in hold  # pulled by a person
    alert = module.resource("google_monitoring_alert_policy.dead_letter")
    assert alert["notification_channels"] == "${var.notification_channels}"
    condition = block(block(alert, "conditions"), "condition_threshold")
    assert "pubsub.googleapis.com/topic/send_message_operation_count" in condition["filter"]
    assert "${google_pubsub_topic.dead_letter.name}" in condition["filter"]
    assert condition["comparison"] == "COMPARISON_GT"
    assert condition["threshold_value"] == 0
    assert "dead_letter" in module.outputs["alert_policies"]["value"]


def test_the_audit_is_scheduled_to_its_topic() -> None:
    module = load_module(ROTATOR)
    job = module.resource("google_cloud_scheduler_job.audit")
    assert job["schedule"] == "${var.audit_schedule}"
    target = block(job, "pubsub_target")
    assert target["topic_name"] == "${google_pubsub_topic.audit.id}"
    assert target["attributes"] == {"eventType": "${local.audit_event_type}"}
    assert target["data"] == "${base64encode(jsonencode({projects = var.audit_projects}))}"
    variables = module.variables
    assert variables["audit_schedule"]["default"] == "0 6 * * *"  # daily
    assert variables["audit_projects"]["default"] == []  # the function's ALLOWED_PROJECTS
    assert variables["max_delivery_attempts"]["default"] == 10


def test_no_eventarc_and_no_monitoring_file_of_this_helper() -> None:
    """The old terraform/monitoring.tf went with the split; nothing outside the rotator
    declares monitoring."""
    assert not (TERRAFORM / "monitoring.tf").exists()
    for directory in (TERRAFORM, ROTATOR):
        assert not load_module(directory).of_type("google_eventarc_trigger")


@pytest.fixture
def rotator_variables(tmp_path: Path) -> Path:
    shutil.copy(ROTATOR / "variables.tf", tmp_path / "variables.tf")
    return tmp_path


@needs_terraform
@pytest.mark.parametrize("attempts", [5, 10, 100])
def test_max_delivery_attempts_accepted(rotator_variables: Path, attempts: int) -> None:
    values = {"project_id": "rotator-test-1", "max_delivery_attempts": attempts}
    code, output = _console(rotator_variables, "var.max_delivery_attempts", values)
    assert code == 0 and "Error:" not in output, output
    assert output.strip().splitlines()[-1] == str(attempts)


@needs_terraform
@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"max_delivery_attempts": 4},
            "max_delivery_attempts must be a whole number from 5 to 100",
        ),
        ({"max_delivery_attempts": 101}, "max_delivery_attempts must be a whole number from 5"),
        ({"max_delivery_attempts": 7.5}, "max_delivery_attempts"),
        ({"audit_schedule": "daily"}, "audit_schedule must be a cron schedule"),
        ({"events_topic_name": "goog-events"}, "events_topic_name"),
    ],
    ids=lambda case: str(case) if isinstance(case, dict) else "",
)
def test_rotator_variables_refused(rotator_variables: Path, values: dict, message: str) -> None:
    _, output = _console(
        rotator_variables, "var.project_id", {"project_id": "rotator-test-1", **values}
    )
    assert "Error: Invalid value for variable" in output, f"accepted {values}: {output}"
    assert message in " ".join(output.split()), output


def test_the_repository_projects_are_the_other_ones() -> None:
    role = load_module(ROTATOR).resource("google_project_iam_custom_role.repository")
    [precondition] = role["lifecycle"][0]["precondition"]
    assert precondition["condition"] == "${!contains(var.repository_projects, var.project_id)}"
