# Delivery of Secret Manager's events. Every secret of ../rotated-secret lists the events topic in
# its `topics`; Secret Manager publishes every change of the secret there (SECRET_ROTATE and the
# function's own writes: claim, new version, pending, disable, finish). The push subscription's
# filter lets only SECRET_ROTATE through, so the function's own writes never wake it up.

locals {
  # The function's URL: the push endpoint, and the OIDC token's audience.
  function_url = google_cloudfunctions2_function.rotator.service_config[0].uri

  # The push subscriptions' backoff between redeliveries of a failed (non-2xx) push.
  retry_minimum_backoff = "10s"
  retry_maximum_backoff = "600s"
}

resource "google_pubsub_topic" "events" {
  project      = var.project_id
  name         = var.events_topic_name
  labels       = local.labels
  kms_key_name = var.topic_kms_key_name

  # Undelivered events are retried for up to max_event_age (a day by default); keep them a little
  # longer.
  message_retention_duration = "172800s"

  depends_on = [google_project_service.this]
}

# Secret Manager checks that it can publish to the topic when a secret naming it is created. One
# grant for every secret of the project (a grant per secret would be removed with the first
# secret destroyed: google_pubsub_topic_iam_member bindings are shared).
resource "google_pubsub_topic_iam_member" "secret_manager_publisher" {
  project = var.project_id
  topic   = google_pubsub_topic.events.name
  role    = "roles/pubsub.publisher"
  member  = local.secret_manager_agent

  depends_on = [google_project_service_identity.secret_manager]
}

resource "google_pubsub_subscription" "events" {
  project = var.project_id
  name    = "${var.events_topic_name}-push"
  topic   = google_pubsub_topic.events.id
  labels  = local.labels

  # Only SECRET_ROTATE reaches the function (the filter cannot be changed after creation).
  filter = "attributes.eventType = \"SECRET_ROTATE\""

  # A rotation may take up to the function's timeout before it answers the push.
  ack_deadline_seconds       = var.timeout_seconds
  message_retention_duration = "604800s"

  push_config {
    push_endpoint = local.function_url

    oidc_token {
      service_account_email = google_service_account.trigger.email
      audience              = local.function_url
    }
  }

  retry_policy {
    minimum_backoff = local.retry_minimum_backoff
    maximum_backoff = local.retry_maximum_backoff
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = var.max_delivery_attempts
  }

  # Rotations may be a month apart: never delete the subscription for inactivity.
  expiration_policy {
    ttl = ""
  }

  depends_on = [
    google_cloud_run_v2_service_iam_member.trigger_invoker,
    google_service_account_iam_member.pubsub_token_creator,
  ]
}

# --- Dead letters --------------------------------------------------------------------------------

# Deliveries that failed max_delivery_attempts times (events and audits) land here, and the
# alert below opens an incident.
resource "google_pubsub_topic" "dead_letter" {
  project      = var.project_id
  name         = var.dead_letter_topic_name
  labels       = local.labels
  kms_key_name = var.topic_kms_key_name

  message_retention_duration = "604800s"

  depends_on = [google_project_service.this]
}

# Holds the dead letters for a person to read (a topic without a subscription drops them):
# gcloud pubsub subscriptions pull ... --auto-ack.
resource "google_pubsub_subscription" "dead_letter" {
  project = var.project_id
  name    = "${var.dead_letter_topic_name}-hold"
  topic   = google_pubsub_topic.dead_letter.id
  labels  = local.labels

  message_retention_duration = "604800s"
  ack_deadline_seconds       = 60

  expiration_policy {
    ttl = ""
  }
}

# Pub/Sub's service agent forwards undeliverable messages: it publishes to the dead-letter topic
# and acknowledges them on the subscriptions they came from.
resource "google_pubsub_topic_iam_member" "pubsub_agent_dead_letter_publisher" {
  project = var.project_id
  topic   = google_pubsub_topic.dead_letter.name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_agent

  depends_on = [google_project_service_identity.pubsub]
}

resource "google_pubsub_subscription_iam_member" "pubsub_agent_subscriber" {
  for_each = {
    events = google_pubsub_subscription.events.name
    audit  = google_pubsub_subscription.audit.name
  }

  project      = var.project_id
  subscription = each.value
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent

  depends_on = [google_project_service_identity.pubsub]
}

resource "google_monitoring_alert_policy" "dead_letter" {
  project               = var.project_id
  display_name          = "Token rotator: undeliverable event (${var.function_name})"
  combiner              = "OR"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "a message reached ${var.dead_letter_topic_name}"

    condition_threshold {
      filter          = "metric.type=\"pubsub.googleapis.com/topic/send_message_operation_count\" AND resource.type=\"pubsub_topic\" AND resource.labels.topic_id=\"${google_pubsub_topic.dead_letter.name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }

      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = var.alert_auto_close
  }

  documentation {
    mime_type = "text/markdown"
    content   = <<-EOT
      A SECRET_ROTATE or audit message could not be delivered to ${var.function_name} after
      ${var.max_delivery_attempts} attempts (backoff ${local.retry_minimum_backoff} to
      ${local.retry_maximum_backoff}) and went to `${google_pubsub_topic.dead_letter.name}`.
      The secret named in it was not rotated (or the audit did not run).

      Read the dead letters (the secretId attribute names the secret):
      `gcloud pubsub subscriptions pull ${google_pubsub_subscription.dead_letter.name} --project ${var.project_id} --limit 10`

      Then the function's errors:
      `gcloud logging read 'resource.type="cloud_run_revision" AND resource.labels.service_name="${var.function_name}" AND severity>=ERROR' --project ${var.project_id} --freshness 1d`

      Once the cause is fixed, rotate the secret again: `ar-token-rotator republish SECRET --wait`.
    EOT
  }

  depends_on = [google_project_service.this]
}
