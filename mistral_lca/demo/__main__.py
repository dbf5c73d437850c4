"""``python -m mistral_lca.demo [options]``: the same as ``mistral-lca demo [options]``."""

from __future__ import annotations

import sys

from mistral_lca.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["demo", *sys.argv[1:]]))
