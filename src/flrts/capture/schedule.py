"""Capture's scheduled work (discovered by flrts.jobs at startup)."""

from flrts.jobs import registry

# Pending proposals past their expiry are closed lazily when touched; this closes the rest, so
# their Parser Logs get the outcome "Rejected" and the desk shows them as expired.
registry.register("all", "flrts.capture.drafts.expire_stale")
