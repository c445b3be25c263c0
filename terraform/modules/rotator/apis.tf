locals {
  apis = [
    "artifactregistry.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "cloudscheduler.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ]
}

resource "google_project_service" "this" {
  for_each = var.enable_apis ? toset(local.apis) : toset([])

  project = var.project_id
  service = each.value

  # Other workloads in the project may use these APIs: never switch them off on destroy.
  disable_on_destroy         = false
  disable_dependent_services = false
}

# Service agents exist only once something asks for them; they must exist before they are
# granted roles (the topic's publisher, the secret's accessor, the dead-letter topic's publisher).
resource "google_project_service_identity" "secret_manager" {
  provider = google-beta

  project = var.project_id
  service = "secretmanager.googleapis.com"

  depends_on = [google_project_service.this]
}

resource "google_project_service_identity" "artifact_registry" {
  provider = google-beta

  project = var.project_id
  service = "artifactregistry.googleapis.com"

  depends_on = [google_project_service.this]
}

# The Artifact Registry service agents of the other projects whose repositories the secrets feed
# (var.repository_projects): each reads the secrets its repositories use.
resource "google_project_service_identity" "artifact_registry_elsewhere" {
  provider = google-beta
  for_each = toset(var.repository_projects)

  project = each.value
  service = "artifactregistry.googleapis.com"
}

resource "google_project_service_identity" "pubsub" {
  provider = google-beta

  project = var.project_id
  service = "pubsub.googleapis.com"

  depends_on = [google_project_service.this]
}
