# The remote Python repository whose upstream credential the function rotates.
resource "google_artifact_registry_repository" "remote" {
  project       = var.project_id
  location      = var.region
  repository_id = var.repository_id
  description   = "Remote Python repository; upstream token rotated by ${var.function_name}"
  format        = "PYTHON"
  mode          = "REMOTE_REPOSITORY"
  labels        = local.labels
  kms_key_name  = var.repository_kms_key_name

  remote_repository_config {
    description                 = var.upstream_uri == null ? "PyPI" : var.upstream_uri
    disable_upstream_validation = var.disable_upstream_validation

    dynamic "python_repository" {
      for_each = var.upstream_uri == null ? ["PYPI"] : []
      content {
        public_repository = python_repository.value
      }
    }

    dynamic "common_repository" {
      for_each = var.upstream_uri == null ? [] : [var.upstream_uri]
      content {
        uri = common_repository.value
      }
    }

    upstream_credentials {
      username_password_credentials {
        username                = var.upstream_username
        password_secret_version = "${google_secret_manager_secret.token.id}/versions/${var.initial_secret_version}"
      }
    }
  }

  lifecycle {
    # The function points the repository at each new version.
    ignore_changes = [
      remote_repository_config[0].upstream_credentials[0].username_password_credentials[0].password_secret_version,
    ]
  }

  # The service agent must be able to read the secret before the repository refers to it.
  depends_on = [google_secret_manager_secret_iam_member.registry_agent_accessor]
}
