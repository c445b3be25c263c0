# Public PyPI upstream. Each rotation derives a new restricted, short-lived token from a root
# PyPI token (pypi-derived) and points the remote repository at it.

# The root PyPI token. Terraform creates the secret empty; add the token yourself after the apply
# (README.md here, "Add the root token"), so it never enters Terraform's state.
resource "google_secret_manager_secret" "pypi_root" {
  project   = var.project_id
  secret_id = var.root_secret_id
  labels    = { "managed-by" = "terraform", "component" = "token-rotator" }

  replication {
    auto {}
  }
}

module "rotator" {
  source = "../../modules/rotator"

  project_id            = var.project_id
  region                = var.region
  notification_channels = var.notification_channels
}

module "secret" {
  source = "../../modules/rotated-secret"

  rotator = module.rotator

  secret_id    = var.secret_id
  token_source = "pypi-derived"

  # A derived token carries its own expiry: rotate daily, keep the last three.
  rotation_period = "86400s"
  rotation_settings = {
    # Built from the resource's configured attributes: known at plan, and it orders the module's
    # IAM binding on the root secret after the secret's creation.
    "root-secret"   = "projects/${google_secret_manager_secret.pypi_root.project}/secrets/${google_secret_manager_secret.pypi_root.secret_id}"
    "min-interval"  = "1h"
    "keep-versions" = "3"
  }

  # The first scheduled rotation needs the root PyPI token, which only you can add, after the apply.
  first_rotation_delay = var.first_rotation_delay

  repositories = {
    remote = { repository_id = var.repository_id }
  }
}
