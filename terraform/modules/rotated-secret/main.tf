# One secret the rotator (../rotator) rotates: the secret with its token-rotator.* annotations,
# rotation schedule and topic, the remote repositories it feeds, the service agents' access, and
# the function's bindings on exactly this secret and these repositories. Deploy it once per secret,
# with `rotator = module.rotator`.

locals {
  project_id = var.rotator.project_id

  # key -> where each repository this module creates lives.
  repository_settings = {
    for key, repository in var.repositories : key => {
      repository_id = repository.repository_id
      project_id    = coalesce(repository.project_id, var.rotator.project_id)
      location      = coalesce(repository.location, var.rotator.region)
      description   = repository.description
      kms_key_name  = repository.kms_key_name != null ? repository.kms_key_name : var.repository_kms_key_name
    }
  }
  repository_names = {
    for key, repository in local.repository_settings :
    key => "projects/${repository.project_id}/locations/${repository.location}/repositories/${repository.repository_id}"
  }
  # The created repositories (by key), then the existing ones: the token-rotator.repositories order.
  repositories = concat([for key in sort(keys(local.repository_names)) : local.repository_names[key]], var.additional_repositories)

  # The projects of the repositories, besides the rotator's own: their service agents read the secret.
  other_repository_projects = toset([
    for name in local.repositories : split("/", name)[1] if split("/", name)[1] != var.rotator.project_id
  ])

  # Discovery (token-rotator.discover) lists repositories, so the rotator binds the repository role
  # on its project (its var.discovery).
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

  labels = merge(var.rotator.labels, var.labels)
}
