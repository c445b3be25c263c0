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
