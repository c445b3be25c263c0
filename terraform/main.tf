# Token rotator for Artifact Registry remote Python repositories.
#
# The resources are split by concern: apis.tf, pubsub.tf, secret.tf, repository.tf, function.tf,
# iam.tf, monitoring.tf; service_agents.tf names the Google-managed service agents. This file
# holds what they share.

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  # The service agents' addresses (service_agents.tf) follow from it.
  project_number = data.google_project.this.number

  repository_name = "projects/${var.project_id}/locations/${var.region}/repositories/${var.repository_id}"
  repositories    = concat([local.repository_name], var.additional_repositories)

  # Discovery (token-rotator.discover) lists repositories, so the repository role is then bound on
  # the project rather than on named repositories.
  discover_locations = [
    for location in split(",", lookup(var.rotation_settings, "discover", "")) :
    trimspace(location) if trimspace(location) != ""
  ]

  # Secrets the function only reads (root PyPI token, staged token, GitLab minting token).
  read_secrets = toset(compact([
    for key in ["root-secret", "staging-secret", "minting-secret"] : lookup(var.rotation_settings, key, "")
  ]))

  # The function's configuration, as token-rotator.* annotations on the secret. The provider
  # manages only the annotation keys it sets, so the function's own token-rotator.state survives
  # every apply.
  annotations = merge(
    { for key, value in var.rotation_settings : "token-rotator.${key}" => value },
    {
      "token-rotator.source"       = var.token_source
      "token-rotator.repositories" = join(",", local.repositories)
      "token-rotator.username"     = var.upstream_username
      "token-rotator.grant-access" = tostring(var.grant_access)
    },
  )

  allowed_projects = var.allowed_projects == null ? [var.project_id] : var.allowed_projects

  labels = merge(var.labels, { "managed-by" = "terraform", "component" = "token-rotator" })
}
