variable "project_id" {
  description = "Project to deploy into."
  type        = string
}

variable "region" {
  description = "Region of the function and the repository."
  type        = string
  default     = "europe-west1"
}

variable "gitlab_url" {
  description = "Base URL of the GitLab instance, e.g. https://gitlab.example.com."
  type        = string

  validation {
    condition     = can(regex("^https://[^/]+/?$", var.gitlab_url))
    error_message = "gitlab_url must be an https:// URL with no path."
  }
}

variable "gitlab_project_id" {
  description = "Numeric ID of the GitLab project whose package registry is the upstream."
  type        = number

  validation {
    condition     = var.gitlab_project_id > 0 && floor(var.gitlab_project_id) == var.gitlab_project_id
    error_message = "gitlab_project_id must be a positive whole number."
  }
}

variable "token_name" {
  description = "Prefix of the minted tokens' names (each is TOKEN_NAME-ROTATION_ID); also the user name the repository sends (GitLab's package registry accepts any user name with an access token)."
  type        = string
  default     = "artifact-registry"
}

variable "secret_id" {
  description = "Secret that receives the project access tokens."
  type        = string
  default     = "gitlab-upstream-token"
}

variable "minting_secret_id" {
  description = "Secret that holds the GitLab token allowed to create and revoke the project's access tokens."
  type        = string
  default     = "gitlab-minting-token"
}

variable "repository_id" {
  description = "Remote repository in front of the GitLab index."
  type        = string
  default     = "gitlab-remote"
}

variable "notification_channels" {
  description = "Monitoring notification channels for the failed-rotation alert."
  type        = list(string)
  default     = []
}

variable "first_rotation_delay" {
  description = "Time between the plan and the first scheduled rotation (SECRET_ROTATE), which needs the GitLab minting token in its secret: add it within this time (README, \"First rotation\"). Minutes or hours, at least 10m; changes after the first apply are ignored."
  type        = string
  default     = "1h"
}
