"""Live fetchers (the `[fetch]` extra): PubMed and PMC through NCBI E-utilities, drug labels
through DailyMed. Each writes what it fetched into a folder under the data directory and
ingests it; a run that stops part-way resumes where it stopped."""
