# The watchdog: Cloud Scheduler publishes an audit message on audit_schedule; a second push
# subscription, filtered on its eventType, delivers it to the same function, which checks every
# managed secret of the projects named in the message (none: the function's ALLOWED_PROJECTS).

locals {
  audit_event_type = "TOKEN_ROTATOR_AUDIT"
}

resource "google_pubsub_topic" "audit" {
  project      = var.project_id
  name         = var.audit_topic_name
  labels       = local.labels
  kms_key_name = var.topic_kms_key_name

  message_retention_duration = "172800s"

  depends_on = [google_project_service.this]
}

resource "google_cloud_scheduler_job" "audit" {
  project     = var.project_id
  region      = var.region
  name        = "${var.function_name}-audit"
  description = "Starts the audit of the secrets ${var.function_name} rotates."
  schedule    = var.audit_schedule
  time_zone   = var.audit_time_zone

  pubsub_target {
    topic_name = google_pubsub_topic.audit.id
    data       = base64encode(jsonencode({ projects = var.audit_projects }))
    attributes = {
      eventType = local.audit_event_type
    }
  }

  depends_on = [google_project_service.this]
}

resource "google_pubsub_subscription" "audit" {
  project = var.project_id
  name    = "${var.audit_topic_name}-push"
  topic   = google_pubsub_topic.audit.id
  labels  = local.labels

  filter = "attributes.eventType = \"${local.audit_event_type}\""

  ack_deadline_seconds       = var.timeout_seconds
  message_retention_duration = "86400s"

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

  expiration_policy {
    ttl = ""
  }

  depends_on = [
    google_cloud_run_v2_service_iam_member.trigger_invoker,
    google_service_account_iam_member.pubsub_token_creator,
  ]
}
