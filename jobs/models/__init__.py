"""Models: hub access, revisions and family quirks."""
