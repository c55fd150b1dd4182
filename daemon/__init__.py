"""Everything with side effects: settings, the CLI, mail sources, the store, channels."""
