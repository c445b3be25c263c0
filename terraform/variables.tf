# ---------------------------------------------------------------------------------------------------
# Where
# ---------------------------------------------------------------------------------------------------

variable "project_id" {
  description = "Project that holds the secret, the repository, the topic and the function."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a project ID (6-30 characters: lowercase letters, digits, hyphens), not a project number or name."
  }
}

variable "region" {
  description = "Region of the function, the audit's Cloud Scheduler job, the repository and the source bucket."
  type        = string
  default     = "europe-west1"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a single Cloud region such as europe-west1 (the function cannot run in a multi-region)."
  }
}

variable "enable_apis" {
  description = "Enable the Google APIs the module needs. Set false when the project's APIs are managed elsewhere. APIs are never disabled on destroy."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Labels put on every resource that takes labels."
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
  description = "ID of the secret that holds the upstream token (created by this module; its versions are added by the function)."
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
  description = "Let the function grant the Artifact Registry service agent access to the secret itself (token-rotator.grant-access). Adds secretmanager.secrets.setIamPolicy to the function's role; the module already grants that access for its own repository, so this is needed only for repositories outside it."
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
# The remote repository
# ---------------------------------------------------------------------------------------------------

variable "repository_format" {
  description = "Format of the remote repository: PYTHON, DOCKER, NPM or MAVEN. It decides the public upstream (PyPI, Docker Hub, npmjs, Maven Central) when upstream_uri is null, the default upstream_username and the repository_url output."
  type        = string
  default     = "PYTHON"

  validation {
    condition     = contains(["PYTHON", "DOCKER", "NPM", "MAVEN"], var.repository_format)
    error_message = "repository_format must be one of PYTHON, DOCKER, NPM, MAVEN (the remote formats Artifact Registry authenticates upstream with a username and password)."
  }
}

variable "repository_id" {
  description = "ID of the remote repository created in var.region."
  type        = string

  validation {
    condition     = can(regex("^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$", var.repository_id))
    error_message = "repository_id must be 1-63 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "upstream_uri" {
  description = "Custom upstream of the repository (remote_repository_config.common_repository.uri), in repository_format's terms: a PEP 503 index (https://gitlab.example.com/api/v4/projects/42/packages/pypi/simple), a Docker registry's root (https://registry.example.com), an npm registry (https://registry.example.com/npm/) or a Maven repository (https://repo.example.com/maven2). Null: the format's public upstream (PyPI, Docker Hub, npmjs, Maven Central)."
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
  description = "Secret version number the repository is created with. The function rewrites it on every rotation (Terraform ignores that); the first rotation of a new secret adds version 1."
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
  description = "Further remote repositories in var.project_id whose credential the same secret feeds (full names projects/P/locations/L/repositories/R). They join the token-rotator.repositories annotation and the function's repository role is bound on each."
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
  description = "Cloud KMS key that encrypts the repository's cached packages (must be in the repository's region). Null: Google-managed encryption."
  type        = string
  default     = null

  validation {
    condition     = var.repository_kms_key_name == null || can(regex("^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$", coalesce(var.repository_kms_key_name, "-")))
    error_message = "repository_kms_key_name must be a full Cloud KMS key name."
  }
}

# ---------------------------------------------------------------------------------------------------
# Pub/Sub
# ---------------------------------------------------------------------------------------------------

variable "topic_name" {
  description = "Name of the Pub/Sub topic Secret Manager publishes the secret's events to (created by this module; the rotator's events_topic_name)."
  type        = string
  default     = "token-rotator"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9._~%+-]{2,254}$", var.topic_name)) && !startswith(lower(var.topic_name), "goog")
    error_message = "topic_name must be 3-255 characters, start with a letter, and not start with 'goog'."
  }
}

