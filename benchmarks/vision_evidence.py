"""Evidence that the embedded default's vision path works.

Trains a tiny LLaVA briefly on SynthGuard and checks, on held-out test images, that it refuses prompts
about unsafe images and answers prompts about safe images well above chance, and that a control trained
and tested with every image blanked does clearly worse (it can only guess from the text).

    .venv/bin/python benchmarks/vision_evidence.py            # default: ~2-3 minutes on 2 CPU cores
    .venv/bin/python benchmarks/vision_evidence.py --preset quick    # smaller, for a smoke run
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from vision_check import run_evidence  # noqa: E402  (benchmarks/vision_check.py, beside this script)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="full", choices=["full", "quick", "ci"], help="world size and steps")
    ap.add_argument("--size", default="s", choices=["xs", "s", "m"])
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="runs/vision_evidence.json")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        res = run_evidence(Path(tmp), size=args.size, preset=args.preset, steps=args.steps, seed=args.seed,
                           log=lambda m: print(m, flush=True))
    print(json.dumps(res, indent=2))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(res, indent=2))
    return 0 if res["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
