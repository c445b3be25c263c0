# ---------------------------------------------------------------------------------------------------
# Where
# ---------------------------------------------------------------------------------------------------

variable "project_id" {
  description = "Project that holds the function, its topics and roles, and the secrets it rotates."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a project ID (6-30 characters: lowercase letters, digits, hyphens), not a project number or name."
  }
}

variable "region" {
  description = "Region of the function, the audit's Cloud Scheduler job, the source bucket, and the default location of the secrets' repositories."
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
# What the secrets need of the function's roles
# ---------------------------------------------------------------------------------------------------

variable "repository_projects" {
  description = "Other projects whose repositories the secrets feed. In each, the module creates copies of the <prefix>Repository and <prefix>Project roles, binds the second for the function, and materialises the Artifact Registry service agent, which ../rotated-secret grants access to the secrets its repositories use."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for project in var.repository_projects : can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", project))])
    error_message = "repository_projects must hold project IDs."
  }
}

variable "grant_access" {
  description = "Some secret lets the function grant the Artifact Registry service agent access to it (its grant_access, token-rotator.grant-access): adds secretmanager.secrets.setIamPolicy to the <prefix>Secret role. ../rotated-secret refuses grant_access = true unless this is true."
  type        = bool
  default     = false
}

variable "discovery" {
  description = "Some secret finds its repositories by listing them (token-rotator.discover): binds the <prefix>Repository role on the project, where listing exists. ../rotated-secret refuses a discover setting unless this is true."
  type        = bool
  default     = false
}

# ---------------------------------------------------------------------------------------------------
# Delivery (Pub/Sub)
# ---------------------------------------------------------------------------------------------------

variable "events_topic_name" {
  description = "Name of the Pub/Sub topic every rotated secret's Secret Manager events go to (created by this module; its push subscription is <name>-push)."
  type        = string
  default     = "token-rotator-events"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9._~%+-]{2,249}$", var.events_topic_name)) && !startswith(lower(var.events_topic_name), "goog")
    error_message = "events_topic_name must be 3-250 characters, start with a letter, and not start with 'goog'."
  }
}

variable "audit_topic_name" {
  description = "Name of the Pub/Sub topic Cloud Scheduler publishes the audit message to (its push subscription is <name>-push)."
  type        = string
  default     = "token-rotator-audit"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9._~%+-]{2,249}$", var.audit_topic_name)) && !startswith(lower(var.audit_topic_name), "goog")
    error_message = "audit_topic_name must be 3-250 characters, start with a letter, and not start with 'goog'."
  }
}

variable "dead_letter_topic_name" {
  description = "Name of the dead-letter topic that receives the events and audits the function failed max_delivery_attempts times (its pull subscription, <name>-hold, keeps them 7 days)."
  type        = string
  default     = "token-rotator-dead-letter"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9._~%+-]{2,249}$", var.dead_letter_topic_name)) && !startswith(lower(var.dead_letter_topic_name), "goog")
    error_message = "dead_letter_topic_name must be 3-250 characters, start with a letter, and not start with 'goog'."
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

variable "topic_kms_key_name" {
  description = "Cloud KMS key that encrypts the topics' messages. Null: Google-managed encryption. Pub/Sub's service agent needs roles/cloudkms.cryptoKeyEncrypterDecrypter on it."
  type        = string
  default     = null

  validation {
    condition     = var.topic_kms_key_name == null || can(regex("^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$", coalesce(var.topic_kms_key_name, "-")))
    error_message = "topic_kms_key_name must be a full Cloud KMS key name."
  }
}

# ---------------------------------------------------------------------------------------------------
# Audit
# ---------------------------------------------------------------------------------------------------

variable "audit_schedule" {
  description = "When Cloud Scheduler starts the audit of every managed secret, in cron syntax (audit_time_zone): daily at 06:00 by default."
  type        = string
  default     = "0 6 * * *"

  validation {
    condition     = can(regex("^\\S+( \\S+){4}$", var.audit_schedule))
    error_message = "audit_schedule must be a cron schedule of five fields, such as \"0 6 * * *\"."
  }
}

variable "audit_time_zone" {
  description = "Time zone of audit_schedule (a tz database name)."
  type        = string
  default     = "Etc/UTC"

  validation {
    condition     = can(regex("^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$", var.audit_time_zone))
    error_message = "audit_time_zone must be a tz database name such as Etc/UTC or Europe/Paris."
  }
}

variable "audit_projects" {
  description = "Projects the scheduled audit checks (the message's projects). Empty: the function's ALLOWED_PROJECTS."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for project in var.audit_projects : can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", project))])
    error_message = "audit_projects must hold project IDs."
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
  description = "Projects the function may act on (ALLOWED_PROJECTS). Null: only var.project_id. An empty list removes the restriction. Null: var.project_id and var.repository_projects, where the module grants what the function needs."
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
  description = "Prefix of the custom roles' IDs (<prefix>Secret, <prefix>Repository, <prefix>Project). Change it when two rotators share a project."
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
  description = "Monitoring notification channels (projects/P/notificationChannels/ID) the module's alerts notify. Empty: the incident is only shown in the console."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for channel in var.notification_channels : can(regex("^projects/[^/]+/notificationChannels/[^/]+$", channel))])
    error_message = "notification_channels entries must be projects/PROJECT/notificationChannels/ID."
  }
}

variable "alert_auto_close" {
  description = "How long an open incident stays open without new occurrences before it closes itself, in seconds with an 's' suffix."
  type        = string
  default     = "86400s"

  validation {
    condition     = can(regex("^[0-9]+s$", var.alert_auto_close))
    error_message = "alert_auto_close must be a number of seconds with an 's' suffix."
  }
}
