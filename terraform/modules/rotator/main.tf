# The token rotator, deployed once per project: the function, its accounts and custom roles, the
# delivery of Secret Manager's SECRET_ROTATE events (delivery.tf), the audit (audit.tf); the
# alert policies, metrics and dashboard are in monitoring.tf. Each secret it rotates is an
# instance of ../rotated-secret, given this module's outputs (`rotator = module.rotator`).

data "google_project" "this" {
  project_id = var.project_id
}

# The other projects whose repositories the secrets feed: their numbers name their service agents.
data "google_project" "elsewhere" {
  for_each = toset(var.repository_projects)

  project_id = each.value
}

locals {
  # The service agents' addresses (service_agents.tf) follow from it.
  project_number = data.google_project.this.number

  # The function may act on its own project and on the repository projects, unless told otherwise.
  allowed_projects = var.allowed_projects == null ? distinct(concat([var.project_id], var.repository_projects)) : var.allowed_projects

  labels = merge(var.labels, { "managed-by" = "terraform", "component" = "token-rotator" })
}
