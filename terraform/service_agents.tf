# The Google-managed service agents the module grants roles to, and the only place their
# addresses are spelled. Each is fixed by the project number (Google's "Service agents" page,
# https://cloud.google.com/iam/docs/service-agents); google_project_service_identity (apis.tf)
# makes sure each exists before it is granted a role. tests/terraform/test_service_agents.py holds
# them to the table in README.md ("Service agents").
locals {
  service_agents = {
    "artifactregistry.googleapis.com" = "service-${local.project_number}@gcp-sa-artifactregistry.iam.gserviceaccount.com"
    "pubsub.googleapis.com"           = "service-${local.project_number}@gcp-sa-pubsub.iam.gserviceaccount.com"
    "secretmanager.googleapis.com"    = "service-${local.project_number}@gcp-sa-secretmanager.iam.gserviceaccount.com"
  }

  # As IAM members.
  artifact_registry_agent = "serviceAccount:${local.service_agents["artifactregistry.googleapis.com"]}"
  pubsub_agent            = "serviceAccount:${local.service_agents["pubsub.googleapis.com"]}"
  secret_manager_agent    = "serviceAccount:${local.service_agents["secretmanager.googleapis.com"]}"
}
