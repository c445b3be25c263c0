# ---------------------------------------------------------------------------------------------------
# The rotator
# ---------------------------------------------------------------------------------------------------

variable "rotator" {
  description = "The rotator that rotates this secret: pass the whole module, `rotator = module.rotator` (../rotator's outputs; only these attributes are read)."
  type = object({
    project_id                     = string
    region                         = string
    project_number                 = string
    labels                         = map(string)
    function_name                  = string
    function_service_account_email = string
    events_topic_id                = string
    custom_roles                   = object({ secret = string, repository = string, project = string })
    repository_roles               = map(string)
    artifact_registry_agents       = map(string)
    grant_access                   = bool
    discovery                      = bool
  })
}

variable "labels" {
  description = "Labels put on the secret and the repositories, besides the rotator's."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([
      for key, value in var.labels :
      can(regex("^[a-z][a-z0-9_-]{0,62}$", key)) && can(regex("^[a-z0-9_-]{0,63}$", value))
    ])
    error_message = "Label keys must start with a lowercase letter; keys and values may hold only lowercase letters, digits, '_' and '-' (63 characters at most)."
  }
}

# ---------------------------------------------------------------------------------------------------
# The secret and how it is rotated
# ---------------------------------------------------------------------------------------------------

variable "secret_id" {
  description = "ID of the secret that holds the upstream token (created by this module in the rotator's project; its versions are added by the function)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.secret_id))
    error_message = "secret_id may hold only letters, digits, '_' and '-' (255 characters at most)."
  }
}

variable "token_source" {
  description = "How the function obtains a new token (the token-rotator.source annotation): pypi-derived, pypi-staged, gitlab, artifactory, http or dockerhub (Docker Hub access tokens: repository_format DOCKER only)."
  type        = string

  validation {
    condition     = contains(["pypi-derived", "pypi-staged", "gitlab", "artifactory", "http", "dockerhub"], var.token_source)
    error_message = "token_source must be one of pypi-derived, pypi-staged, gitlab, artifactory, http, dockerhub."
  }
}

