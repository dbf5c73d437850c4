"""Reproducible benchmarks of mistral-lca against the official Mistral integrations (not part of the test run).

Run everything with ``python -m benchmarks`` (writes ``benchmarks/RESULTS.md``); see ``benchmarks/README.md``.
"""
