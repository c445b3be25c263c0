output "project_id" {
  description = "Project of the rotator and the secrets (gcloud's --project)."
  value       = module.rotator.project_id
}

output "second_project_id" {
  description = "The second project, holding two of the repositories."
  value       = var.second_project_id
}

output "region" {
  description = "Region of the function and the repositories."
  value       = module.rotator.region
}

output "function_name" {
  description = "Name of the one function that rotates every secret."
  value       = module.rotator.function_name
}

output "topic" {
  description = "The events topic every secret lists in its topics."
  value       = module.rotator.events_topic_id
}

output "audit_job" {
  description = "The Cloud Scheduler job that starts the daily audit (gcloud scheduler jobs run)."
  value       = module.rotator.audit_job
}

output "secrets" {
  description = "Fleet key -> the secret holding its upstream token (projects/PROJECT_ID/secrets/SECRET), as ar-token-rotator takes it."
  value       = { for key, secret in module.secret : key => secret.secret }
}

output "input_secret_ids" {
  description = "Fleet key -> ID of the secret you add its input token to (in project_id): the root PyPI token, or the staged one."
  value       = { for key, secret in google_secret_manager_secret.input : key => secret.secret_id }
}

output "repositories" {
  description = "Fleet key -> the repositories its secret feeds."
  value       = { for key, secret in module.secret : key => secret.repositories }
}

output "repository_urls" {
  description = "Fleet key -> repository key -> pip index URL."
  value       = { for key, secret in module.secret : key => secret.repository_urls }
}

output "next_rotation_times" {
  description = "Fleet key -> when its next scheduled rotation comes, as of the last apply or refresh."
  value       = { for key, secret in module.secret : key => secret.next_rotation_time }
}
