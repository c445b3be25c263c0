# What ../rotated-secret needs (pass the whole module: `rotator = module.rotator`), and what
# people and examples use.

output "project_id" {
  description = "Project of the function, its topics and roles, and the secrets it rotates."
  value       = var.project_id
}

output "region" {
  description = "Region of the function (the default location of the secrets' repositories)."
  value       = var.region
}

output "project_number" {
  description = "Number of the project: Secret Manager's events name a secret as projects/NUMBER/secrets/SECRET."
  value       = local.project_number
}

output "labels" {
  description = "The labels the module puts on its resources (var.labels and its own); ../rotated-secret adds them to its own."
  value       = local.labels
}

output "function_name" {
  description = "Name of the gen2 Cloud Function (and of its Cloud Run service)."
  value       = google_cloudfunctions2_function.rotator.name
}

output "function_url" {
  description = "URL of the function's Cloud Run service, where both push subscriptions deliver."
  value       = local.function_url
}

output "function_service_account_email" {
  description = "Email of the service account the function runs as: ../rotated-secret binds it on each secret and repository."
  value       = google_service_account.function.email
}

output "trigger_service_account_email" {
  description = "Email of the service account whose OIDC token the push subscriptions send."
  value       = google_service_account.trigger.email
}

output "events_topic_id" {
  description = "Full name of the topic every rotated secret lists in its topics (projects/P/topics/T). Known once Secret Manager may publish to it."
  value       = google_pubsub_topic.events.id

  # Secret Manager checks that it can publish to the topic when a secret naming it is created.
  depends_on = [google_pubsub_topic_iam_member.secret_manager_publisher]
}

output "events_subscription" {
  description = "Full name of the push subscription that delivers SECRET_ROTATE (and nothing else) to the function."
  value       = google_pubsub_subscription.events.id
}

output "audit_topic_id" {
  description = "Full name of the topic the audit's Cloud Scheduler job publishes to."
  value       = google_pubsub_topic.audit.id
}

output "audit_job" {
  description = "Full name of the Cloud Scheduler job that starts the audit (gcloud scheduler jobs run starts one now)."
  value       = google_cloud_scheduler_job.audit.id
}

output "dead_letter_topic_id" {
  description = "Full name of the dead-letter topic."
  value       = google_pubsub_topic.dead_letter.id
}

output "dead_letter_subscription" {
  description = "Full name of the pull subscription holding the dead letters."
  value       = google_pubsub_subscription.dead_letter.id
}

output "alert_policies" {
  description = "Names of the module's alert policies, by what they watch."
  value = {
    dead_letter = google_monitoring_alert_policy.dead_letter.name
  }
}

output "custom_roles" {
  description = "IDs of the function's custom roles in project_id: secret, repository and project level."
  value = {
    secret     = google_project_iam_custom_role.secret.name
    repository = google_project_iam_custom_role.repository.name
    project    = google_project_iam_custom_role.project.name
  }
}

output "repository_roles" {
  description = "Project ID -> the <prefix>Repository role in it: project_id and each of repository_projects. A repository elsewhere cannot be bound."
  value = merge(
    { (var.project_id) = google_project_iam_custom_role.repository.name },
    { for project, role in google_project_iam_custom_role.repository_elsewhere : project => role.name },
  )
}

output "artifact_registry_agents" {
  description = "Project ID -> its Artifact Registry service agent as an IAM member, for project_id and each of repository_projects. Known once each agent exists."
  value       = local.artifact_registry_agents

  depends_on = [
    google_project_service_identity.artifact_registry,
    google_project_service_identity.artifact_registry_elsewhere,
  ]
}

output "grant_access" {
  description = "Whether the <prefix>Secret role holds secretmanager.secrets.setIamPolicy (var.grant_access)."
  value       = var.grant_access
}

output "discovery" {
  description = "Whether the <prefix>Repository role is bound on the project for discovery (var.discovery)."
  value       = var.discovery
}
