# ---------------------------------------------------------------------------------------------------
# Monitoring (monitoring.tf): the variables only the metrics, alerts and dashboard use.
# notification_channels and alert_auto_close are in variables.tf.
# ---------------------------------------------------------------------------------------------------

variable "audit_interval_hours" {
  description = <<-EOT
    Hours between two audit runs, as audit_schedule sets them (24 for the daily default; 6 for
    "0 */6 * * *"). The "audits stopped" alert opens when no audit_completed was logged for twice
    this long, but Cloud Monitoring allows an absence window of at most 24.5 hours: from 13 hours
    on, the window is 24.5 hours, which with a daily audit means one missed run. The alert is armed
    by the first audit that completes.
  EOT
  type        = number
  default     = 24

  validation {
    condition = (
      var.audit_interval_hours >= 1
      && var.audit_interval_hours <= 24
      && floor(var.audit_interval_hours) == var.audit_interval_hours
    )
    error_message = "audit_interval_hours must be a whole number of hours from 1 to 24 (audit_schedule must run at least daily: Cloud Monitoring cannot wait longer than 24.5 hours for a missing audit)."
  }
}
