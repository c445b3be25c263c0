output "function_name" {
  description = "Name of the rotating function."
  value       = module.token_rotator.function_name
}

output "topic" {
  description = "Topic Secret Manager publishes the secret's events to."
  value       = module.token_rotator.topic
}

output "secret" {
  description = "Secret holding the upstream token."
  value       = module.token_rotator.secret
}

output "repository_url" {
  description = "pip index URL of the remote repository."
  value       = module.token_rotator.repository_url
}

output "force_rotation_command" {
  description = "Publishes a forced SECRET_ROTATE for the secret, as Secret Manager would."
  value = join(" ", [
    "gcloud pubsub topics publish ${module.token_rotator.topic}",
    "--attribute=eventType=SECRET_ROTATE,dataFormat=JSON_API_V1,secretId=projects/${module.token_rotator.project_number}/secrets/${module.token_rotator.secret_id},timestamp=$(date -u +%Y-%m-%dT%H:%M:%SZ),force=true",
    "--message='{\"name\":\"projects/${module.token_rotator.project_number}/secrets/${module.token_rotator.secret_id}\"}'",
  ])
}
