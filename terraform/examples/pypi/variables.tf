variable "project_id" {
  description = "Project to deploy into."
  type        = string
}

variable "region" {
  description = "Region of the function and the repository."
  type        = string
  default     = "europe-west1"
}

variable "secret_id" {
  description = "Secret that receives the derived upstream tokens."
  type        = string
  default     = "pypi-upstream-token"
}

variable "root_secret_id" {
  description = "Secret that holds the root PyPI token the upstream tokens are derived from."
  type        = string
  default     = "pypi-root-token"
}

variable "repository_id" {
  description = "Remote repository in front of PyPI."
  type        = string
  default     = "pypi-remote"
}

variable "notification_channels" {
  description = "Monitoring notification channels for the failed-rotation alert."
  type        = list(string)
  default     = []
}

variable "first_rotation_delay" {
  description = "Time between the plan and the first scheduled rotation (SECRET_ROTATE), which needs the root PyPI token in its secret: add it within this time (README, \"First rotation\"). Minutes or hours, at least 10m; changes after the first apply are ignored."
  type        = string
  default     = "1h"
}
