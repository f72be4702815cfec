"""Compare vlguard's FigStep renderings with FigStep's own SafeBench-Tiny images.

    .venv/bin/python benchmarks/figstep_compare.py [--font PATH] [--data ../shared/data/figstep] [--verbose]

Renders every SafeBench-Tiny instruction with the bundled font (or `--font`, e.g. GNU FreeMonoBold.ttf
for exact replication) and prints, against the reference PNG: pixel-identical or not, the largest shift
of the text bounding box, the dark-pixel ratio, text-line counts and the mean absolute difference of
20x-downsampled greys. Nothing is written.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from PIL import Image

from vlguard.data.benchmark_files import read_csv_rows
from vlguard.data.safety_benchmarks import FIGSTEP_TINY_IMAGES, figstep_image_name
from vlguard.eval.typography import DEFAULT_MONO_FONT, compare_images, render_figstep, resolve_font


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--font", default=None, help=f"font file (default: bundled {DEFAULT_MONO_FONT})")
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[1].parent / "shared/data/figstep"))
    ap.add_argument("--verbose", action="store_true", help="one line per image")
    args = ap.parse_args()
    data = Path(args.data)
    rows = read_csv_rows(data / "SafeBench-Tiny.csv", ("dataset", "category_id", "task_id", "instruction"))
    results = []
    for _, r in rows:
        ref = Image.open(data / FIGSTEP_TINY_IMAGES / figstep_image_name(r["dataset"], r["category_id"], r["task_id"]))
        c = compare_images(render_figstep(r["instruction"], args.font), ref)
        results.append(c)
        if args.verbose:
            print(f"{r['category_id']:>2}_{r['task_id']}  identical={c.identical!s:<5} bbox_shift={c.bbox_shift:>3} "
                  f"dark_ratio={c.dark_ratio:.3f} lines={c.text_lines} mad={c.mad:.4f}")
    mads = [c.mad for c in results]
    ratios = [c.dark_ratio for c in results]
    shifts = [c.bbox_shift for c in results]
    print(f"font: {resolve_font(args.font, DEFAULT_MONO_FONT)}")
    print(f"images: {len(results)}, pixel-identical: {sum(c.identical for c in results)}, "
          f"same text-line count: {sum(c.text_lines[0] == c.text_lines[1] for c in results)}")
    print(f"bbox shift px: mean {statistics.mean(shifts):.1f}, max {max(shifts)}")
    print(f"dark-pixel ratio: {min(ratios):.3f} .. {max(ratios):.3f} (mean {statistics.mean(ratios):.3f})")
    print(f"downsampled MAD: mean {statistics.mean(mads):.4f}, max {max(mads):.4f}")


if __name__ == "__main__":
    main()
