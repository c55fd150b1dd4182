"""Settings, secrets, paths and the error root: what every other part of the daemon reads."""
