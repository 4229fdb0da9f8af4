"""Benchmarks, each a plain script (`python -m bench.<name>`); results are recorded in docs/performance.md."""
