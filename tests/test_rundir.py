"""Run directories: fingerprints, refusing to resume another run, and clearing for --force."""

import json

import pytest

from vlguard.errors import DataError, RunDirError
from vlguard.rundir import (
    MANIFEST,
    check_resume,
    claim,
    clear,
    differences,
    existing,
    fingerprint,
    read_manifest,
    write_manifest,
)


def test_fingerprint_is_stable_and_order_free():
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2}) != fingerprint({"a": "1"})


def test_differences_name_dotted_keys():
    old = {"model": "a", "optim": {"lr": 0.1, "steps": 3}, "tasks": [["x", "/p"]]}
    new = {"model": "b", "optim": {"lr": 0.1, "steps": 4}, "tasks": [["x", "/q"]], "extra": 1}
    assert differences(old, new) == ['extra: "(unset)" -> 1', 'model: "a" -> "b"', "optim.steps: 3 -> 4",
                                     'tasks: [["x", "/p"]] -> [["x", "/q"]]']
    assert differences(old, old) == []


def test_resume_refuses_another_run_and_says_what_differs(tmp_path):
    write_manifest(tmp_path, "eval", {"model": "a", "limit": 5})
    check_resume(tmp_path, "eval", {"model": "a", "limit": 5})  # the same run
    with pytest.raises(RunDirError, match=r'differs: limit: 5 -> 6; model: "a" -> "b".*--force'):
        check_resume(tmp_path, "eval", {"model": "b", "limit": 6})
    with pytest.raises(RunDirError, match="holds an eval run, not a training run"):
        check_resume(tmp_path, "train", {"model": "a", "limit": 5})
    many = {f"k{i}": i for i in range(6)}
    write_manifest(tmp_path, "eval", many)
    with pytest.raises(RunDirError, match=r"\(and 3 more\)"):
        check_resume(tmp_path, "eval", {k: v + 1 for k, v in many.items()})


def test_a_run_without_a_manifest_resumes_and_a_broken_one_is_named(tmp_path):
    check_resume(tmp_path, "train", {"x": 1})
    assert read_manifest(tmp_path) is None
    for text in ("[]", '{"settings": 1}', "{not json"):
        (tmp_path / MANIFEST).write_text(text)
        with pytest.raises(DataError, match="run.json"):
            read_manifest(tmp_path)


def test_existing_and_clear(tmp_path):
    (tmp_path / "scores").mkdir()
    (tmp_path / "empty").mkdir()
    (tmp_path / "scores" / "k.jsonl").write_text("{}\n")
    (tmp_path / "metrics.json").write_text("{}")
    (tmp_path / "keep.txt").write_text("mine")
    names = ("scores", "empty", "metrics.json", "missing")
    assert existing(tmp_path, names) == ["scores", "metrics.json"]
    assert clear(tmp_path, names) == ["scores", "empty", "metrics.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_claim_refuses_files_earlier_runs_and_both_flags_with_one_error_type(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(RunDirError, match="is a file"):
        claim(tmp_path / "f", "eval", {}, [])
    with pytest.raises(RunDirError, match="f is a file, not a folder"):
        claim(tmp_path / "f" / "run", "eval", {}, [])
    assert claim(tmp_path / "new", "eval", {}, ["out.json"]) == tmp_path / "new"
    with pytest.raises(RunDirError, match="not both"):
        claim(tmp_path / "new", "eval", {}, [], resume=True, force=True)
    run = tmp_path / "run"
    run.mkdir()
    (run / "out.json").write_text("{}")
    (run / "notes.txt").write_text("mine")
    with pytest.raises(RunDirError, match=r"run: already holds a training run \(out.json\); pass --resume.*--force"):
        claim(run, "train", {"x": 1}, ["out.json", "more.json"])
    assert claim(run, "train", {"x": 1}, ["out.json"], force=True) == run  # force: its first write clears
    assert claim(run, "train", {"x": 1}, ["out.json"], resume=True) == run  # no run.json: resumed as it is
    write_manifest(run, "train", {"x": 1})
    assert claim(run, "train", {"x": 1}, ["out.json"], resume=True) == run
    with pytest.raises(RunDirError, match="x: 1 -> 2"):
        claim(run, "train", {"x": 2}, ["out.json"], resume=True)
    (run / MANIFEST).write_text("{not json")
    with pytest.raises(RunDirError, match="run.json"):
        claim(run, "train", {"x": 1}, ["out.json"], resume=True)


def test_manifest_round_trip(tmp_path):
    write_manifest(tmp_path, "eval", {"m": 1}, image_roots=["/r"])
    data = json.loads((tmp_path / MANIFEST).read_text())
    assert data == {"kind": "eval", "fingerprint": fingerprint({"m": 1}), "settings": {"m": 1}, "image_roots": ["/r"]}
