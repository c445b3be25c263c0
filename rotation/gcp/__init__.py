"""The adapters over Google's clients: Secret Manager, Artifact Registry, Resource Manager,
Pub/Sub and ID tokens, each call with its deadline, each error translated into the core's."""
