output "project_id" {
  description = "Project the example deploys into (gcloud's --project)."
  value       = module.rotator.project_id
}

output "region" {
  description = "Region of the function and the repository (gcloud's --region and --location)."
  value       = module.rotator.region
}

output "function_name" {
  description = "Name of the rotating function."
  value       = module.rotator.function_name
}

output "topic" {
  description = "Topic Secret Manager publishes the secret's events to."
  value       = module.rotator.events_topic_id
}

output "secret" {
  description = "Secret holding the upstream token (projects/PROJECT_ID/secrets/SECRET), as ar-token-rotator takes it."
  value       = module.secret.secret
}

output "secret_id" {
  description = "ID of the secret holding the upstream token."
  value       = module.secret.secret_id
}

output "admin_secret_id" {
  description = "ID of the secret you add the Docker Hub admin credential to (in project_id)."
  value       = google_secret_manager_secret.dockerhub_admin.secret_id
}

output "next_rotation_time" {
  description = "When the next scheduled rotation comes, as of the last apply or refresh: right after the first apply, the first one."
  value       = module.secret.next_rotation_time
}

output "repository_id" {
  description = "ID of the remote repository (in region)."
  value       = module.secret.repository_ids["remote"]
}

output "repository_url" {
  description = "Prefix of the remote repository's image names (LOCATION-docker.pkg.dev/PROJECT/REPOSITORY): docker pull REPOSITORY_URL/library/alpine."
  value       = module.secret.repository_urls["remote"]
}

output "registry_host" {
  description = "Host of the repository's registry (LOCATION-docker.pkg.dev), for gcloud auth configure-docker."
  value       = split("/", module.secret.repository_urls["remote"])[0]
}

output "force_rotation_command" {
  description = "Publishes a forced SECRET_ROTATE for the secret, as Secret Manager would."
  value = join(" ", [
    "gcloud pubsub topics publish ${module.rotator.events_topic_id}",
    "--attribute=eventType=SECRET_ROTATE,dataFormat=JSON_API_V1,secretId=projects/${module.rotator.project_number}/secrets/${module.secret.secret_id},timestamp=$(date -u +%Y-%m-%dT%H:%M:%SZ),force=true",
    "--message='{\"name\":\"projects/${module.rotator.project_number}/secrets/${module.secret.secret_id}\"}'",
  ])
}
