# The single-secret module of before the split, kept for existing deployments: one rotator
# (modules/rotator) and one rotated secret (modules/rotated-secret) with its one repository, from
# the same variables as before. moved.tf moves every resource of an existing deployment to its new
# address, so upgrading replaces nothing. New deployments, and fleets of secrets, call the two
# modules directly (README.md, "Modules").

locals {
  # Discovery (token-rotator.discover) needs the rotator's project-wide repository binding.
  discovery = trimspace(lookup(var.rotation_settings, "discover", "")) != ""
}

module "rotator" {
  source = "./modules/rotator"

  project_id  = var.project_id
  region      = var.region
  enable_apis = var.enable_apis
  labels      = var.labels

  grant_access = var.grant_access
  discovery    = local.discovery

  # The topic keeps its name (token-rotator by default): it is not replaced.
  events_topic_name     = var.topic_name
  topic_kms_key_name    = var.topic_kms_key_name
  max_delivery_attempts = var.max_delivery_attempts
  audit_schedule        = var.audit_schedule

  function_name              = var.function_name
  source_root                = var.source_root
  source_bucket_name         = var.source_bucket_name
  source_bucket_log_bucket   = var.source_bucket_log_bucket
  allowed_projects           = var.allowed_projects
  allowed_upstream_hosts     = var.allowed_upstream_hosts
  max_event_age              = var.max_event_age
  log_level                  = var.log_level
  max_instance_count         = var.max_instance_count
  timeout_seconds            = var.timeout_seconds
  available_memory           = var.available_memory
  build_service_account      = var.build_service_account
  service_account_id         = var.service_account_id
  trigger_service_account_id = var.trigger_service_account_id
  role_id_prefix             = var.role_id_prefix

  notification_channels = var.notification_channels
  alert_auto_close      = var.alert_auto_close
}

module "secret" {
  source = "./modules/rotated-secret"

  rotator = module.rotator

  secret_id            = var.secret_id
  token_source         = var.token_source
  rotation_settings    = var.rotation_settings
  grant_access         = var.grant_access
  rotation_period      = var.rotation_period
  first_rotation_delay = var.first_rotation_delay
  version_destroy_ttl  = var.version_destroy_ttl
  secret_kms_key_name  = var.secret_kms_key_name

  repository_format = var.repository_format
  # The key "primary" is in moved.tf's addresses: keep it.
  repositories = {
    primary = { repository_id = var.repository_id }
  }
  upstream_uri                = var.upstream_uri
  upstream_username           = var.upstream_username
  initial_secret_version      = var.initial_secret_version
  disable_upstream_validation = var.disable_upstream_validation
  additional_repositories     = var.additional_repositories
  repository_kms_key_name     = var.repository_kms_key_name
}
