variable "project_id" {
  description = "Project of the rotator, the secrets and two of the repositories."
  type        = string
}

variable "second_project_id" {
  description = "Second project, holding the other two repositories (the rotator gets its roles there)."
  type        = string
}

variable "region" {
  description = "Region of the function and the repositories."
  type        = string
  default     = "europe-west1"
}

variable "notification_channels" {
  description = "Monitoring notification channels for the rotator's alerts."
  type        = list(string)
  default     = []
}

variable "first_rotation_delay" {
  description = "Time between the plan and each secret's first scheduled rotation (SECRET_ROTATE), which needs its input token (root or staged) in its input secret: add them within this time. Minutes or hours, at least 10m; changes after the first apply are ignored."
  type        = string
  default     = "1h"
}
