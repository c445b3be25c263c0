locals {
  # Each format's name in descriptions and its public upstream
  # (remote_repository_config.<format>_repository.public_repository, and its name).
  formats = {
    PYTHON = { name = "Python", public_repository = "PYPI", public_name = "PyPI" }
    DOCKER = { name = "Docker", public_repository = "DOCKER_HUB", public_name = "Docker Hub" }
    NPM    = { name = "npm", public_repository = "NPMJS", public_name = "npmjs" }
    MAVEN  = { name = "Maven", public_repository = "MAVEN_CENTRAL", public_name = "Maven Central" }
  }
  format = local.formats[var.repository_format]
  # By format, the for_each of its <format>_repository block: the public upstream for
  # repository_format when upstream_uri is null (a custom upstream goes to common_repository),
  # nothing for the other formats.
  public_repository = {
    for name, settings in local.formats :
    name => name == var.repository_format && var.upstream_uri == null ? [settings.public_repository] : []
  }

  # The URL clients use, by repository key: pip's index, the prefix of Docker image names, npm's
  # registry, Maven's repository.
  repository_url_templates = {
    PYTHON = "https://LOCATION-python.pkg.dev/PATH/simple/"
    DOCKER = "LOCATION-docker.pkg.dev/PATH"
    NPM    = "https://LOCATION-npm.pkg.dev/PATH/"
    MAVEN  = "https://LOCATION-maven.pkg.dev/PATH"
  }
  repository_urls = {
    for key, repository in local.repository_settings :
    key => replace(replace(local.repository_url_templates[var.repository_format], "LOCATION", repository.location), "PATH", "${repository.project_id}/${repository.repository_id}")
  }
}

# The remote repositories whose upstream credential the function rotates.
resource "google_artifact_registry_repository" "remote" {
  for_each = local.repository_settings

  project       = each.value.project_id
  location      = each.value.location
  repository_id = each.value.repository_id
  description   = each.value.description != null ? each.value.description : "Remote ${local.format.name} repository; upstream token rotated by ${var.rotator.function_name}"
  format        = var.repository_format
  mode          = "REMOTE_REPOSITORY"
  labels        = local.labels
  kms_key_name  = each.value.kms_key_name

  remote_repository_config {
    description                 = var.upstream_uri == null ? local.format.public_name : var.upstream_uri
    disable_upstream_validation = var.disable_upstream_validation

    # The format's public upstream when upstream_uri is null: one of the four blocks below.
    dynamic "python_repository" {
      for_each = local.public_repository.PYTHON
      content {
        public_repository = python_repository.value
      }
    }

    dynamic "docker_repository" {
      for_each = local.public_repository.DOCKER
      content {
        public_repository = docker_repository.value
      }
    }

    dynamic "npm_repository" {
      for_each = local.public_repository.NPM
      content {
        public_repository = npm_repository.value
      }
    }

    dynamic "maven_repository" {
      for_each = local.public_repository.MAVEN
      content {
        public_repository = maven_repository.value
      }
    }

    # A custom upstream, for any format.
    dynamic "common_repository" {
      for_each = var.upstream_uri == null ? [] : [var.upstream_uri]
      content {
        uri = common_repository.value
      }
    }

    upstream_credentials {
      username_password_credentials {
        username                = local.upstream_username
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
  depends_on = [
    google_secret_manager_secret_iam_member.registry_agent_accessor,
    google_secret_manager_secret_iam_member.registry_agent_accessor_elsewhere,
  ]
}
