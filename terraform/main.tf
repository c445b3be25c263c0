# Token rotator for Artifact Registry remote repositories (Python, Docker, npm, Maven).
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

  # The dockerhub source's name and annotation keys, named here for the module's own use (the default
  # username, the admin secret's grant, the preconditions). rotation_settings' validation and
  # description (variables.tf) list them too: tests/terraform/test_annotations.py holds them to
  # this map and, once the function has the source, to its keys. A rename starts here.
  # (admin: the key of the secret holding the Docker Hub admin credential.)
  dockerhub_source = "dockerhub"
  dockerhub_keys = {
    namespace    = "dockerhub-namespace"
    kind         = "dockerhub-token-kind"
    repositories = "dockerhub-repositories"
    admin        = "admin-secret"
    admin_user   = "admin-username"
    url          = "dockerhub-url"
  }

  # Secrets the function only reads (root PyPI token, staged token, GitLab or Artifactory minting
  # token, Docker Hub admin credential).
  read_secrets = toset(compact([
    for key in ["root-secret", "staging-secret", "minting-secret", local.dockerhub_keys.admin] :
    lookup(var.rotation_settings, key, "")
  ]))

  # The user the repository sends upstream: the variable, else the format's usual one (PyPI's
  # __token__), else the Docker Hub namespace the dockerhub source mints for; null (refused by the
  # secret's precondition) when none applies.
  upstream_username = (
    var.upstream_username != null ? var.upstream_username
    : var.repository_format == "PYTHON" ? "__token__"
    : var.token_source == local.dockerhub_source ? lookup(var.rotation_settings, local.dockerhub_keys.namespace, null)
    : null
  )

  # The function's configuration, as token-rotator.* annotations on the secret. The provider
  # manages only the annotation keys it sets, so the function's own token-rotator.state survives
  # every apply.
  annotations = merge(
    { for key, value in var.rotation_settings : "token-rotator.${key}" => value },
    {
      "token-rotator.source"       = var.token_source
      "token-rotator.repositories" = join(",", local.repositories)
      "token-rotator.username"     = local.upstream_username
      "token-rotator.grant-access" = tostring(var.grant_access)
    },
  )

  allowed_projects = var.allowed_projects == null ? [var.project_id] : var.allowed_projects

  labels = merge(var.labels, { "managed-by" = "terraform", "component" = "token-rotator" })
}
