"""A randomized fault harness for `aliwatch run` on the real servers (see harness.py)."""