variable "topic_kms_key_name" {
  description = "Cloud KMS key that encrypts the topic's messages. Null: Google-managed encryption. Pub/Sub's service agent needs roles/cloudkms.cryptoKeyEncrypterDecrypter on it."
  type        = string
  default     = null

  validation {
    condition     = var.topic_kms_key_name == null || can(regex("^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$", coalesce(var.topic_kms_key_name, "-")))
    error_message = "topic_kms_key_name must be a full Cloud KMS key name."
  }
}

variable "max_delivery_attempts" {
  description = "Deliveries of one event or audit message (retried with backoff from 10s to 600s) before it goes to the dead-letter topic and its alert: 5 to 100, as Pub/Sub allows."
  type        = number
  default     = 10

  validation {
    condition     = var.max_delivery_attempts >= 5 && var.max_delivery_attempts <= 100 && floor(var.max_delivery_attempts) == var.max_delivery_attempts
    error_message = "max_delivery_attempts must be a whole number from 5 to 100."
  }
}

variable "audit_schedule" {
  description = "When Cloud Scheduler starts the audit of every managed secret, in cron syntax (audit_time_zone): daily at 06:00 by default."
  type        = string
  default     = "0 6 * * *"

  validation {
    condition     = can(regex("^\\S+( \\S+){4}$", var.audit_schedule))
    error_message = "audit_schedule must be a cron schedule of five fields, such as \"0 6 * * *\"."
  }
}

# ---------------------------------------------------------------------------------------------------
# The function
# ---------------------------------------------------------------------------------------------------

variable "function_name" {
  description = "Name of the gen2 Cloud Function (also the name of its Cloud Run service)."
  type        = string
  default     = "token-rotator"

  validation {
    condition     = can(regex("^[a-z]([a-z0-9-]{0,47}[a-z0-9])?$", var.function_name))
    error_message = "function_name must be 1-49 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "source_root" {
  description = "Directory holding main.py, rotation/ and requirements.txt. Null: the repository this module lives in. Only those three are uploaded."
  type        = string
  default     = null

  validation {
    condition     = var.source_root == null || try(length(var.source_root) > 0, false)
    error_message = "source_root must be a directory path (or null)."
  }
}

variable "source_bucket_name" {
  description = "Name of the bucket created to hold the function's source archive. Null: <project_id>-<function_name>-src (at most 63 characters)."
  type        = string
  default     = null

  validation {
    condition     = var.source_bucket_name == null || can(regex("^[a-z0-9][a-z0-9_.-]{1,61}[a-z0-9]$", coalesce(var.source_bucket_name, "-")))
    error_message = "source_bucket_name must be a valid bucket name: 3-63 lowercase letters, digits, '-', '_' and '.'."
  }
}

variable "source_bucket_log_bucket" {
  description = "Bucket that receives the usage and storage logs of the source bucket. Null: no access logging (Cloud Audit Logs still record access)."
  type        = string
  default     = null

  validation {
    condition     = var.source_bucket_log_bucket == null || can(regex("^[a-z0-9][a-z0-9_.-]{1,61}[a-z0-9]$", coalesce(var.source_bucket_log_bucket, "-")))
    error_message = "source_bucket_log_bucket must be a bucket name."
  }
}

variable "allowed_projects" {
  description = "Projects the function may act on (ALLOWED_PROJECTS). Null: only var.project_id. An empty list removes the restriction. The function resolves each project ID to its number, which needs resourcemanager.projects.get there: the module grants it on var.project_id only."
  type        = list(string)
  default     = null

  validation {
    condition     = var.allowed_projects == null || alltrue([for project in coalesce(var.allowed_projects, []) : can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", project))])
    error_message = "allowed_projects must hold project IDs."
  }
}

variable "allowed_upstream_hosts" {
  description = "Upstream hosts (host, meaning port 443, or host:port) the function may send requests and credentials to, beyond the hosts of the target repositories' own upstream URLs (ALLOWED_UPSTREAM_HOSTS). A webhook's host (webhook-url) must be listed here; so must an Artifactory or index host that no repository proxies."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for host in var.allowed_upstream_hosts : can(regex("^[A-Za-z0-9.-]+(:[0-9]{1,5})?$", host))])
    error_message = "allowed_upstream_hosts must hold host names, or host:port, without scheme or path."
  }
}

