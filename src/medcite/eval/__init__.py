"""Evaluations run as commands (`medcite eval ...`), never as tests."""