variable "rotation_settings" {
  description = <<-EOT
    Further per-secret settings for the function, written as token-rotator.<key> annotations on the
    secret. Keys without the prefix: root-secret, staging-secret, min-interval, keep-versions,
    token-lifetime, check-url (index-url is its former name), discover, minting-secret,
    gitlab-url, gitlab-project, gitlab-group, token-scopes, token-name, access-level,
    artifactory-url, token-scope, webhook-url, webhook-revoke-url, webhook-auth, take-over-from,
    and for the dockerhub source dockerhub-namespace, dockerhub-token-kind,
    dockerhub-repositories, admin-secret, admin-username, dockerhub-url (see the README's
    per-source reference and Configuration).
    source, repositories, username and grant-access come from their own variables; state belongs
    to the function. root-secret, staging-secret, minting-secret and admin-secret are full secret
    names (projects/P/secrets/S): the function's service account gets
    roles/secretmanager.secretAccessor on each of them.
  EOT
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([
      for key in keys(var.rotation_settings) : contains([
        "root-secret", "staging-secret", "min-interval", "keep-versions", "token-lifetime",
        "check-url", "index-url", "discover", "minting-secret", "gitlab-url", "gitlab-project",
        "gitlab-group", "token-scopes", "token-name", "access-level", "artifactory-url",
        "token-scope", "webhook-url", "webhook-revoke-url", "webhook-auth", "take-over-from",
        # The dockerhub source's keys: local.dockerhub_keys (main.tf) names the same.
        "dockerhub-namespace", "dockerhub-token-kind", "dockerhub-repositories", "admin-secret",
        "admin-username", "dockerhub-url",
      ], key)
    ])
    error_message = "rotation_settings keys must be among root-secret, staging-secret, min-interval, keep-versions, token-lifetime, check-url, index-url, discover, minting-secret, gitlab-url, gitlab-project, gitlab-group, token-scopes, token-name, access-level, artifactory-url, token-scope, webhook-url, webhook-revoke-url, webhook-auth, take-over-from, dockerhub-namespace, dockerhub-token-kind, dockerhub-repositories, admin-secret, admin-username, dockerhub-url (source, repositories, username and grant-access have their own variables; state is the function's)."
  }

  validation {
    condition = alltrue([
      for key in ["min-interval", "token-lifetime"] :
      can(regex("^[0-9]{1,9}[smhd]$", lookup(var.rotation_settings, key, "")))
      if lookup(var.rotation_settings, key, "") != ""
    ])
    error_message = "min-interval and token-lifetime must be durations such as 90s, 30m, 12h or 7d."
  }

  validation {
    condition = (
      lookup(var.rotation_settings, "keep-versions", "") == ""
      || try(
        tonumber(lookup(var.rotation_settings, "keep-versions", "")) >= 1
        && tonumber(lookup(var.rotation_settings, "keep-versions", "")) <= 50
        && can(regex("^[0-9]+$", lookup(var.rotation_settings, "keep-versions", ""))),
        false,
      )
    )
    error_message = "keep-versions must be a whole number from 1 to 50."
  }

  validation {
    condition = alltrue([
      for key in ["check-url", "index-url", "gitlab-url", "artifactory-url", "webhook-url", "dockerhub-url"] :
      can(regex("^https?://[^\\s/]+(/\\S*)?$", lookup(var.rotation_settings, key, "")))
      if lookup(var.rotation_settings, key, "") != ""
    ])
    error_message = "check-url, index-url, gitlab-url, artifactory-url, webhook-url and dockerhub-url must be http(s) URLs."
  }

  validation {
    condition = (
      lookup(var.rotation_settings, "check-url", "") == ""
      || lookup(var.rotation_settings, "index-url", "") == ""
      || lookup(var.rotation_settings, "check-url", "") == lookup(var.rotation_settings, "index-url", "")
    )
    error_message = "check-url and index-url name the same setting (index-url is its former name): keep check-url only."
  }

  validation {
    condition     = contains(["", "personal", "organization"], lookup(var.rotation_settings, "dockerhub-token-kind", ""))
    error_message = "dockerhub-token-kind must be personal (the default) or organization."
  }

  validation {
    condition     = alltrue([for value in values(var.rotation_settings) : length(value) > 0])
    error_message = "rotation_settings values must not be empty: leave the key out instead."
  }

  validation {
    condition = alltrue([
      for key in ["root-secret", "staging-secret", "minting-secret", "admin-secret"] :
      can(regex("^projects/[^/]+/secrets/[A-Za-z0-9_-]+$", lookup(var.rotation_settings, key, "")))
      if lookup(var.rotation_settings, key, "") != ""
    ])
    error_message = "root-secret, staging-secret, minting-secret and admin-secret must be full secret names: projects/PROJECT/secrets/SECRET."
  }

  validation {
    condition = alltrue([
      for location in split(",", lookup(var.rotation_settings, "discover", "")) :
      can(regex("^projects/[^/]+/locations/[^/]+$", trimspace(location)))
      if trimspace(location) != ""
    ])
    error_message = "discover must be a comma-separated list of projects/PROJECT/locations/LOCATION."
  }
}

variable "grant_access" {
  description = "Let the function grant the Artifact Registry service agent access to the secret itself (token-rotator.grant-access). Needs the rotator's grant_access (its <prefix>Secret role then holds secretmanager.secrets.setIamPolicy); the module already grants that access for the repositories it knows, so this is needed only for repositories outside it."
  type        = bool
  default     = false
}

