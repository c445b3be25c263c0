# The function's bindings on exactly this secret, the secrets it reads, and these repositories,
# with the rotator's custom roles (../rotator/iam.tf).

locals {
  function_member = "serviceAccount:${var.rotator.function_service_account_email}"
}

resource "google_secret_manager_secret_iam_member" "function_secret" {
  project   = local.project_id
  secret_id = google_secret_manager_secret.token.secret_id
  role      = var.rotator.custom_roles.secret
  member    = local.function_member
}

# The root PyPI token, the staged token, the GitLab or Artifactory minting token or the Docker Hub
# admin credential (local.read_secrets): read only.
# roles/secretmanager.secretAccessor holds secretmanager.versions.access alone.
resource "google_secret_manager_secret_iam_member" "function_reads" {
  for_each = local.read_secrets

  secret_id = each.value
  role      = "roles/secretmanager.secretAccessor"
  member    = local.function_member
}

# Keyed by the repository's full name. A repository outside the rotator's project is bound with
# that project's copy of the role (the rotator's repository_projects).
resource "google_artifact_registry_repository_iam_member" "function_repository" {
  for_each = toset(local.repositories)

  project    = split("/", each.value)[1]
  location   = split("/", each.value)[3]
  repository = split("/", each.value)[5]
  role       = lookup(var.rotator.repository_roles, split("/", each.value)[1], "")
  member     = local.function_member

  lifecycle {
    precondition {
      condition     = contains(keys(var.rotator.repository_roles), split("/", each.value)[1])
      error_message = "Repository ${each.value} is in a project without the rotator's custom roles: add ${split("/", each.value)[1]} to the rotator's repository_projects (custom roles can be bound only inside their own project)."
    }
  }

  depends_on = [google_artifact_registry_repository.remote]
}