variable "max_event_age" {
  description = "Events older than this are acknowledged without work (MAX_EVENT_AGE), which ends Pub/Sub's redeliveries: a number and s, m, h or d, e.g. 24h."
  type        = string
  default     = "24h"

  validation {
    condition     = can(regex("^[0-9]{1,9}[smhd]$", var.max_event_age))
    error_message = "max_event_age must be a number followed by s, m, h or d, e.g. 24h."
  }
}

variable "log_level" {
  description = "The function's LOG_LEVEL."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "max_instance_count" {
  description = "Upper bound on the function's instances. Rotations are rare; a small number keeps a burst of redeliveries from fanning out."
  type        = number
  default     = 2

  validation {
    condition     = var.max_instance_count >= 1 && var.max_instance_count <= 100
    error_message = "max_instance_count must be between 1 and 100."
  }
}

variable "timeout_seconds" {
  description = "How long one rotation may run before the invocation fails (and is retried). At most 540 for event-driven functions."
  type        = number
  default     = 300

  validation {
    condition     = var.timeout_seconds >= 60 && var.timeout_seconds <= 540
    error_message = "timeout_seconds must be between 60 and 540."
  }
}

variable "available_memory" {
  description = "Memory of a function instance, e.g. 256M or 512M."
  type        = string
  default     = "256M"

  validation {
    condition     = can(regex("^[0-9]+(M|Mi|G|Gi)$", var.available_memory))
    error_message = "available_memory must look like 256M, 512Mi or 1G."
  }
}

variable "build_service_account" {
  description = "Full name (projects/P/serviceAccounts/EMAIL) of the service account Cloud Build uses to build the function. Null: the project's default build account, which in newer projects may lack the roles it needs (roles/logging.logWriter, roles/storage.objectViewer, roles/artifactregistry.writer)."
  type        = string
  default     = null

  validation {
    condition     = var.build_service_account == null || can(regex("^projects/[^/]+/serviceAccounts/[^/]+@[^/]+$", coalesce(var.build_service_account, "-")))
    error_message = "build_service_account must be projects/PROJECT/serviceAccounts/EMAIL."
  }
}

variable "service_account_id" {
  description = "Account ID of the function's dedicated service account."
  type        = string
  default     = "token-rotator"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.service_account_id))
    error_message = "service_account_id must be 6-30 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "trigger_service_account_id" {
  description = "Account ID of the service account whose OIDC token the push subscriptions send to the function (it holds only roles/run.invoker on the function's service)."
  type        = string
  default     = "token-rotator-trigger"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.trigger_service_account_id))
    error_message = "trigger_service_account_id must be 6-30 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "role_id_prefix" {
  description = "Prefix of the custom roles' IDs (<prefix>Secret, <prefix>Repository, <prefix>Project). Change it when two instances of the module share a project."
  type        = string
  default     = "tokenRotator"

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.]{3,50}$", var.role_id_prefix))
    error_message = "role_id_prefix must be 3-50 letters, digits, '_' or '.'."
  }
}

# ---------------------------------------------------------------------------------------------------
# Monitoring
# ---------------------------------------------------------------------------------------------------

variable "notification_channels" {
  description = "Monitoring notification channels (projects/P/notificationChannels/ID) the failed-rotation alert notifies. Empty: the incident is only shown in the console."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for channel in var.notification_channels : can(regex("^projects/[^/]+/notificationChannels/[^/]+$", channel))])
    error_message = "notification_channels entries must be projects/PROJECT/notificationChannels/ID."
  }
}

variable "alert_auto_close" {
  description = "How long an open failed-rotation incident stays open without new failures before it closes itself, in seconds with an 's' suffix."
  type        = string
  default     = "86400s"

  validation {
    condition     = can(regex("^[0-9]+s$", var.alert_auto_close))
    error_message = "alert_auto_close must be a number of seconds with an 's' suffix."
  }
}
