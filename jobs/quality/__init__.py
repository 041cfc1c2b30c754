"""Language helpers, QA flags and evaluation against references."""
