output "function_name" {
  description = "Name of the gen2 Cloud Function (and of its Cloud Run service)."
  value       = google_cloudfunctions2_function.rotator.name
}

output "function_service_account" {
  description = "Email of the service account the function runs as."
  value       = google_service_account.function.email
}

output "topic" {
  description = "Full name of the Pub/Sub topic Secret Manager publishes the secret's events to."
  value       = google_pubsub_topic.events.id
}

output "secret" {
  description = "Full name of the secret holding the upstream token (projects/PROJECT_ID/secrets/SECRET)."
  value       = google_secret_manager_secret.token.id
}

output "secret_id" {
  description = "ID of the secret holding the upstream token."
  value       = google_secret_manager_secret.token.secret_id
}

output "project_number" {
  description = "Number of the project: Secret Manager's events name the secret as projects/NUMBER/secrets/SECRET."
  value       = local.project_number
}

output "repository" {
  description = "Full name of the remote repository."
  value       = google_artifact_registry_repository.remote.id
}

output "repository_url" {
  description = "The URL clients use, by repository_format: PYTHON, pip's index URL (https://LOCATION-python.pkg.dev/PROJECT/REPOSITORY/simple/, pip install --index-url ...); DOCKER, the prefix of image names (LOCATION-docker.pkg.dev/PROJECT/REPOSITORY, docker pull .../library/alpine); NPM, the registry URL (https://LOCATION-npm.pkg.dev/PROJECT/REPOSITORY/, npm's registry setting); MAVEN, the repository URL (https://LOCATION-maven.pkg.dev/PROJECT/REPOSITORY, a <repository> url)."
  value       = local.repository_urls[var.repository_format]

  depends_on = [google_artifact_registry_repository.remote]
}

output "custom_roles" {
  description = "IDs of the function's custom roles: secret, repository and project level."
  value = {
    secret     = google_project_iam_custom_role.secret.name
    repository = google_project_iam_custom_role.repository.name
    project    = google_project_iam_custom_role.project.name
  }
}

output "alert_policy" {
  description = "Name of the alert policy on failed rotations."
  value       = google_monitoring_alert_policy.rotation_failed.name
}

output "project_id" {
  description = "Project that holds the secret, the repository, the topic and the function."
  value       = var.project_id
}

output "region" {
  description = "Region of the function, its trigger and the repository."
  value       = var.region
}

output "repository_id" {
  description = "ID of the remote repository (in region)."
  value       = google_artifact_registry_repository.remote.repository_id
}

output "next_rotation_time" {
  description = "When Secret Manager announces the next rotation, as of the last apply or refresh: right after the first apply, the first scheduled rotation (first_rotation_delay after the plan)."
  value       = google_secret_manager_secret.token.rotation[0].next_rotation_time
}
