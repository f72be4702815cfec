"""A training output_dir knows what it is: no mixed runs, --force starts clean, no debris, checkpoint fallback."""

import json
import shutil

import pytest

from vlguard.config import from_dict
from vlguard.errors import ConfigError, DataError, VLGuardError
from vlguard.rundir import read_manifest
from vlguard.train.callbacks import StopAfterSteps
from vlguard.train.config import TrainConfig
from vlguard.train.loop import train


def _cfg(model, data, out, **kw):
    base = {"model": str(model), "output_dir": str(out), "progress": False, "log_every": 1, "max_length": 256,
            "data": {"safety": [{"path": str(data)}]},
            "optim": {"lr": 5e-3, "max_steps": 4, "batch_size": 8, "warmup_ratio": 0.0}}
    for k, v in kw.items():
        if isinstance(v, dict):
            base.setdefault(k, {}).update(v)
        else:
            base[k] = v
    return from_dict(TrainConfig, base)


def quiet(_m):
    pass


def steps(out):
    return [json.loads(x)["step"] for x in (out / "metrics.jsonl").read_text().splitlines()]


def test_a_run_records_its_fingerprint_and_resume_refuses_another_config(tiny_llava, colour_set, tmp_path):
    out = tmp_path / "r"
    train(_cfg(tiny_llava, colour_set, out, save_every=2), log=quiet, callbacks=[StopAfterSteps(2)])
    m = read_manifest(out)
    assert m["kind"] == "train" and m["settings"]["optim"]["lr"] == 5e-3 and "progress" not in m["settings"]
    for change, named in (({"optim": {"lr": 1e-3}}, "optim.lr: 0.005 -> 0.001"), ({"seed": 3}, "seed: 0 -> 3"),
                          ({"method": "full"}, 'method: "lora" -> "full"')):
        with pytest.raises(ConfigError, match=rf"--resume continues only the same run.*{named}"):
            train(_cfg(tiny_llava, colour_set, out, save_every=2, **change), resume=True, log=quiet)
    assert steps(out) == [1, 2]
    # how progress is shown is not part of the run
    done = train(_cfg(tiny_llava, colour_set, out, save_every=2, progress=True, num_threads=1), resume=True, log=quiet)
    assert done.steps == 4 and steps(out) == [1, 2, 3, 4]


@pytest.mark.parametrize("leftover", ["metrics.jsonl", "train_summary.json", "adapter/adapter_config.json",
                                      "checkpoints/step-00000002/state.json", "run.json"])
def test_a_new_run_into_a_previous_runs_folder_is_refused(tiny_llava, colour_set, tmp_path, leftover):
    p = tmp_path / "r" / leftover
    p.parent.mkdir(parents=True)
    p.write_text('{"step": 1}\n')
    with pytest.raises(ConfigError, match=r"already holds a training run.*--resume.*--force"):
        train(_cfg(tiny_llava, colour_set, tmp_path / "r"), log=quiet)
    assert p.read_text() == '{"step": 1}\n'


def test_force_empties_what_it_replaces(tiny_llava, colour_set, tmp_path):
    out = tmp_path / "r"
    train(_cfg(tiny_llava, colour_set, out, save_every=1, optim={"max_steps": 3}), log=quiet)
    (out / "model").mkdir()  # a merged copy the earlier run made
    (out / "notes.txt").write_text("mine")
    res = train(_cfg(tiny_llava, colour_set, out, optim={"max_steps": 2}), force=True, log=quiet)
    assert res.steps == 2 and steps(out) == [1, 2]  # no rows of the earlier run
    assert not (out / "checkpoints").exists() and not (out / "model").exists()
    assert json.loads((out / "train_summary.json").read_text())["steps"] == 2
    assert (out / "notes.txt").read_text() == "mine"
    with pytest.raises(ConfigError, match="not both"):
        train(_cfg(tiny_llava, colour_set, out), force=True, resume=True, log=quiet)


def test_a_kill_before_the_first_checkpoint_then_resume_logs_each_step_once(tiny_llava, colour_set, tmp_path):
    out = tmp_path / "r"
    cfg = _cfg(tiny_llava, colour_set, out, save_every=0)
    stopped = train(cfg, log=quiet, callbacks=[StopAfterSteps(3)])
    assert stopped.stopped and steps(out) == [1, 2, 3] and not (out / "checkpoints").exists()
    done = train(cfg, resume=True, log=quiet)
    assert done.steps == 4 and steps(out) == [1, 2, 3, 4]


