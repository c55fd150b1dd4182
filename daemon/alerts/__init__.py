"""Alert delivery: the outbox, and the console, email, desktop and Apprise channels."""