variable "rotation_period" {
  description = "How often Secret Manager announces a rotation (SECRET_ROTATE), in seconds with an 's' suffix: 3600s (1 hour) up to 100 years."
  type        = string
  default     = "2592000s"

  validation {
    condition = (
      can(regex("^[0-9]+s$", var.rotation_period))
      && try(tonumber(trimsuffix(var.rotation_period, "s")) >= 3600, false)
      && try(tonumber(trimsuffix(var.rotation_period, "s")) <= 3153600000, false)
    )
    error_message = "rotation_period must be a number of seconds with an 's' suffix, between 3600s and 3153600000s (100 years)."
  }
}

variable "first_rotation_delay" {
  description = "Delay between `terraform apply` and the first SECRET_ROTATE, which puts the first token in the secret (Terraform never sees a token). Minutes or hours, e.g. 10m; at least 10m since Secret Manager wants next_rotation_time at least 5 minutes ahead. Later changes are ignored: Secret Manager moves the time itself."
  type        = string
  default     = "10m"

  validation {
    condition = (
      can(regex("^[0-9]+[mh]$", var.first_rotation_delay))
      && try(tonumber(regex("^[0-9]+", var.first_rotation_delay)) * (endswith(var.first_rotation_delay, "h") ? 60 : 1) >= 10, false)
    )
    error_message = "first_rotation_delay must be minutes or hours such as 10m or 2h, and at least 10 minutes."
  }
}

variable "version_destroy_ttl" {
  description = "Delayed destruction of secret versions: a destroyed version is first disabled and destroyed only after this many seconds, so a retired token can still be recovered. 86400s (1 day) to 2592000s (30 days)."
  type        = string
  default     = "604800s"

  validation {
    condition = (
      can(regex("^[0-9]+s$", var.version_destroy_ttl))
      && try(tonumber(trimsuffix(var.version_destroy_ttl, "s")) >= 86400, false)
      && try(tonumber(trimsuffix(var.version_destroy_ttl, "s")) <= 2592000, false)
    )
    error_message = "version_destroy_ttl must be a number of seconds with an 's' suffix between 86400s (1 day) and 2592000s (30 days)."
  }
}

variable "secret_kms_key_name" {
  description = "Cloud KMS key (projects/P/locations/global/keyRings/R/cryptoKeys/K) that encrypts the secret's payloads. Null: Google-managed encryption. Secret Manager's service agent needs roles/cloudkms.cryptoKeyEncrypterDecrypter on it."
  type        = string
  default     = null

  validation {
    condition     = var.secret_kms_key_name == null || can(regex("^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$", coalesce(var.secret_kms_key_name, "-")))
    error_message = "secret_kms_key_name must be a full Cloud KMS key name."
  }
}

# ---------------------------------------------------------------------------------------------------
# The remote repositories
# ---------------------------------------------------------------------------------------------------

variable "repository_format" {
  description = "Format of the remote repository: PYTHON, DOCKER, NPM or MAVEN. It decides the public upstream (PyPI, Docker Hub, npmjs, Maven Central) when upstream_uri is null, the default upstream_username and the repository_urls output."
  type        = string
  default     = "PYTHON"

  validation {
    condition     = contains(["PYTHON", "DOCKER", "NPM", "MAVEN"], var.repository_format)
    error_message = "repository_format must be one of PYTHON, DOCKER, NPM, MAVEN (the remote formats Artifact Registry authenticates upstream with a username and password)."
  }
}

