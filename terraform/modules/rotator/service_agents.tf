# The Google-managed service agents the modules grant roles to, and the only place their
# addresses are spelled. Each is fixed by the project number (Google's "Service agents" page,
# https://cloud.google.com/iam/docs/service-agents); google_project_service_identity (apis.tf)
# makes sure each exists before it is granted a role. tests/terraform/test_service_agents.py holds
# them to the table in terraform/README.md ("Service agents").
locals {
  # PROJECT_NUMBER stands for the project's number.
  service_agent_templates = {
    "artifactregistry.googleapis.com" = "service-PROJECT_NUMBER@gcp-sa-artifactregistry.iam.gserviceaccount.com"
    "pubsub.googleapis.com"           = "service-PROJECT_NUMBER@gcp-sa-pubsub.iam.gserviceaccount.com"
    "secretmanager.googleapis.com"    = "service-PROJECT_NUMBER@gcp-sa-secretmanager.iam.gserviceaccount.com"
  }

  # This project's agents.
  service_agents = {
    for api, template in local.service_agent_templates : api => replace(template, "PROJECT_NUMBER", local.project_number)
  }

  # As IAM members.
  artifact_registry_agent = "serviceAccount:${local.service_agents["artifactregistry.googleapis.com"]}"
  pubsub_agent            = "serviceAccount:${local.service_agents["pubsub.googleapis.com"]}"
  secret_manager_agent    = "serviceAccount:${local.service_agents["secretmanager.googleapis.com"]}"
}
