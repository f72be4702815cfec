"""`python -m vlguard.cli` (what `accelerate launch -m vlguard.cli train ...` runs)."""

import sys

from vlguard.cli import main

# guarded: vLLM's engine starts processes by spawn, which import this module again
if __name__ == "__main__":
    sys.exit(main())
