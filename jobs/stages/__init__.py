"""The stages over the articles table: screen, segment, summarize, translate."""
