"""Ingestion: clean, find layout, split into passages, classify, store."""
