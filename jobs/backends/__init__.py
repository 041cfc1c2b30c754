"""Text generation backends: texts in, texts out, batched by a token budget."""
