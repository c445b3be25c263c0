# Secret Manager publishes the secret's events (SECRET_ROTATE and every change) to this topic;
# the function's Eventarc trigger subscribes to it.
resource "google_pubsub_topic" "events" {
  project      = var.project_id
  name         = var.topic_name
  labels       = local.labels
  kms_key_name = var.topic_kms_key_name

  # Undelivered events are retried by Eventarc for up to a day; keep them a little longer.
  message_retention_duration = "172800s"

  depends_on = [google_project_service.this]
}

resource "google_pubsub_topic_iam_member" "secret_manager_publisher" {
  project = var.project_id
  topic   = google_pubsub_topic.events.name
  role    = "roles/pubsub.publisher"
  member  = local.secret_manager_agent

  depends_on = [google_project_service_identity.secret_manager]
}
