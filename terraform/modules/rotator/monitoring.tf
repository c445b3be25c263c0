# Log-based metrics, alert policies and the dashboard of the rotator.
#
# The function logs one JSON object per line to stdout, which Cloud Logging stores as jsonPayload on
# the function's Cloud Run revision. Every event has `event`, `severity`, `message` and `secret`
# (the secret's full name); the events and fields these metrics read:
#   rotation_completed (INFO):  source, duration_seconds, repoints, token_expires_in_days (absent
#                               when unknown), trigger
#   rotation_failed (ERROR):    source (when known), trigger
#   audit findings:             one event per finding, `event` = `finding` = the finding's name,
#                               with remedy and detail (local.audit_findings: names and severities)
#   audit_checked (INFO):       one per secret and audit: source, findings, token_expires_in_days
#   audit_completed (INFO):     one per audit run: secrets, findings, projects

locals {
  # Each finding an audit can log, with the severity it is logged at.
  audit_findings = {
    rotation_overdue     = "WARNING"
    token_expiring       = "ERROR"
    drift_detected       = "WARNING"
    rotation_unfinished  = "WARNING"
    rotation_failed_last = "ERROR"
    schedule_missing     = "WARNING"
    topic_missing        = "WARNING"
  }

  # The Logging query clause that selects every finding event.
  audit_finding_events = join(" OR ", [for name in sort(keys(local.audit_findings)) : "jsonPayload.event=\"${name}\""])

  # Monitoring filter clauses (metric.label.finding) for the two finding alerts.
  audit_error_findings   = join(", ", [for name, severity in local.audit_findings : jsonencode(name) if severity == "ERROR"])
  audit_warning_findings = join(", ", [for name, severity in local.audit_findings : jsonencode(name) if severity != "ERROR"])

  # Twice the audit interval, within the 24.5 hours Cloud Monitoring allows an absence condition.
  audit_absence_seconds = min(2 * var.audit_interval_hours * 3600, 88200)

  # The function's own log entries: its Cloud Run service's revisions.
  monitoring_log_filter = join(" AND ", [
    "resource.type=\"cloud_run_revision\"",
    "resource.labels.service_name=\"${google_cloudfunctions2_function.rotator.service_config[0].service}\"",
  ])

  # Every metric's type, which the alert policies and the dashboard query.
  metric_types = {
    rotations_completed   = "logging.googleapis.com/user/${google_logging_metric.rotations_completed.name}"
    rotations_failed      = "logging.googleapis.com/user/${google_logging_metric.rotations_failed.name}"
    rotation_duration     = "logging.googleapis.com/user/${google_logging_metric.rotation_duration.name}"
    repoints              = "logging.googleapis.com/user/${google_logging_metric.repoints.name}"
    token_expires_in_days = "logging.googleapis.com/user/${google_logging_metric.token_expires_in_days.name}"
    audit_findings        = "logging.googleapis.com/user/${google_logging_metric.audit_findings.name}"
    audit_completed       = "logging.googleapis.com/user/${google_logging_metric.audit_completed.name}"
  }

  # How to read the rotator's recent log events, for the alerts' documentation.
  monitoring_logs_command = "gcloud logging read 'resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${var.function_name}\" AND jsonPayload.event:*' --project ${var.project_id} --freshness 1d"
}

# ---------------------------------------------------------------------------------------------------
# Rotations
# ---------------------------------------------------------------------------------------------------

resource "google_logging_metric" "rotations_completed" {
  project     = var.project_id
  name        = "${var.function_name}/rotations_completed"
  description = "Completed token rotations of ${var.function_name}, by secret and source."
  filter      = join(" AND ", [local.monitoring_log_filter, "jsonPayload.event=\"rotation_completed\""])

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Completed token rotations (${var.function_name})"

    labels {
      key         = "secret"
      value_type  = "STRING"
      description = "The secret's full name."
    }
    labels {
      key         = "source"
      value_type  = "STRING"
      description = "Where the token comes from (token-rotator.source)."
    }
  }

  label_extractors = {
    secret = "EXTRACT(jsonPayload.secret)"
    source = "EXTRACT(jsonPayload.source)"
  }

  depends_on = [google_project_service.this]
}

