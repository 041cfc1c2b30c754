"""jobs: summarize news articles and translate them into several languages, one bundle per language."""

__version__ = "0.1.0"
