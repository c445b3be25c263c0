locals {
  source_root        = coalesce(var.source_root, abspath("${path.module}/../../.."))
  source_bucket_name = coalesce(var.source_bucket_name, "${var.project_id}-${var.function_name}-src")

  # The upload holds main.py, requirements.txt and the rotation package without its command line
  # (rotation/cli and rotation/__main__.py, which the function never imports), nothing else: no
  # tests, emulator, bench, terraform, virtualenvs or bytecode.
  source_files = concat(
    ["main.py", "requirements.txt"],
    [
      for file in sort(fileset("${local.source_root}/rotation", "**")) : "rotation/${file}"
      if !startswith(file, "cli/") && file != "__main__.py" && !strcontains(file, "__pycache__") && !endswith(file, ".pyc") && !startswith(file, ".") && !strcontains(file, "/.")
    ],
  )
}

data "archive_file" "source" {
  type             = "zip"
  output_path      = "${path.root}/.terraform/tmp/${var.function_name}-source.zip"
  output_file_mode = "0644"

  dynamic "source" {
    for_each = local.source_files
    content {
      filename = source.value
      content  = file("${local.source_root}/${source.value}")
    }
  }
}

resource "google_storage_bucket" "source" {
  #checkov:skip=CKV_GCP_62:Holds only the function's source archives; access is recorded by Cloud Audit Logs, and usage logs go to var.source_bucket_log_bucket when one is given.
  project                     = var.project_id
  name                        = local.source_bucket_name
  location                    = var.region
  labels                      = local.labels
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  # Only build inputs live here; they go with the module.
  force_destroy = true

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 30
    }
    action {
      type = "Delete"
    }
  }

  dynamic "logging" {
    for_each = var.source_bucket_log_bucket == null ? [] : [var.source_bucket_log_bucket]
    content {
      log_bucket = logging.value
    }
  }

  lifecycle {
    precondition {
      condition     = length(local.source_bucket_name) <= 63
      error_message = "The source bucket's name ${local.source_bucket_name} is longer than 63 characters: set source_bucket_name."
    }
  }

  depends_on = [google_project_service.this]
}

resource "google_storage_bucket_object" "source" {
  # Named after its content, so a code change makes a new object and redeploys the function.
  name         = "${var.function_name}/${data.archive_file.source.output_sha256}.zip"
  bucket       = google_storage_bucket.source.name
  source       = data.archive_file.source.output_path
  content_type = "application/zip"
}

resource "google_cloudfunctions2_function" "rotator" {
  project     = var.project_id
  location    = var.region
  name        = var.function_name
  description = "Rotates the upstream tokens of the secrets that name it on SECRET_ROTATE; audits them on TOKEN_ROTATOR_AUDIT."
  labels      = local.labels

  build_config {
    runtime         = "python311"
    entry_point     = "on_secret_event"
    service_account = var.build_service_account

    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.function.email
    available_memory                 = var.available_memory
    timeout_seconds                  = var.timeout_seconds
    min_instance_count               = 0
    max_instance_count               = var.max_instance_count
    max_instance_request_concurrency = 1
    # Pub/Sub push deliveries from the same project count as internal traffic.
    ingress_settings               = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true

    environment_variables = merge(
      {
        MAX_EVENT_AGE = var.max_event_age
        LOG_LEVEL     = var.log_level
      },
      # Unset means no restriction.
      length(local.allowed_projects) > 0 ? { ALLOWED_PROJECTS = join(",", local.allowed_projects) } : {},
      # Unset: only the hosts of the repositories' own upstream URLs.
      length(var.allowed_upstream_hosts) > 0 ? { ALLOWED_UPSTREAM_HOSTS = join(",", var.allowed_upstream_hosts) } : {},
    )
  }

  # No event_trigger: Pub/Sub push subscriptions (delivery.tf, audit.tf) call the function's URL,
  # and the Functions Framework turns each push into a CloudEvent (main.py's @cloud_event).

  # The first rotation may come minutes after apply: let the function's access be in place first.
  depends_on = [
    google_project_service.this,
    google_project_iam_member.function_project,
  ]
}
