"""Measure the harm lexicon (`vlguard.judges.harm_terms`): recall on harmful requests, false positives on benign ones.

    .venv/bin/python benchmarks/harm_terms_eval.py                 # table
    .venv/bin/python benchmarks/harm_terms_eval.py --json          # numbers as JSON
    .venv/bin/python benchmarks/harm_terms_eval.py --show advbench # list the misses (or false positives)

Sets (from ../shared/data, or --data-root), as the lexicon's docstring reports them:
  harmful (recall): AdvBench harmful_behaviors goals, FigStep SafeBench questions of 6 harm categories,
    MM-SafetyBench `Question`s of 6 harm scenarios (01-04, 06, 09), SynthGuard vl_instruct conversations
    (generated, seed 0, 300 conversations: recall on `vlc-*`, false removals on the rest); held out: XSTest
    unsafe prompts, VLGuard train unsafe instructions on safe images.
  benign (false-positive rate): Alpaca (both files, instruction + input), LLaVA COCO instructions and
    LLaVA-Bench questions, AlpacaEval instructions, MMLU test questions, XSTest safe prompts (adversarial:
    homonyms, games, definitions); held out: VLGuard train safe instructions on safe images.
The development sets were used to adjust patterns (in general form); the held-out ones only measured.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from vlguard.judges.harm_terms import HARM_TERMS_VERSION, harm_match  # noqa: E402

SAFEBENCH_HARM = {"Illegal Activity", "Hate Speech", "Malware Generation", "Physical Harm", "Fraud",
                  "Privacy Violation"}
MMSB_HARM = ("01-", "02-", "03-", "04-", "06-", "09-")


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_sets(root: Path) -> dict[str, tuple[str, list[str]]]:
    """name -> (kind "harmful"/"benign", texts)."""
    sets: dict[str, tuple[str, list[str]]] = {}
    with open(root / "advbench" / "harmful_behaviors.csv", newline="", encoding="utf-8") as f:
        sets["advbench"] = ("harmful", [r["goal"] for r in csv.DictReader(f)])
    with open(root / "xstest" / "xstest_prompts.csv", newline="", encoding="utf-8") as f:
        xs = list(csv.DictReader(f))
    sets["xstest_unsafe (held-out)"] = ("harmful", [r["prompt"] for r in xs if r["label"] == "unsafe"])
    with open(root / "figstep" / "safebench.csv", newline="", encoding="utf-8") as f:
        sets["safebench"] = ("harmful", [r["question"] for r in csv.DictReader(f)
                                                    if r["category_name"] in SAFEBENCH_HARM])
    mm = []
    for p in sorted((root / "mm-safetybench" / "processed_questions").glob("*.json")):
        if p.name.startswith(MMSB_HARM):
            mm += [q["Question"] for q in json.loads(p.read_text(encoding="utf-8")).values()]
    sets["mm-safetybench"] = ("harmful", mm)
    vg = json.loads((root / "vlguard" / "train.json").read_text(encoding="utf-8"))
    unsafe_instr, safe_instr = [], []
    for r in vg:
        if r.get("safe"):
            for t in r["instr-resp"]:
                if "unsafe_instruction" in t:
                    unsafe_instr.append(t["unsafe_instruction"])
                elif "safe_instruction" in t:
                    safe_instr.append(t["safe_instruction"])
    sets["vlguard_unsafe_instr (held-out)"] = ("harmful", unsafe_instr)

    alpaca = []
    for name in ("alpaca_small_2000.json", "alpaca_gpt4_en_demo_999.json"):
        for r in json.loads((root / "alpaca" / name).read_text(encoding="utf-8")):
            alpaca.append(r["instruction"] + ("\n" + r["input"] if r.get("input") else ""))
    sets["alpaca"] = ("benign", alpaca)
    llava = [r["instruction"] for r in _jsonl(root / "llava" / "coco2014_val_gpt4_qa_30x3.jsonl")]
    llava += [r["text"] for r in _jsonl(root / "llava" / "qa90_questions.jsonl")]
    sets["llava"] = ("benign", llava)
    sets["xstest_safe"] = ("benign", [r["prompt"] for r in xs if r["label"] == "safe"])
    sets["vlguard_safe_instr (held-out)"] = ("benign", safe_instr)
    sets["alpaca_eval"] = ("benign", [r["instruction"] for r in
                                                 _jsonl(root / "alpaca_eval" / "alpaca_eval_instructions.jsonl")])
    mmlu = []
    for p in sorted((root / "mmlu" / "test").glob("*.csv")):
        with open(p, newline="", encoding="utf-8") as f:
            mmlu += [r["question"] for r in csv.DictReader(f)]
    sets["mmlu_questions"] = ("benign", mmlu)
    return sets


def synthguard(tmp: Path) -> dict[str, float]:
    """Conversation-level recall on SynthGuard's contaminated `vlc-*` rows and false removals on the rest."""
    from vlguard.synth import generate_synthguard

    generate_synthguard(tmp, seed=0, n_train=20, n_test=10, n_vl_instruct=300, contamination=0.1)
    rows = json.loads((tmp / "vl_instruct.json").read_text(encoding="utf-8"))
    hit = {r["id"]: any(harm_match(t["value"]) for t in r["conversations"] if t["from"] == "human") for r in rows}
    bad = [k for k in hit if k.startswith("vlc-")]
    good = [k for k in hit if not k.startswith("vlc-")]
    return {"recall": sum(hit[k] for k in bad) / len(bad), "n_contaminated": len(bad),
            "false_removal_rate": sum(hit[k] for k in good) / len(good), "n_clean": len(good)}


