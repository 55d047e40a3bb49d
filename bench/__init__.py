"""Benchmarks of batched auto-save (issue 6): figures go to bench/results/, never into tests.

Run everything with `make bench` (or `python -m bench.run`); see bench/README.md.
"""
