output "function_name" {
  description = "Name of the gen2 Cloud Function (and of its Cloud Run service)."
  value       = module.rotator.function_name
}

output "function_service_account" {
  description = "Email of the service account the function runs as."
  value       = module.rotator.function_service_account_email
}

output "topic" {
  description = "Full name of the Pub/Sub topic Secret Manager publishes the secret's events to."
  value       = module.rotator.events_topic_id
}

output "secret" {
  description = "Full name of the secret holding the upstream token (projects/PROJECT_ID/secrets/SECRET)."
  value       = module.secret.secret
}

output "secret_id" {
  description = "ID of the secret holding the upstream token."
  value       = module.secret.secret_id
}

output "project_number" {
  description = "Number of the project: Secret Manager's events name the secret as projects/NUMBER/secrets/SECRET."
  value       = module.rotator.project_number
}

output "repository" {
  description = "Full name of the remote repository."
  value       = module.secret.repositories[0]
}

output "repository_url" {
  description = "The URL clients use, by repository_format: PYTHON, pip's index URL (https://LOCATION-python.pkg.dev/PROJECT/REPOSITORY/simple/, pip install --index-url ...); DOCKER, the prefix of image names (LOCATION-docker.pkg.dev/PROJECT/REPOSITORY, docker pull .../library/alpine); NPM, the registry URL (https://LOCATION-npm.pkg.dev/PROJECT/REPOSITORY/, npm's registry setting); MAVEN, the repository URL (https://LOCATION-maven.pkg.dev/PROJECT/REPOSITORY, a <repository> url)."
  value       = module.secret.repository_urls["primary"]
}

output "custom_roles" {
  description = "IDs of the function's custom roles: secret, repository and project level."
  value       = module.rotator.custom_roles
}

output "alert_policy" {
  description = "Name of the alert policy on failed rotations (modules/rotator/monitoring.tf)."
  value       = lookup(module.rotator.alert_policies, "rotation_failed", null)
}

output "project_id" {
  description = "Project that holds the secret, the repository, the topic and the function."
  value       = var.project_id
}

output "region" {
  description = "Region of the function and the repository."
  value       = var.region
}

output "repository_id" {
  description = "ID of the remote repository (in region)."
  value       = module.secret.repository_ids["primary"]
}

output "next_rotation_time" {
  description = "When Secret Manager announces the next rotation, as of the last apply or refresh: right after the first apply, the first scheduled rotation (first_rotation_delay after the plan)."
  value       = module.secret.next_rotation_time
}

output "dead_letter_topic" {
  description = "Full name of the dead-letter topic: SECRET_ROTATE events the function failed max_delivery_attempts times."
  value       = module.rotator.dead_letter_topic_id
}

output "audit_job" {
  description = "Full name of the Cloud Scheduler job that starts the daily audit."
  value       = module.rotator.audit_job
}
