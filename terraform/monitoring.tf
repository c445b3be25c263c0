# A failed rotation logs {"severity": "ERROR", "event": "rotation_failed", ...} to stdout, which
# Cloud Logging stores as jsonPayload on the function's Cloud Run revision.
resource "google_logging_metric" "rotation_failed" {
  project     = var.project_id
  name        = "${var.function_name}/rotation_failed"
  description = "Failed token rotations of ${var.function_name}."
  filter = join(" AND ", [
    "resource.type=\"cloud_run_revision\"",
    "resource.labels.service_name=\"${google_cloudfunctions2_function.rotator.service_config[0].service}\"",
    "jsonPayload.event=\"rotation_failed\"",
    "severity>=ERROR",
  ])

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Failed token rotations (${var.function_name})"
  }

  depends_on = [google_project_service.this]
}

resource "google_monitoring_alert_policy" "rotation_failed" {
  project               = var.project_id
  display_name          = "Token rotation failed: ${var.secret_id}"
  combiner              = "OR"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "rotation_failed logged by ${var.function_name}"

    condition_threshold {
      filter          = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.rotation_failed.name}\" AND resource.type=\"cloud_run_revision\""
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
      The token rotator ${var.function_name} failed to rotate the upstream token in secret
      `${var.secret_id}` (repository `${var.repository_id}`). Eventarc retries the event with
      backoff for up to ${var.max_event_age}; the repository keeps using the previous token.

      Read the failures:
      `gcloud logging read 'resource.type="cloud_run_revision" AND resource.labels.service_name="${var.function_name}" AND jsonPayload.event="rotation_failed"' --project ${var.project_id} --freshness 1d`
    EOT
  }
}
