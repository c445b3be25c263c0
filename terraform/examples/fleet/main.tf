# One rotator for a fleet of secrets: one function, one events topic with its filtered push
# subscription, one audit; three secrets (fleet.tf) feeding four repositories in two projects.

# Each secret's input (the root or the staged PyPI token). Terraform creates the secrets empty; add
# the tokens yourself after the apply (README.md here, "Add the input tokens"), so they never
# enter Terraform's state.
resource "google_secret_manager_secret" "input" {
  for_each = local.secrets

  project   = var.project_id
  secret_id = each.value.input_secret_id
  labels    = { "managed-by" = "terraform", "component" = "token-rotator" }

  replication {
    auto {}
  }
}

module "rotator" {
  source = "../../modules/rotator"

  project_id = var.project_id
  region     = var.region

  # The repositories in the second project: the function's roles are created there too.
  repository_projects = [var.second_project_id]

  # Distinct names, so this example can live next to the others in one project.
  function_name              = "fleet-token-rotator"
  events_topic_name          = "fleet-token-rotator-events"
  audit_topic_name           = "fleet-token-rotator-audit"
  dead_letter_topic_name     = "fleet-token-rotator-dead-letter"
  service_account_id         = "fleet-token-rotator"
  trigger_service_account_id = "fleet-token-rotator-trg"
  role_id_prefix             = "fleetTokenRotator"

  notification_channels = var.notification_channels
}

module "secret" {
  source   = "../../modules/rotated-secret"
  for_each = local.secrets

  rotator = module.rotator

  secret_id       = "${each.key}-token"
  token_source    = each.value.source
  rotation_period = each.value.rotation_period
  rotation_settings = merge(each.value.rotation_settings, {
    # Built from the resource's configured attributes: known at plan, and it orders the module's
    # IAM binding on the input secret after the secret's creation.
    (each.value.input_key) = "projects/${google_secret_manager_secret.input[each.key].project}/secrets/${google_secret_manager_secret.input[each.key].secret_id}"
  })

  # The first scheduled rotations need the input tokens, which only you can add, after the apply.
  first_rotation_delay = var.first_rotation_delay

  repositories = each.value.repositories
}
