"""The benchmark harness: `make bench` (python -m bench) seeds, serves, loads and reports."""
