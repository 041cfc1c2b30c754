"""What a run leaves behind: bundles, the lock, status and review pages."""
