# A GitLab project's package registry as the upstream (a custom index through
# common_repository). Each rotation mints a new project access token with a separate minting
# token, and revokes the old one once the repository uses the new one.

locals {
  index_url = "${trimsuffix(var.gitlab_url, "/")}/api/v4/projects/${var.gitlab_project_id}/packages/pypi/simple"
}

# The GitLab token that may create and revoke the project's access tokens. Terraform creates the
# secret empty; add the token yourself after the apply (README.md here, "Add the minting token"),
# so it never enters Terraform's state.
resource "google_secret_manager_secret" "gitlab_minting" {
  project   = var.project_id
  secret_id = var.minting_secret_id
  labels    = { "managed-by" = "terraform", "component" = "token-rotator" }

  replication {
    auto {}
  }
}

module "rotator" {
  source = "../../modules/rotator"

  project_id = var.project_id
  region     = var.region

  # Distinct names, so this example can live next to the pypi one in the same project.
  function_name              = "gitlab-token-rotator"
  events_topic_name          = "gitlab-token-rotator"
  audit_topic_name           = "gitlab-token-rotator-audit"
  dead_letter_topic_name     = "gitlab-token-rotator-dead-letter"
  service_account_id         = "gitlab-token-rotator"
  trigger_service_account_id = "gitlab-token-rotator-trg"
  role_id_prefix             = "gitlabTokenRotator"
  notification_channels      = var.notification_channels
}

module "secret" {
  source = "../../modules/rotated-secret"

  rotator = module.rotator

  secret_id         = var.secret_id
  token_source      = "gitlab"
  upstream_uri      = local.index_url
  upstream_username = var.token_name

  rotation_period = "604800s"
  rotation_settings = {
    "gitlab-url"     = trimsuffix(var.gitlab_url, "/")
    "gitlab-project" = tostring(var.gitlab_project_id)
    "minting-secret" = "projects/${google_secret_manager_secret.gitlab_minting.project}/secrets/${google_secret_manager_secret.gitlab_minting.secret_id}"
    "token-scopes"   = "read_api"
    "token-name"     = var.token_name
    "index-url"      = local.index_url
    "keep-versions"  = "2"
  }

  # The first scheduled rotation needs the minting token, which only you can add, after the apply.
  first_rotation_delay = var.first_rotation_delay

  repositories = {
    remote = { repository_id = var.repository_id }
  }
}
