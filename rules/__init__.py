"""Pure deadline rules: (state, now, policy) -> decisions; filled by issue #3."""