resource "google_logging_metric" "rotations_failed" {
  project     = var.project_id
  name        = "${var.function_name}/rotations_failed"
  description = "Failed token rotations of ${var.function_name}, by secret and source."
  filter = join(" AND ", [
    local.monitoring_log_filter,
    "jsonPayload.event=\"rotation_failed\"",
    "severity>=ERROR",
  ])

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Failed token rotations (${var.function_name})"

    labels {
      key         = "secret"
      value_type  = "STRING"
      description = "The secret's full name."
    }
    labels {
      key         = "source"
      value_type  = "STRING"
      description = "Where the token comes from (empty when the failure came before it was known)."
    }
  }

  label_extractors = {
    secret = "EXTRACT(jsonPayload.secret)"
    source = "EXTRACT(jsonPayload.source)"
  }

  depends_on = [google_project_service.this]
}

resource "google_logging_metric" "rotation_duration" {
  project     = var.project_id
  name        = "${var.function_name}/rotation_duration"
  description = "How long the completed rotations of ${var.function_name} took, from claim to finish."
  filter      = join(" AND ", [local.monitoring_log_filter, "jsonPayload.event=\"rotation_completed\""])

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "DISTRIBUTION"
    unit         = "s"
    display_name = "Token rotation duration (${var.function_name})"

    labels {
      key         = "secret"
      value_type  = "STRING"
      description = "The secret's full name."
    }
    labels {
      key         = "source"
      value_type  = "STRING"
      description = "Where the token comes from (token-rotator.source)."
    }
  }

  value_extractor = "EXTRACT(jsonPayload.duration_seconds)"
  label_extractors = {
    secret = "EXTRACT(jsonPayload.secret)"
    source = "EXTRACT(jsonPayload.source)"
  }

  # 0.5 s to about 4.5 hours; a rotation may not run longer than the function's timeout.
  bucket_options {
    exponential_buckets {
      num_finite_buckets = 15
      growth_factor      = 2
      scale              = 0.5
    }
  }

  depends_on = [google_project_service.this]
}

resource "google_logging_metric" "repoints" {
  project     = var.project_id
  name        = "${var.function_name}/repoints"
  description = "Repositories each completed rotation of ${var.function_name} moved to the new version."
  filter      = join(" AND ", [local.monitoring_log_filter, "jsonPayload.event=\"rotation_completed\""])

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "DISTRIBUTION"
    unit         = "1"
    display_name = "Repositories moved per rotation (${var.function_name})"

    labels {
      key         = "secret"
      value_type  = "STRING"
      description = "The secret's full name."
    }
  }

  value_extractor = "EXTRACT(jsonPayload.repoints)"
  label_extractors = {
    secret = "EXTRACT(jsonPayload.secret)"
  }

  # One bucket per repository count from 0 to 19, then 20 and more.
  bucket_options {
    linear_buckets {
      num_finite_buckets = 20
      width              = 1
      offset             = 0
    }
  }

  depends_on = [google_project_service.this]
}

resource "google_logging_metric" "token_expires_in_days" {
  project     = var.project_id
  name        = "${var.function_name}/token_expires_in_days"
  description = "Days until the token in use expires, as rotations of ${var.function_name} and audits report it (neither reports an expiry it does not know)."
  filter = join(" AND ", [
    local.monitoring_log_filter,
    "(jsonPayload.event=\"rotation_completed\" OR jsonPayload.event=\"audit_checked\")",
    "jsonPayload.token_expires_in_days:*",
  ])

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "DISTRIBUTION"
    unit         = "d"
    display_name = "Days until the token in use expires (${var.function_name})"

    labels {
      key         = "secret"
      value_type  = "STRING"
      description = "The secret's full name."
    }
    labels {
      key         = "source"
      value_type  = "STRING"
      description = "Where the token comes from (token-rotator.source)."
    }
  }

  value_extractor = "EXTRACT(jsonPayload.token_expires_in_days)"
  label_extractors = {
    secret = "EXTRACT(jsonPayload.secret)"
    source = "EXTRACT(jsonPayload.source)"
  }

  bucket_options {
    explicit_buckets {
      bounds = [0, 1, 3, 7, 14, 30, 60, 90, 180, 365]
    }
  }

  depends_on = [google_project_service.this]
}

# ---------------------------------------------------------------------------------------------------
# Audits
# ---------------------------------------------------------------------------------------------------

