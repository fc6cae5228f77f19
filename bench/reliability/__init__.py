"""The parts of `bench/bench_reliability.py`, one module per kind of trial."""
