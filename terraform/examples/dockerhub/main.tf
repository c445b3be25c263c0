# Docker Hub as the upstream (docker_repository's public DOCKER_HUB). Each rotation mints a new
# read-only Docker Hub personal access token with the account's admin credential (source
# dockerhub), and revokes the old one by its id once the repository uses the new one.
#
# An authenticated Docker Hub remote has Docker Hub's higher pull rate limit; Google recommends a
# read-only personal access token for it.

# The Docker Hub credential that may create and revoke the account's access tokens. Terraform
# creates the secret empty; add the credential yourself after the apply (README.md here, "Add the
# admin credential"), so it never enters Terraform's state.
resource "google_secret_manager_secret" "dockerhub_admin" {
  project   = var.project_id
  secret_id = var.admin_secret_id
  labels    = { "managed-by" = "terraform", "component" = "token-rotator" }

  replication {
    auto {}
  }
}

module "rotator" {
  source = "../../modules/rotator"

  project_id = var.project_id
  region     = var.region

  # Distinct names, so this example can live next to the pypi and gitlab ones in one project.
  function_name              = "dockerhub-token-rotator"
  events_topic_name          = "dockerhub-token-rotator"
  audit_topic_name           = "dockerhub-token-rotator-audit"
  dead_letter_topic_name     = "dockerhub-token-rotator-dead-letter"
  service_account_id         = "dockerhub-token-rotator"
  trigger_service_account_id = "dockerhub-token-rotator-trg"
  role_id_prefix             = "dockerhubTokenRotator"
  notification_channels      = var.notification_channels
}

module "secret" {
  source = "../../modules/rotated-secret"

  rotator = module.rotator

  secret_id         = var.secret_id
  repository_format = "DOCKER"
  #checkov:skip=CKV_SECRET_6:token_source names the dockerhub source here; it holds no secret.
  token_source = "dockerhub"
  # No upstream_uri: Docker Hub. No upstream_username: the dockerhub source's namespace.

  rotation_period = "604800s"
  rotation_settings = {
    "dockerhub-namespace"  = var.dockerhub_username
    "dockerhub-token-kind" = "personal"
    "admin-secret"         = "projects/${google_secret_manager_secret.dockerhub_admin.project}/secrets/${google_secret_manager_secret.dockerhub_admin.secret_id}"
    # Each new token is tried by Docker's registry login before the repository is pointed at it.
    "check-url"     = "https://registry-1.docker.io"
    "keep-versions" = "2"
  }

  # The first scheduled rotation needs the admin credential, which only you can add, after the
  # apply.
  first_rotation_delay = var.first_rotation_delay

  repositories = {
    remote = { repository_id = var.repository_id }
  }
}
