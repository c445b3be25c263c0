variable "project_id" {
  description = "Project to deploy into."
  type        = string
}

variable "region" {
  description = "Region of the function and the repository."
  type        = string
  default     = "europe-west1"
}

variable "dockerhub_username" {
  description = "The Docker Hub user whose personal access tokens are minted (the dockerhub-namespace setting); also the user name the repository sends to Docker Hub."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9_-]{2,28}[a-z0-9]$", var.dockerhub_username))
    error_message = "dockerhub_username must be a Docker Hub user name: 4 to 30 lowercase letters and digits (with '-' or '_' inside), as Docker Hub shows it."
  }
}

variable "secret_id" {
  description = "Secret that receives the Docker Hub access tokens."
  type        = string
  default     = "dockerhub-upstream-token"
}

variable "admin_secret_id" {
  description = "Secret that holds the Docker Hub credential allowed to create and revoke the account's access tokens."
  type        = string
  default     = "dockerhub-admin-credential"
}

variable "repository_id" {
  description = "Remote Docker repository in front of Docker Hub."
  type        = string
  default     = "dockerhub-remote"
}

variable "notification_channels" {
  description = "Monitoring notification channels for the failed-rotation alert."
  type        = list(string)
  default     = []
}

variable "first_rotation_delay" {
  description = "Time between the plan and the first scheduled rotation (SECRET_ROTATE), which needs the Docker Hub admin credential in its secret: add it within this time (README, \"First rotation\"). Minutes or hours, at least 10m; changes after the first apply are ignored."
  type        = string
  default     = "1h"
}
