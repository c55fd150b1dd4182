"""The ways an alert reaches the buyer: email, desktop, Apprise and the console."""
