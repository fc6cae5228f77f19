"""Looking after a data directory: `check` (and repair) it, `backup` and `restore` it."""