resource "google_logging_metric" "audit_findings" {
  project     = var.project_id
  name        = "${var.function_name}/audit_findings"
  description = "Findings of the audits of ${var.function_name}, by finding and secret."
  filter      = join(" AND ", [local.monitoring_log_filter, "(${local.audit_finding_events})"])

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Audit findings (${var.function_name})"

    labels {
      key         = "finding"
      value_type  = "STRING"
      description = "The finding: rotation_overdue, token_expiring, drift_detected, rotation_unfinished, rotation_failed_last, schedule_missing or topic_missing."
    }
    labels {
      key         = "secret"
      value_type  = "STRING"
      description = "The secret's full name."
    }
  }

  label_extractors = {
    finding = "EXTRACT(jsonPayload.finding)"
    secret  = "EXTRACT(jsonPayload.secret)"
  }

  depends_on = [google_project_service.this]
}

resource "google_logging_metric" "audit_completed" {
  project     = var.project_id
  name        = "${var.function_name}/audit_completed"
  description = "Completed audit runs of ${var.function_name}."
  filter      = join(" AND ", [local.monitoring_log_filter, "jsonPayload.event=\"audit_completed\""])

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Completed audits (${var.function_name})"
  }

  depends_on = [google_project_service.this]
}

# ---------------------------------------------------------------------------------------------------
# Alert policies
# ---------------------------------------------------------------------------------------------------

