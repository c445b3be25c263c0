# The function runs as a dedicated service account that holds three custom roles, each bound at
# the narrowest scope its permissions exist at. Together they grant exactly the permissions of
# rotation/gcp/permissions.py; tests/terraform/test_role_contract.py holds the two equal. This
# module binds the project-level ones; each ../rotated-secret binds the secret and repository
# roles on exactly its own secret and repositories.

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

  # Only with grant_access (some secret's token-rotator.grant-access): the function adds the
  # Artifact Registry service agent to the secret's IAM policy itself.
  secret_role_grant_access_permissions = [
    "secretmanager.secrets.setIamPolicy",
  ]

  # On each repository the secret feeds: read it and point its credential at the new version.
  repository_role_permissions = [
    "artifactregistry.repositories.get",
    "artifactregistry.repositories.update",
  ]

  # On the project, where these permissions only exist: project ID -> number, the project IAM
  # policy (a project-level grant of the service agent counts too), listing repositories for
  # token-rotator.discover, and listing the secrets the audit checks. pubsub.topics.get exists on
  # a topic too, but the audit reads whatever topic a secret names, so it is granted here.
  project_role_permissions = [
    "artifactregistry.repositories.list",
    "pubsub.topics.get",
    "resourcemanager.projects.get",
    "resourcemanager.projects.getIamPolicy",
    "secretmanager.secrets.list",
  ]

  function_member = "serviceAccount:${google_service_account.function.email}"
}

resource "google_service_account" "function" {
  project      = var.project_id
  account_id   = var.service_account_id
  display_name = "Token rotator (${var.function_name})"
  description  = "Runs ${var.function_name}: rotates the upstream tokens of the secrets bound to it."

  depends_on = [google_project_service.this]
}

resource "google_service_account" "trigger" {
  project      = var.project_id
  account_id   = var.trigger_service_account_id
  display_name = "Token rotator trigger"
  description  = "Identity of the Pub/Sub push subscriptions that invoke ${var.function_name}."

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

  lifecycle {
    # (A variable's validation may name only itself before Terraform 1.9.)
    precondition {
      condition     = !contains(var.repository_projects, var.project_id)
      error_message = "repository_projects lists the other projects only: ${var.project_id}'s own roles exist already."
    }
  }

  depends_on = [google_project_service.this]
}

resource "google_project_iam_custom_role" "project" {
  project     = var.project_id
  role_id     = "${var.role_id_prefix}Project"
  title       = "Token rotator: project"
  description = "Project-level permissions of ${var.function_name}: resolve the project number, read the project IAM policy, list repositories; audit: list secrets, read topics."
  permissions = local.project_role_permissions

  depends_on = [google_project_service.this]
}

# Custom roles exist only in their own project: a repository in another project
# (var.repository_projects) is bound with that project's copies of the repository and project roles.
resource "google_project_iam_custom_role" "repository_elsewhere" {
  for_each = toset(var.repository_projects)

  project     = each.value
  role_id     = "${var.role_id_prefix}Repository"
  title       = "Token rotator: remote repository"
  description = "Bound on the repositories whose upstream credential ${var.function_name} (project ${var.project_id}) rotates."
  permissions = local.repository_role_permissions
}

resource "google_project_iam_custom_role" "project_elsewhere" {
  for_each = toset(var.repository_projects)

  project     = each.value
  role_id     = "${var.role_id_prefix}Project"
  title       = "Token rotator: project"
  description = "Project-level permissions of ${var.function_name} (project ${var.project_id}): resolve the project number, read the project IAM policy, list repositories; audit: list secrets, read topics."
  permissions = local.project_role_permissions
}

# --- The function's project bindings (the secret and repository bindings: ../rotated-secret) ------

# Discovery finds repositories by listing them, so it needs the repository role project-wide.
# One binding for every secret that discovers (token-rotator.discover), in this project only.
resource "google_project_iam_member" "function_discovered_repositories" {
  count = var.discovery ? 1 : 0

  project = var.project_id
  role    = google_project_iam_custom_role.repository.name
  member  = local.function_member
}

resource "google_project_iam_member" "function_project" {
  project = var.project_id
  role    = google_project_iam_custom_role.project.name
  member  = local.function_member
}

resource "google_project_iam_member" "function_project_elsewhere" {
  for_each = toset(var.repository_projects)

  project = each.value
  role    = google_project_iam_custom_role.project_elsewhere[each.value].name
  member  = local.function_member
}

# --- The trigger's bindings ----------------------------------------------------------------------

# The push subscriptions invoke the function's Cloud Run service with an OIDC token of the
# trigger's service account.
resource "google_cloud_run_v2_service_iam_member" "trigger_invoker" {
  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.rotator.service_config[0].service
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.trigger.email}"
}

# Pub/Sub mints the push subscriptions' OIDC tokens for the trigger's service account.
# (Needed in projects whose Pub/Sub service agent dates from before April 2021; harmless after.)
resource "google_service_account_iam_member" "pubsub_token_creator" {
  service_account_id = google_service_account.trigger.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent

  depends_on = [google_project_service_identity.pubsub]
}

# The Artifact Registry service agent of each project with repositories (this one and
# var.repository_projects), as IAM members: ../rotated-secret grants each the secret it reads.
locals {
  artifact_registry_agents = merge(
    { (var.project_id) = local.artifact_registry_agent },
    {
      for project, found in data.google_project.elsewhere :
      project => "serviceAccount:${replace(local.service_agent_templates["artifactregistry.googleapis.com"], "PROJECT_NUMBER", found.number)}"
    },
  )
}
