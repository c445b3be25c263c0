"""The rotation itself: its data, configuration, state, steps and decisions. It talks to Google
only through the interfaces in `ports` and to upstreams only through a `source.TokenSource`, and
imports no Google client and no HTTP library (the contracts in pyproject.toml hold it to that)."""
