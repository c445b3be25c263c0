# Every resource of the single-secret module (before modules/ existed), moved to its address in
# the two modules: `terraform plan` after the upgrade shows moves, and no replacement of the
# secret, the repository, the topic, the roles or the accounts. (Data sources are read again and
# need no move.) tests/terraform/test_moved.py holds this list to the old module's addresses.

# --- To the rotator -------------------------------------------------------------------------------

moved {
  from = google_project_service.this
  to   = module.rotator.google_project_service.this
}

moved {
  from = google_project_service_identity.secret_manager
  to   = module.rotator.google_project_service_identity.secret_manager
}

moved {
  from = google_project_service_identity.artifact_registry
  to   = module.rotator.google_project_service_identity.artifact_registry
}

moved {
  from = google_project_service_identity.pubsub
  to   = module.rotator.google_project_service_identity.pubsub
}

moved {
  from = google_storage_bucket.source
  to   = module.rotator.google_storage_bucket.source
}

moved {
  from = google_storage_bucket_object.source
  to   = module.rotator.google_storage_bucket_object.source
}

moved {
  from = google_cloudfunctions2_function.rotator
  to   = module.rotator.google_cloudfunctions2_function.rotator
}

moved {
  from = google_service_account.function
  to   = module.rotator.google_service_account.function
}

moved {
  from = google_service_account.trigger
  to   = module.rotator.google_service_account.trigger
}

moved {
  from = google_project_iam_custom_role.secret
  to   = module.rotator.google_project_iam_custom_role.secret
}

moved {
  from = google_project_iam_custom_role.repository
  to   = module.rotator.google_project_iam_custom_role.repository
}

moved {
  from = google_project_iam_custom_role.project
  to   = module.rotator.google_project_iam_custom_role.project
}

moved {
  from = google_project_iam_member.function_discovered_repositories
  to   = module.rotator.google_project_iam_member.function_discovered_repositories
}

moved {
  from = google_project_iam_member.function_project
  to   = module.rotator.google_project_iam_member.function_project
}

moved {
  from = google_cloud_run_v2_service_iam_member.trigger_invoker
  to   = module.rotator.google_cloud_run_v2_service_iam_member.trigger_invoker
}

moved {
  from = google_service_account_iam_member.pubsub_token_creator
  to   = module.rotator.google_service_account_iam_member.pubsub_token_creator
}

moved {
  from = google_pubsub_topic.events
  to   = module.rotator.google_pubsub_topic.events
}

moved {
  from = google_pubsub_topic_iam_member.secret_manager_publisher
  to   = module.rotator.google_pubsub_topic_iam_member.secret_manager_publisher
}

# The failed-rotation metric and alert: modules/rotator/monitoring.tf.
moved {
  from = google_logging_metric.rotation_failed
  to   = module.rotator.google_logging_metric.rotation_failed
}

moved {
  from = google_monitoring_alert_policy.rotation_failed
  to   = module.rotator.google_monitoring_alert_policy.rotation_failed
}

# --- To the rotated secret --------------------------------------------------------------------------

moved {
  from = google_secret_manager_secret.token
  to   = module.secret.google_secret_manager_secret.token
}

moved {
  from = google_secret_manager_secret_iam_member.registry_agent_accessor
  to   = module.secret.google_secret_manager_secret_iam_member.registry_agent_accessor
}

# The one repository becomes the "primary" entry of the module's repositories (main.tf).
moved {
  from = google_artifact_registry_repository.remote
  to   = module.secret.google_artifact_registry_repository.remote["primary"]
}

moved {
  from = google_secret_manager_secret_iam_member.function_secret
  to   = module.secret.google_secret_manager_secret_iam_member.function_secret
}

# Keyed by secret name and by repository name, as before: every instance keeps its key.
moved {
  from = google_secret_manager_secret_iam_member.function_reads
  to   = module.secret.google_secret_manager_secret_iam_member.function_reads
}

moved {
  from = google_artifact_registry_repository_iam_member.function_repository
  to   = module.secret.google_artifact_registry_repository_iam_member.function_repository
}
