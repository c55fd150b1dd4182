"""The long-running service: the loop, its backoff, systemd notifications, logs and the lock."""
