# The secret that holds the upstream token. Terraform creates it empty: every version is added by
# the function, so no token ever passes through Terraform or its state.
resource "google_secret_manager_secret" "token" {
  project   = local.project_id
  secret_id = var.secret_id
  labels    = local.labels

  # The function's configuration. Non-authoritative in the provider: the function's own
  # token-rotator.state annotation is left alone.
  annotations = local.annotations

  # No version_aliases here: the function moves them on every rotation.

  # Destroying a version first disables it, so a retired token can be restored for a while.
  version_destroy_ttl = var.version_destroy_ttl

  replication {
    auto {
      dynamic "customer_managed_encryption" {
        for_each = var.secret_kms_key_name == null ? [] : [var.secret_kms_key_name]
        content {
          kms_key_name = customer_managed_encryption.value
        }
      }
    }
  }

  # The rotator's events topic (its output waits for Secret Manager's right to publish there).
  topics {
    name = var.rotator.events_topic_id
  }

  rotation {
    rotation_period = var.rotation_period
    # Used once, at creation: the first SECRET_ROTATE adds the first version.
    next_rotation_time = timeadd(plantimestamp(), var.first_rotation_delay)
  }

  lifecycle {
    # Secret Manager moves next_rotation_time forward on every rotation.
    ignore_changes = [rotation[0].next_rotation_time]

    # Checked before the annotations (which carry the username) are planned.
    precondition {
      condition     = local.upstream_username != null
      error_message = "upstream_username must be set for repository_format ${var.repository_format}: Docker, npm and Maven upstreams have no usual user name (PYTHON defaults to __token__; with the ${local.dockerhub_source} source it defaults to rotation_settings[\"${local.dockerhub_keys.namespace}\"])."
    }

    precondition {
      condition     = !var.grant_access || var.rotator.grant_access
      error_message = "grant_access needs the rotator's grant_access = true: its <prefix>Secret role must hold secretmanager.secrets.setIamPolicy."
    }

    precondition {
      condition     = length(local.discover_locations) == 0 || var.rotator.discovery
      error_message = "token-rotator.discover needs the rotator's discovery = true, which binds the repository role on its project."
    }

    precondition {
      condition     = alltrue([for location in local.discover_locations : split("/", location)[1] == local.project_id])
      error_message = "token-rotator.discover may name only locations in ${local.project_id}: the rotator binds its repository role for discovery there only."
    }

    precondition {
      condition     = var.token_source != local.dockerhub_source || var.repository_format == "DOCKER"
      error_message = "The ${local.dockerhub_source} source (token_source) mints Docker Hub access tokens: it needs repository_format DOCKER, not ${var.repository_format}."
    }

    precondition {
      condition = var.token_source != local.dockerhub_source || alltrue([
        for key in [local.dockerhub_keys.namespace, local.dockerhub_keys.admin] : contains(keys(var.rotation_settings), key)
      ])
      error_message = "The ${local.dockerhub_source} source (token_source) needs rotation_settings[\"${local.dockerhub_keys.namespace}\"] (the Docker Hub user, or the organization) and rotation_settings[\"${local.dockerhub_keys.admin}\"] (the secret holding the Docker Hub admin credential)."
    }
  }

}

# The repositories' service agents read the token when they authenticate upstream: the rotator's
# project's agent, and that of each other project with one of the secret's repositories.
resource "google_secret_manager_secret_iam_member" "registry_agent_accessor" {
  project   = local.project_id
  secret_id = google_secret_manager_secret.token.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = var.rotator.artifact_registry_agents[local.project_id]
}

resource "google_secret_manager_secret_iam_member" "registry_agent_accessor_elsewhere" {
  for_each = local.other_repository_projects

  project   = local.project_id
  secret_id = google_secret_manager_secret.token.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = lookup(var.rotator.artifact_registry_agents, each.value, "")

  lifecycle {
    precondition {
      condition     = contains(keys(var.rotator.artifact_registry_agents), each.value)
      error_message = "A repository of ${var.secret_id} is in ${each.value}, which is not among the rotator's repository_projects: add it there."
    }
  }
}