variable "repositories" {
  description = <<-EOT
    The remote repositories this module creates for the secret, by a key of your choice (kept in
    Terraform's addresses: rename one and it is replaced). Each: repository_id; project_id
    (default: the rotator's project; another one must be among the rotator's
    repository_projects); location (default: the rotator's region); description and kms_key_name
    (default: repository_kms_key_name). All have repository_format, upstream_uri and the user name.
  EOT
  type = map(object({
    repository_id = string
    project_id    = optional(string)
    location      = optional(string)
    description   = optional(string)
    kms_key_name  = optional(string)
  }))
  default = {}

  validation {
    condition = alltrue([
      for repository in values(var.repositories) :
      can(regex("^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$", repository.repository_id))
      && (repository.project_id == null || can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", coalesce(repository.project_id, "-"))))
      && (repository.location == null || can(regex("^[a-z]+(-[a-z]+[0-9]+)?$", coalesce(repository.location, "-"))))
    ])
    error_message = "repositories: each repository_id must be 1-63 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen; project_id a project ID; location a region or multi-region."
  }

  validation {
    condition     = alltrue([for key in keys(var.repositories) : can(regex("^[A-Za-z0-9_-]{1,64}$", key))])
    error_message = "repositories keys must be 1-64 letters, digits, '_' or '-'."
  }
}

variable "upstream_uri" {
  description = "Custom upstream of the repositories (remote_repository_config.common_repository.uri), in repository_format's terms: a PEP 503 index (https://gitlab.example.com/api/v4/projects/42/packages/pypi/simple), a Docker registry's root (https://registry.example.com), an npm registry (https://registry.example.com/npm/) or a Maven repository (https://repo.example.com/maven2). Null: the format's public upstream (PyPI, Docker Hub, npmjs, Maven Central)."
  type        = string
  default     = null

  validation {
    condition     = var.upstream_uri == null || startswith(coalesce(var.upstream_uri, "-"), "https://")
    error_message = "upstream_uri must be an https:// URL (or null for the format's public upstream)."
  }
}

variable "upstream_username" {
  description = "User name the repository sends upstream with the token (also the token-rotator.username annotation): for GitLab the token's name or any non-empty name, for Docker Hub the user or organization, for Artifactory the token's subject. Null: __token__ for PYTHON; with token_source dockerhub, rotation_settings[\"dockerhub-namespace\"]; otherwise DOCKER, NPM and MAVEN need it set (the plan fails without)."
  type        = string
  default     = null

  validation {
    condition     = var.upstream_username == null || try(length(var.upstream_username) > 0 && !strcontains(var.upstream_username, ":"), false)
    error_message = "upstream_username must be non-empty and hold no ':' (or null for the format's or the source's default)."
  }
}

variable "initial_secret_version" {
  description = "Secret version number the repositories are created with. The function rewrites it on every rotation (Terraform ignores that); the first rotation of a new secret adds version 1."
  type        = number
  default     = 1

  validation {
    condition     = var.initial_secret_version >= 1 && floor(var.initial_secret_version) == var.initial_secret_version
    error_message = "initial_secret_version must be a positive whole number."
  }
}

variable "disable_upstream_validation" {
  description = "Skip Artifact Registry's own check of the upstream and its credential when the repository is created or updated. Leave false unless that check blocks the first apply (before the first rotation the secret has no version)."
  type        = bool
  default     = false
}

variable "additional_repositories" {
  description = "Existing remote repositories (not created here) whose credential the same secret feeds, full names projects/P/locations/L/repositories/R, in the rotator's project or one of its repository_projects. They join the token-rotator.repositories annotation; the function's repository role is bound on each and their project's Artifact Registry service agent may read the secret."
  type        = list(string)
  default     = []

  validation {
    condition = alltrue([
      for name in var.additional_repositories :
      can(regex("^projects/[^/]+/locations/[^/]+/repositories/[a-z]([a-z0-9-]{0,61}[a-z0-9])?$", name))
    ])
    error_message = "additional_repositories entries must be full names: projects/PROJECT/locations/LOCATION/repositories/REPOSITORY."
  }
}

variable "repository_kms_key_name" {
  description = "Cloud KMS key that encrypts the repositories' cached packages (must be in their region), unless a repository names its own kms_key_name. Null: Google-managed encryption."
  type        = string
  default     = null

  validation {
    condition     = var.repository_kms_key_name == null || can(regex("^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$", coalesce(var.repository_kms_key_name, "-")))
    error_message = "repository_kms_key_name must be a full Cloud KMS key name."
  }
}
