# The function runs as a dedicated service account that holds three custom roles, each bound at
# the narrowest scope its permissions exist at. Together they grant exactly the permissions of
# rotation/gcp/permissions.py; tests/terraform/test_role_contract.py holds the two equal.

locals {
  # On the rotated secret: read its configuration, add, list, read, disable and destroy versions,
  # move the aliases and the state annotation, and check the service agent's access.
  secret_role_permissions = [
    "secretmanager.secrets.get",
    "secretmanager.secrets.getIamPolicy",
    "secretmanager.secrets.update",
    "secretmanager.versions.access",
    "secretmanager.versions.add",
    "secretmanager.versions.destroy",
    "secretmanager.versions.disable",
    "secretmanager.versions.list",
  ]

  # Only with grant_access: the function adds the Artifact Registry service agent to the secret's
  # IAM policy itself.
  secret_role_grant_access_permissions = [
    "secretmanager.secrets.setIamPolicy",
  ]

  # On each repository the secret feeds: read it and point its credential at the new version.
  repository_role_permissions = [
    "artifactregistry.repositories.get",
    "artifactregistry.repositories.update",
  ]

  # On the project, where these permissions only exist: project ID -> number, the project IAM
  # policy (a project-level grant of the service agent counts too), and listing repositories for
  # token-rotator.discover.
  project_role_permissions = [
    "artifactregistry.repositories.list",
    "resourcemanager.projects.get",
    "resourcemanager.projects.getIamPolicy",
  ]

  function_member = "serviceAccount:${google_service_account.function.email}"
}

resource "google_service_account" "function" {
  project      = var.project_id
  account_id   = var.service_account_id
  display_name = "Token rotator (${var.secret_id})"
  description  = "Runs ${var.function_name}: rotates the upstream token in secret ${var.secret_id}."

  depends_on = [google_project_service.this]
}

resource "google_service_account" "trigger" {
  project      = var.project_id
  account_id   = var.trigger_service_account_id
  display_name = "Token rotator trigger"
  description  = "Eventarc identity that invokes ${var.function_name}."

  depends_on = [google_project_service.this]
}

# --- Custom roles -----------------------------------------------------------------------------

resource "google_project_iam_custom_role" "secret" {
  project     = var.project_id
  role_id     = "${var.role_id_prefix}Secret"
  title       = "Token rotator: rotated secret"
  description = "Bound on the secrets ${var.function_name} rotates."
  permissions = concat(local.secret_role_permissions, var.grant_access ? local.secret_role_grant_access_permissions : [])

  depends_on = [google_project_service.this]
}

resource "google_project_iam_custom_role" "repository" {
  project     = var.project_id
  role_id     = "${var.role_id_prefix}Repository"
  title       = "Token rotator: remote repository"
  description = "Bound on the repositories whose upstream credential ${var.function_name} rotates."
  permissions = local.repository_role_permissions

  depends_on = [google_project_service.this]
}

resource "google_project_iam_custom_role" "project" {
  project     = var.project_id
  role_id     = "${var.role_id_prefix}Project"
  title       = "Token rotator: project"
  description = "Project-level permissions of ${var.function_name}: resolve the project number, read the project IAM policy, list repositories."
  permissions = local.project_role_permissions

  depends_on = [google_project_service.this]
}

# --- The function's bindings ---------------------------------------------------------------------

resource "google_secret_manager_secret_iam_member" "function_secret" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.token.secret_id
  role      = google_project_iam_custom_role.secret.name
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

resource "google_artifact_registry_repository_iam_member" "function_repository" {
  for_each = toset(local.repositories)

  project    = split("/", each.value)[1]
  location   = split("/", each.value)[3]
  repository = split("/", each.value)[5]
  role       = google_project_iam_custom_role.repository.name
  member     = local.function_member

  lifecycle {
    precondition {
      condition     = split("/", each.value)[1] == var.project_id
      error_message = "Repository ${each.value} is outside ${var.project_id}: the module's custom roles can be bound only inside their own project."
    }
  }

  depends_on = [google_artifact_registry_repository.remote]
}

# Discovery finds repositories by listing them, so it needs the repository role project-wide.
resource "google_project_iam_member" "function_discovered_repositories" {
  count = length(local.discover_locations) > 0 ? 1 : 0

  project = var.project_id
  role    = google_project_iam_custom_role.repository.name
  member  = local.function_member

  lifecycle {
    precondition {
      condition     = alltrue([for location in local.discover_locations : split("/", location)[1] == var.project_id])
      error_message = "token-rotator.discover may name only locations in ${var.project_id}: the module's custom roles can be bound only inside their own project."
    }
  }
}

resource "google_project_iam_member" "function_project" {
  project = var.project_id
  role    = google_project_iam_custom_role.project.name
  member  = local.function_member
}

# --- The trigger's bindings ----------------------------------------------------------------------

# Eventarc invokes the function's Cloud Run service as the trigger's service account.
resource "google_cloud_run_v2_service_iam_member" "trigger_invoker" {
  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.rotator.service_config[0].service
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.trigger.email}"
}

# Pub/Sub mints the push subscription's identity tokens for the trigger's service account.
# (Needed in projects whose Pub/Sub service agent dates from before April 2021; harmless after.)
resource "google_service_account_iam_member" "pubsub_token_creator" {
  service_account_id = google_service_account.trigger.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent

  depends_on = [google_project_service_identity.pubsub]
}
