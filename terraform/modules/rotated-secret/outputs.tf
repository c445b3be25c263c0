output "secret" {
  description = "Full name of the secret holding the upstream token (projects/PROJECT_ID/secrets/SECRET), as ar-token-rotator takes it."
  value       = google_secret_manager_secret.token.id
}

output "secret_id" {
  description = "ID of the secret holding the upstream token."
  value       = google_secret_manager_secret.token.secret_id
}

output "event_secret" {
  description = "The secret as Secret Manager's events name it: projects/NUMBER/secrets/SECRET."
  value       = "projects/${var.rotator.project_number}/secrets/${google_secret_manager_secret.token.secret_id}"
}

output "repositories" {
  description = "Full names of the repositories the secret feeds (token-rotator.repositories): the created ones, then additional_repositories."
  value       = local.repositories

  depends_on = [google_artifact_registry_repository.remote]
}

output "repository_ids" {
  description = "Key -> ID of each repository this module created (in its location)."
  value       = { for key, repository in google_artifact_registry_repository.remote : key => repository.repository_id }
}

output "repository_urls" {
  description = "Key -> the URL clients use, by repository_format: PYTHON, pip's index URL (https://LOCATION-python.pkg.dev/PROJECT/REPOSITORY/simple/); DOCKER, the prefix of image names (LOCATION-docker.pkg.dev/PROJECT/REPOSITORY); NPM, the registry URL (https://LOCATION-npm.pkg.dev/PROJECT/REPOSITORY/); MAVEN, the repository URL (https://LOCATION-maven.pkg.dev/PROJECT/REPOSITORY)."
  value       = local.repository_urls

  depends_on = [google_artifact_registry_repository.remote]
}

output "next_rotation_time" {
  description = "When Secret Manager announces the next rotation, as of the last apply or refresh: right after the first apply, the first scheduled rotation (first_rotation_delay after the plan)."
  value       = google_secret_manager_secret.token.rotation[0].next_rotation_time
}
