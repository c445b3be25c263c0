"""ar-token-rotator: rotates the upstream tokens of Artifact Registry remote repositories."""