def measure(root: Path) -> dict[str, dict]:
    out = {}
    for name, (kind, texts) in load_sets(root).items():
        t0 = time.perf_counter()
        matches = [harm_match(t) for t in texts]
        secs = time.perf_counter() - t0
        flagged = sum(m is not None for m in matches)
        out[name] = {"kind": kind, "n": len(texts), "flagged": flagged, "rate": flagged / len(texts),
                     "us_per_text": secs / len(texts) * 1e6,
                     "misses" if kind == "harmful" else "false_positives":
                         [t for t, m in zip(texts, matches) if m is None] if kind == "harmful"
                         else [f"{t!r} -> {m}" for t, m in zip(texts, matches) if m is not None]}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-root", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--show", help="print the misses / false positives of the sets whose name contains this")
    args = ap.parse_args()
    import tempfile

    res = measure(args.data_root)
    with tempfile.TemporaryDirectory() as tmp:
        sg = synthguard(Path(tmp))
    if args.json:
        print(json.dumps({k: {kk: vv for kk, vv in v.items() if kk not in ("misses", "false_positives")}
                          for k, v in res.items()} | {"synthguard_vl_instruct": sg, "version": HARM_TERMS_VERSION},
                         indent=2))
    else:
        print(f"harm lexicon v{HARM_TERMS_VERSION}")
        print(f"{'set':34} {'kind':8} {'n':>6} {'flagged':>8} {'rate':>7} {'us/text':>8}")
        for k, v in res.items():
            label = "recall" if v["kind"] == "harmful" else "FPR"
            print(f"{k:34} {v['kind']:8} {v['n']:6d} {v['flagged']:8d} {v['rate'] * 100:6.1f}% {v['us_per_text']:8.0f}"
                  f"  ({label})")
        print(f"synthguard vl_instruct (seed 0): recall {sg['recall'] * 100:.1f}% of {sg['n_contaminated']} "
              f"contaminated, false removals {sg['false_removal_rate'] * 100:.1f}% of {sg['n_clean']}")
    if args.show:
        for k, v in res.items():
            if args.show in k:
                print(f"\n== {k}")
                for line in v.get("misses", v.get("false_positives", [])):
                    print("  ", line)


if __name__ == "__main__":
    main()
