# The fleet: three secrets, each feeding its repositories, four repositories in two projects. Plain
# values only (tests/terraform/test_fleet.py has Terraform evaluate them without providers).
locals {
  secrets = {
    # Team A's PyPI token, derived daily from its root token, used in both projects.
    "pypi-team-a" = {
      source          = "pypi-derived"
      input_key       = "root-secret"
      input_secret_id = "pypi-team-a-root"
      rotation_period = "86400s"
      rotation_settings = {
        "min-interval"  = "1h"
        "keep-versions" = "3"
      }
      repositories = {
        primary = { repository_id = "pypi-team-a", project_id = var.project_id }
        second  = { repository_id = "pypi-team-a", project_id = var.second_project_id }
      }
    }

    # Team B's PyPI token, derived daily from its own root token.
    "pypi-team-b" = {
      source          = "pypi-derived"
      input_key       = "root-secret"
      input_secret_id = "pypi-team-b-root"
      rotation_period = "86400s"
      rotation_settings = {
        "min-interval"  = "1h"
        "keep-versions" = "3"
      }
      repositories = {
        primary = { repository_id = "pypi-team-b", project_id = var.project_id }
      }
    }

    # A token a person stages weekly (pypi-staged), for the second project's mirror.
    "pypi-staged" = {
      source          = "pypi-staged"
      input_key       = "staging-secret"
      input_secret_id = "pypi-staged-next"
      rotation_period = "604800s"
      rotation_settings = {
        "keep-versions" = "2"
      }
      repositories = {
        second = { repository_id = "pypi-staged", project_id = var.second_project_id }
      }
    }
  }
}