# One incident per secret whose rotation failed.
resource "google_monitoring_alert_policy" "rotation_failed" {
  project               = var.project_id
  display_name          = "Token rotation failed (${var.function_name})"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "rotation_failed logged by ${var.function_name}"

    condition_threshold {
      filter          = "metric.type=\"${local.metric_types.rotations_failed}\" AND resource.type=\"cloud_run_revision\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.secret"]
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
    subject   = "Token rotation failed: $${metric.label.secret}"
    content   = <<-EOT
      The token rotator ${var.function_name} failed to rotate the upstream token in secret
      `$${metric.label.secret}`. Pub/Sub redelivers the SECRET_ROTATE message with backoff until
      it is dead-lettered; the repositories keep using the token they have (`current`).

      Remedy:
      1. `ar-token-rotator status $${metric.label.secret}` shows the failed step, its error and
         what to do about it.
      2. Fix the cause (the upstream's credentials, an IAM binding, an annotation), then
         `ar-token-rotator republish $${metric.label.secret} --wait` lets the function rotate again
         (`--force` within the secret's min-interval).
      3. `ar-token-rotator audit --project ${var.project_id}` checks every managed secret.

      The failures: `${local.monitoring_logs_command}`
    EOT
  }
}

# An ERROR finding: the token in use is about to expire, or the last rotation failed.
resource "google_monitoring_alert_policy" "audit_finding_error" {
  project               = var.project_id
  display_name          = "Token rotator audit: token expiring or rotation failed (${var.function_name})"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "token_expiring or rotation_failed_last found by an audit of ${var.function_name}"

    condition_threshold {
      filter          = "metric.type=\"${local.metric_types.audit_findings}\" AND resource.type=\"cloud_run_revision\" AND metric.label.finding=one_of(${local.audit_error_findings})"
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.finding", "metric.label.secret"]
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
    subject   = "Token rotator audit: $${metric.label.finding} on $${metric.label.secret}"
    content   = <<-EOT
      An audit by ${var.function_name} found `$${metric.label.finding}` on secret
      `$${metric.label.secret}`. The log event carries the finding's `detail` and `remedy`.

      - `token_expiring`: the token in use expires within the audit's threshold. Rotate now:
        `ar-token-rotator republish $${metric.label.secret} --force --wait`, then check that the
        secret's period is shorter than the token's lifetime (token-lifetime).
      - `rotation_failed_last`: the last rotation failed and none completed since.
        `ar-token-rotator status $${metric.label.secret}` shows the step and the error; fix it,
        then `ar-token-rotator republish $${metric.label.secret} --wait`.

      `ar-token-rotator audit --project ${var.project_id}` repeats the audit (exit code 0 once
      nothing is found); the findings: `${local.monitoring_logs_command}`
    EOT
  }
}

# A WARNING finding: overdue, drifted, unfinished, or a missing schedule or topic.
resource "google_monitoring_alert_policy" "audit_finding_warning" {
  project               = var.project_id
  display_name          = "Token rotator audit: secret needs attention (${var.function_name})"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "a WARNING finding of an audit of ${var.function_name}"

    condition_threshold {
      filter          = "metric.type=\"${local.metric_types.audit_findings}\" AND resource.type=\"cloud_run_revision\" AND metric.label.finding=one_of(${local.audit_warning_findings})"
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.finding", "metric.label.secret"]
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
    subject   = "Token rotator audit: $${metric.label.finding} on $${metric.label.secret}"
    content   = <<-EOT
      An audit by ${var.function_name} found `$${metric.label.finding}` on secret
      `$${metric.label.secret}`. The log event carries the finding's `detail` and `remedy`;
      `ar-token-rotator status $${metric.label.secret}` shows the secret.

      - `rotation_overdue`: no rotation completed within the period plus the grace. Check that
        SECRET_ROTATE reaches the function (the push subscription, its dead-letter topic), then
        `ar-token-rotator republish $${metric.label.secret} --wait`.
      - `drift_detected`: a repository is not on `current`, or on a version that is not ENABLED,
        or its service agent cannot read the secret. `status` names it; a rotation (`republish`)
        moves every repository, `terraform apply` restores the agent's access.
      - `rotation_unfinished`: a rotation started and did not finish. `status` shows its step and
        lease; after the lease, `ar-token-rotator republish $${metric.label.secret} --wait`
        resumes it.
      - `schedule_missing`, `topic_missing`: the secret lost its rotation schedule or the
        rotator's events topic, so no rotation will be announced. `terraform apply` of the
        secret's rotated-secret module restores them.

      `ar-token-rotator audit --project ${var.project_id}` repeats the audit (exit code 0 once
      nothing is found); the findings: `${local.monitoring_logs_command}`
    EOT
  }
}

# The watchdog's watchdog: rotation silently stops when the audits stop too.
resource "google_monitoring_alert_policy" "audits_stopped" {
  project               = var.project_id
  display_name          = "Token rotator audits stopped (${var.function_name})"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "no audit_completed from ${var.function_name} for ${local.audit_absence_seconds / 3600} hours"

    condition_absent {
      filter   = "metric.type=\"${local.metric_types.audit_completed}\" AND resource.type=\"cloud_run_revision\""
      duration = "${local.audit_absence_seconds}s"

      # Summed over the service's revisions: a new revision ends the old one's series.
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.label.service_name"]
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
    subject   = "Token rotator audits stopped (${var.function_name})"
    content   = <<-EOT
      No audit of ${var.function_name} completed for ${local.audit_absence_seconds / 3600} hours
      (audits are expected every ${var.audit_interval_hours} hours). Nothing now notices a
      rotation that silently stopped.

      Remedy:
      1. Check the Cloud Scheduler job that publishes TOKEN_ROTATOR_AUDIT (paused, deleted, or
         failing to publish), the audit topic's push subscription, and the function's recent
         errors: `${local.monitoring_logs_command}`
      2. Run the audit by hand meanwhile: `ar-token-rotator audit --project ${var.project_id}`,
         and `ar-token-rotator status --project ${var.project_id}` for every managed secret.
      3. `terraform apply` of the rotator module restores the job and the subscription.
    EOT
  }
}

# ---------------------------------------------------------------------------------------------------
# Dashboard
# ---------------------------------------------------------------------------------------------------

# dashboard.json.tftpl is written in the form the Monitoring API returns (explicit defaults, no zero
# tile positions), which keeps the provider's JSON comparison from reporting changes after apply
# (hashicorp/terraform-provider-google#16173).
resource "google_monitoring_dashboard" "rotator" {
  project = var.project_id
  dashboard_json = templatefile("${path.module}/dashboard.json.tftpl", {
    function_name = var.function_name
    project_id    = var.project_id
    metric_types  = local.metric_types
  })

  depends_on = [google_project_service.this]
}

# For the module's outputs (outputs.tf): the alert policies' and the dashboard's names.
locals {
  monitoring_alert_policies = {
    rotation_failed       = google_monitoring_alert_policy.rotation_failed.name
    audit_finding_error   = google_monitoring_alert_policy.audit_finding_error.name
    audit_finding_warning = google_monitoring_alert_policy.audit_finding_warning.name
    audits_stopped        = google_monitoring_alert_policy.audits_stopped.name
  }
  monitoring_dashboard = google_monitoring_dashboard.rotator.id
}
