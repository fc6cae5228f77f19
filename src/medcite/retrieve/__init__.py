"""Retrieval: from a Query to ranked Hits."""
