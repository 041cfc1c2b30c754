"""Reading articles: files, folders, pages and feeds into one datasets table."""
