"""`vlguard data build` / `data labels` / `data validate --taxonomy` from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from vlguard.cli import main
from vlguard.synth import generate_synthguard

from tests.support.openai_server import FakeOpenAIServer

sys.path.insert(0, str(Path(__file__).parent))
from build_fakes import good_answer  # noqa: E402


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("sg")
    generate_synthguard(root, seed=1, n_train=6, n_test=2, n_vl_instruct=2)
    return root


def labels_csv(world, tmp_path, capsys):
    csv = tmp_path / "labels.csv"
    assert main(["data", "labels", str(world / "train.json"), "-o", str(csv)]) == 0
    assert "wrote 6 image label(s)" in capsys.readouterr().out
    return csv


def test_dry_run_prints_prompts_and_calls_nothing(world, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    csv = labels_csv(world, tmp_path, capsys)
    out = tmp_path / "o.json"
    # No server, no key: a dry run must not need either.
    assert main(["data", "build", "--images", str(world / "train"), "--labels", str(csv), "--annotator", "gpt-x",
                 "-o", str(out), "--dry-run"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "INSTRUCTION: <the instruction>" in text and "This image has been labelled harmful" in text
    assert "request(s) would be sent to gpt-x" in text and not out.exists()


def test_build_prints_tokens_and_cost_then_validates(world, tmp_path, capsys):
    csv = labels_csv(world, tmp_path, capsys)
    out = tmp_path / "o.json"
    with FakeOpenAIServer(good_answer) as server:
        args = ["data", "build", "--images", str(world / "train"), "--labels", str(csv), "--annotator", "gpt-x",
                "--base-url", server.base_url, "-o", str(out), "--price-input", "2.5", "--price-output", "10"]
        assert main(args) == 0
        text = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
        n = len(server.chat_requests)
        assert "6 of 6 image(s) annotated" in text and f"annotator: {n} call(s)" in text
        assert "cost of this run: $0.0" in text and "per 1M input/output tokens" in text
        manifest = json.loads(out.with_suffix(".build.json").read_text())
        usage = manifest["summary"]["usage"]
        assert manifest["summary"]["cost"] == pytest.approx((usage["prompt_tokens"] * 2.5
                                                             + usage["completion_tokens"] * 10) / 1e6)
        # A second run is answered from the cache: no call, no cost.
        assert main(args) == 0
        assert len(server.chat_requests) == n
        text = " ".join(capsys.readouterr().out.split())
        assert f"{n} from the cache" in text and "annotator: 0 call(s)" in text and "reused from the cache" in text
    assert main(["data", "validate", str(out), "--image-root", str(world / "train"), "--lint"]) == 0
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().out


def test_build_will_not_overwrite_a_file_it_did_not_make(world, tmp_path, capsys):
    csv = labels_csv(world, tmp_path, capsys)
    out = tmp_path / "mine.json"
    out.write_text("[]")
    assert main(["data", "build", "--images", str(world / "train"), "--labels", str(csv), "--annotator", "x",
                 "--base-url", "http://127.0.0.1:9/v1", "-o", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err and out.read_text() == "[]"


def test_missing_images_fail_before_any_call(world, tmp_path, capsys):
    csv = tmp_path / "labels.csv"
    csv.write_text("image,safe,category,subcategory\nsafe/nothere.png,true,,\nalso/gone.png,true,,\n")
    with FakeOpenAIServer(good_answer) as server:
        assert main(["data", "build", "--images", str(world / "train"), "--labels", str(csv), "--annotator", "x",
                     "--base-url", server.base_url, "-o", str(tmp_path / "o.json")]) == 1
        assert server.requests == []
    err = " ".join(capsys.readouterr().err.split())
    assert "2 image(s) cannot be used, nothing was sent" in err and "labels line 3" in err


def test_validate_takes_a_taxonomy_of_your_own(tmp_path, capsys):
    data = [{"id": "a", "image": "a.png", "safe": False, "harmful_category": "crime", "harmful_subcategory": "theft",
             "instr-resp": [{"instruction": "Describe it.", "response": "I'm sorry, I can't help with that."}]}]
    f = tmp_path / "d.json"
    f.write_text(json.dumps(data))
    (tmp_path / "tax.yaml").write_text("crime: [theft]\n")
    assert main(["data", "validate", str(f)]) == 0
    assert "harmful_category 'crime'" in capsys.readouterr().out
    assert main(["data", "validate", str(f), "--taxonomy", str(tmp_path / "tax.yaml")]) == 0
    out = capsys.readouterr().out
    assert "'crime'" not in out and "0 error(s), 1 warning(s)" in out  # images-not-checked


def test_build_exits_non_zero_while_parts_could_not_be_asked(world, tmp_path, capsys):
    from tests.support.openai_server import ServerError

    csv = labels_csv(world, tmp_path, capsys)
    out = tmp_path / "o.json"
    args = ["data", "build", "--images", str(world / "train"), "--labels", str(csv), "--annotator", "x",
            "-o", str(out), "--max-retries", "0"]
    with FakeOpenAIServer(lambda req: ServerError(503)) as server:
        assert main([*args, "--base-url", server.base_url]) == 1
    assert "run the same command again" in " ".join(capsys.readouterr().out.split())
    with FakeOpenAIServer(good_answer) as server:
        assert main([*args, "--base-url", server.base_url]) == 0
    assert len(json.loads(out.read_text())) == 6