def test_a_truncated_newest_checkpoint_falls_back_to_the_one_before(tiny_llava, colour_set, tmp_path):
    out = tmp_path / "r"
    cfg = _cfg(tiny_llava, colour_set, out, save_every=1, keep_checkpoints=3, optim={"max_steps": 5})
    train(cfg, log=quiet, callbacks=[StopAfterSteps(3)])
    newest = out / "checkpoints" / "step-00000003"
    for name in ("trainable.pt", "optimizer.pt"):
        data = (newest / name).read_bytes()
        (newest / name).write_bytes(data[: len(data) // 2])
    logs = []
    done = train(cfg, resume=True, log=logs.append)
    assert any("step-00000003" in m and "truncated or corrupt" in m and "falling back to step-00000002" in m
               for m in logs)
    assert any("resumed from" in m and "at step 2" in m for m in logs)
    assert done.steps == 5 and steps(out) == [1, 2, 3, 4, 5]


def test_no_readable_checkpoint_is_an_error(tiny_llava, colour_set, tmp_path):
    out = tmp_path / "r"
    cfg = _cfg(tiny_llava, colour_set, out, save_every=1)
    train(cfg, log=quiet, callbacks=[StopAfterSteps(2)])
    for ckpt in (out / "checkpoints").iterdir():
        (ckpt / "state.json").write_text("[1, 2")
    logs = []
    with pytest.raises(ConfigError, match="no checkpoint there can be read back; pass --force"):
        train(cfg, resume=True, log=logs.append)
    assert sum("state.json is unreadable" in m for m in logs) == 2


def _broken_model(tiny_llava, tmp_path, how):
    m = tmp_path / "model"
    shutil.copytree(tiny_llava, m)
    if how == "config-list":
        (m / "config.json").write_text("[]")
    elif how == "config-not-json":
        (m / "config.json").write_text("{oops")
    elif how == "truncated-weights":
        w = m / "model.safetensors"
        w.write_bytes(w.read_bytes()[:-1000])
    elif how == "tiny-header":
        (m / "model.safetensors").write_bytes(b"\x01\x02")
    elif how == "huge-header":
        (m / "model.safetensors").write_bytes((2 ** 60).to_bytes(8, "little") + b"{}")
    elif how == "no-config":
        for f in m.glob("*.json"):
            f.unlink()
    elif how == "adapter-list":
        shutil.rmtree(m)
        m.mkdir()
        (m / "adapter_config.json").write_text("[]")
    elif how == "adapter-no-base":
        shutil.rmtree(m)
        m.mkdir()
        (m / "adapter_config.json").write_text('{"r": 8}')
    elif how == "adapter-missing-base":
        shutil.rmtree(m)
        m.mkdir()
        (m / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": str(tmp_path / "gone")}))
    return m


@pytest.mark.parametrize("how,match", [
    ("config-list", r"config.json: expected a JSON object, found a JSON list"),
    ("config-not-json", r"config.json: malformed JSON"),
    ("truncated-weights", r"model.safetensors: truncated safetensors file"),
    ("tiny-header", r"model.safetensors: truncated safetensors file"),
    ("huge-header", r"model.safetensors: truncated or corrupt safetensors file"),
    ("no-config", r"not a model folder"),
    ("adapter-list", r"adapter_config.json: expected a JSON object, found a JSON list"),
    ("adapter-no-base", r"adapter_config.json: names no base model"),
    ("adapter-missing-base", r"gone: no such model folder|gone: not a local folder"),
])
def test_a_broken_model_fails_before_anything_is_written(tiny_llava, colour_set, tmp_path, how, match):
    model = _broken_model(tiny_llava, tmp_path, how)
    out = tmp_path / "fresh"
    with pytest.raises((VLGuardError, DataError), match=match):
        train(_cfg(model, colour_set, out), log=quiet)
    assert not out.exists()


def test_a_missing_model_or_bad_value_creates_no_output_folder(tiny_llava, colour_set, tmp_path):
    out = tmp_path / "fresh"
    for cfg in (_cfg(tmp_path / "no-such-model", colour_set, out), _cfg("org/not-cached", colour_set, out)):
        with pytest.raises(VLGuardError):
            train(cfg, log=quiet)
        assert not out.exists()
    cfg = _cfg(tiny_llava, colour_set, out)
    cfg.optim.lr = -1.0  # built in Python, past from_dict's checks: train checks again
    with pytest.raises(ConfigError, match="optim.lr: -1 is out of range"):
        train(cfg, log=quiet)
    assert not out.exists()
