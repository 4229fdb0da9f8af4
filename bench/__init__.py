"""Benchmarks: each module's main() measures one path and records its results in docs/performance.md."""
