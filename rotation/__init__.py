"""ar-token-rotator: rotates the upstream tokens of Artifact Registry remote repositories."""

__version__ = "0.1.0"  # pyproject.toml reads it from here
