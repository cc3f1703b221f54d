"""Benchmarks: measured on this machine, saved as JSON under benchmarks/results/."""
