"""Speed benchmark of the job (not a test): python benchmarks/run.py [--quick]."""
