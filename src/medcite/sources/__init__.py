"""Source readers: one module per format, all producing ParsedDocuments."""
