"""Pure deadline rules: (state, now, policy) -> decisions."""
