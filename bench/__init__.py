"""Benchmarks against large generated data: ``make bench`` (not part of the test suite)."""
