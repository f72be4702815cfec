"""Multi-process training: the launcher helpers, and real 2-process CPU runs under `accelerate launch`."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from safetensors.torch import load_file

from vlguard.errors import ConfigError
from vlguard.train import distributed as dist

REPO = Path(__file__).resolve().parents[2]


def test_use_cpu_follows_the_config_and_falls_back_to_cpu_for_multi_process_without_a_gpu(monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    assert dist.use_cpu("cpu") and not dist.use_cpu("cuda") and not dist.use_cpu(None)
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setattr(dist, "_has_accelerator_device", lambda: False)
    assert dist.use_cpu(None) and not dist.use_cpu("cuda")
    monkeypatch.setattr(dist, "_has_accelerator_device", lambda: True)
    assert not dist.use_cpu(None)
    with pytest.raises(ConfigError, match="2 processes"):
        dist.check_world(SimpleNamespace(num_processes=1))



def test_leave_process_group_ends_a_live_group_and_is_a_no_op_without_one(tmp_path):
    import torch.distributed as td

    dist.leave_process_group()  # one process, never launched: nothing to end
    td.init_process_group("gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1)
    assert td.is_initialized()
    dist.leave_process_group()
    assert not td.is_initialized()

def _shipped_fsdp_classes() -> str:
    cfg = yaml.safe_load((REPO / "configs/accelerate/fsdp.yaml").read_text())
    return cfg["fsdp_config"]["fsdp_transformer_layer_cls_to_wrap"]


@pytest.mark.parametrize("arch", ["llava", "qwen2vl"])
def test_the_shipped_fsdp_layer_list_fits_both_model_families(arch, tiny_llava, tiny_qwen2vl):
    from accelerate.utils import FullyShardedDataParallelPlugin

    from vlguard.models.loading import load_model_and_processor

    model, _ = load_model_and_processor(tiny_llava if arch == "llava" else tiny_qwen2vl)
    plugin = FullyShardedDataParallelPlugin(fsdp_version=2, auto_wrap_policy="TRANSFORMER_BASED_WRAP",
                                            transformer_cls_names_to_wrap=_shipped_fsdp_classes())
    with pytest.raises(ValueError, match="Could not find"):  # what accelerate does with the list as is
        FullyShardedDataParallelPlugin(fsdp_version=2, auto_wrap_policy="TRANSFORMER_BASED_WRAP",
                                       transformer_cls_names_to_wrap=_shipped_fsdp_classes()
                                       ).set_auto_wrap_policy(model)
    dist.fit_launcher_config(SimpleNamespace(state=SimpleNamespace(fsdp_plugin=plugin)), model, 16, 1.0)
    decoder = "LlamaDecoderLayer" if arch == "llava" else "Qwen2VLDecoderLayer"
    assert decoder in plugin.transformer_cls_names_to_wrap
    plugin.set_auto_wrap_policy(model)  # accelerate accepts the narrowed list


def test_fsdp_wrap_list_naming_nothing_in_the_model_is_a_config_error(tiny_llava):
    from accelerate.utils import FullyShardedDataParallelPlugin

    from vlguard.models.loading import load_model_and_processor

    model, _ = load_model_and_processor(tiny_llava)
    plugin = FullyShardedDataParallelPlugin(fsdp_version=2, auto_wrap_policy="TRANSFORMER_BASED_WRAP",
                                            transformer_cls_names_to_wrap="GPT2Block")
    with pytest.raises(ConfigError, match="fsdp_transformer_layer_cls_to_wrap"):
        dist.fit_launcher_config(SimpleNamespace(state=SimpleNamespace(fsdp_plugin=plugin)), model, 16, 1.0)


def test_deepspeed_auto_values_come_from_the_training_config():
    from accelerate.utils import DeepSpeedPlugin

    plugin = DeepSpeedPlugin(zero_stage=2)
    dist.fit_launcher_config(SimpleNamespace(state=SimpleNamespace(deepspeed_plugin=plugin)), None, 12, 0.5)
    assert plugin.deepspeed_config["train_micro_batch_size_per_gpu"] == 12
    assert plugin.deepspeed_config["gradient_clipping"] == 0.5
    fixed = DeepSpeedPlugin(hf_ds_config={"train_micro_batch_size_per_gpu": 4, "gradient_clipping": 2.0,
                                          "zero_optimization": {"stage": 2}})
    dist.fit_launcher_config(SimpleNamespace(state=SimpleNamespace(deepspeed_plugin=fixed)), None, 12, 0.5)
    assert fixed.deepspeed_config["train_micro_batch_size_per_gpu"] == 4  # a value the user set stays
    assert fixed.deepspeed_config["gradient_clipping"] == 2.0


# --- real 2-process runs --------------------------------------------------------------------------------

STOP_DRIVER = """
import gc
import sys

import torch.distributed as td
from torch.nn.parallel import DistributedDataParallel

from vlguard.config import load_config
from vlguard.train.callbacks import StopAfterSteps
from vlguard.train.config import TrainConfig
from vlguard.train.distributed import leave_process_group
from vlguard.train.loop import train

# stopped after that step, as if killed: its last checkpoint is what --resume finds
res = train(load_config(TrainConfig, sys.argv[1]), callbacks=[StopAfterSteps(int(sys.argv[2]))], log=lambda m: None)
assert res.stopped and res.steps == int(sys.argv[2]), res
gc.collect()
# a DDP wrapper still alive when the group goes can abort the process at exit
assert not any(isinstance(o, DistributedDataParallel) for o in gc.get_objects()), "the run still holds DDP"
leave_process_group()
assert not td.is_initialized()
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _launch(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE", OMP_NUM_THREADS="1", HF_HUB_OFFLINE="1",
               TRANSFORMERS_OFFLINE="1", HF_HOME=str(tmp_path / "hf_home"))  # no user accelerate config
    for k in ("WORLD_SIZE", "RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(k, None)
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
           "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
           "--main_process_port", str(_free_port()), *args]
    return subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)


def _ok(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def _steps(run: Path) -> list[dict]:
    return [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines()]


def _config(tiny_llava, colour_set, helpful_jsonl, out: Path, cfg_path: Path) -> Path:
    cfg = {"model": str(tiny_llava), "output_dir": str(out), "progress": False, "log_every": 1,
           "max_length": 256, "save_every": 2, "method": "lora", "lora": {"dropout": 0.1},
           # images and text-only rows: batches of either kind, as in real post-hoc mixtures
           "data": {"safety": [{"path": str(colour_set)}],
                    "helpfulness": [{"path": str(helpful_jsonl), "format": "messages"}], "helpfulness_samples": 8},
           "optim": {"lr": 5e-3, "max_steps": 6, "batch_size": 4, "warmup_ratio": 0.0}}
    cfg_path.write_text(yaml.safe_dump(cfg))
    return cfg_path


@pytest.mark.slow
def test_two_cpu_processes_train_save_once_and_resume_like_an_uninterrupted_run(
        tiny_llava, colour_set, helpful_jsonl, tmp_path):
    straight = tmp_path / "straight"
    cfg_a = _config(tiny_llava, colour_set, helpful_jsonl, straight, tmp_path / "a.yaml")
    out = _ok(_launch(["-m", "vlguard.cli", "train", str(cfg_a)], tmp_path))
    assert out.count("done:") == 1 and out.count("mixture (posthoc)") == 1  # printed by one process
    rows = _steps(straight)
    assert [r["step"] for r in rows] == [1, 2, 3, 4, 5, 6]  # one row per step, not one per process
    assert sorted(p.name for p in straight.iterdir()) == [
        "adapter", "checkpoints", "composition.json", "config.yaml", "metrics.jsonl", "run.json",
        "train_summary.json"]  # run.json: the run's fingerprint, written once too
    assert (straight / "adapter" / "adapter_model.safetensors").is_file()
    last = sorted((straight / "checkpoints").iterdir())[-1]
    assert last.name == "step-00000004" and {"rng-0.pt", "rng-1.pt"} <= {p.name for p in last.iterdir()}
    assert json.loads((last / "state.json").read_text())["processes"] == 2
    summary = json.loads((straight / "train_summary.json").read_text())
    # 32 samples in batches of 4 over 2 processes: 4 steps per epoch, so step 6 is in the second epoch
    assert summary["steps"] == 6 and json.loads((straight / "composition.json").read_text())["trained"] == 32

    resumed = tmp_path / "resumed"
    cfg_b = _config(tiny_llava, colour_set, helpful_jsonl, resumed, tmp_path / "b.yaml")
    (tmp_path / "stop.py").write_text(STOP_DRIVER)
    _ok(_launch([str(tmp_path / "stop.py"), str(cfg_b), "3"], tmp_path))
    assert not (resumed / "adapter").exists() and [r["step"] for r in _steps(resumed)] == [1, 2, 3]
    out = _ok(_launch(["-m", "vlguard.cli", "train", str(cfg_b), "--resume"], tmp_path))
    assert out.count("resumed from") == 1 and "step 2" in out
    rows_b = _steps(resumed)
    assert [r["step"] for r in rows_b] == [1, 2, 3, 4, 5, 6]  # step 3 of the killed run was dropped
    assert [r["loss"] for r in rows_b] == pytest.approx([r["loss"] for r in rows], rel=1e-4)
    a = load_file(straight / "adapter" / "adapter_model.safetensors")
    b = load_file(resumed / "adapter" / "adapter_model.safetensors")
    moved = sum(v.abs().sum().item() for v in a.values())
    assert a.keys() == b.keys() and sum((a[k] - b[k]).abs().sum().item() for k in a) < 0.01 * moved

    # the per-process place in the data only means something with as many processes
    from vlguard.config import load_config
    from vlguard.train.config import TrainConfig
    from vlguard.train.loop import train

    with pytest.raises(ConfigError, match="2 process"):
        train(load_config(TrainConfig, cfg_b), resume=True, log=lambda m: None)  # the same run, one process


@pytest.mark.slow
def test_two_processes_full_finetune_with_text_only_batches(tiny_llava, colour_set, helpful_jsonl, tmp_path):
    # the projector trains but gets no gradient on a text-only batch; DDP must not wait for it
    run = tmp_path / "full"
    cfg = _config(tiny_llava, colour_set, helpful_jsonl, run, tmp_path / "full.yaml")
    _ok(_launch(["-m", "vlguard.cli", "train", str(cfg), "method=full", "save_every=0", "group_by_length=false",
                 "data.helpfulness_samples=24", "optim.max_steps=4", "optim.batch_size=2"], tmp_path))
    assert [r["step"] for r in _steps(run)] == [1, 2, 3, 4]
    assert (run / "model" / "model.safetensors").is_file()


# --- FSDP: the shipped configs/accelerate/fsdp.yaml, two CPU processes -------------------------------------------
# accelerate turns FSDP on only for GPU-like process groups: launched with fsdp.yaml on a CPU it silently trains
# with DDP (its MULTI_CPU type). This driver takes the accelerator the training code built and makes it an FSDP
# one with the plugin the launcher configured from fsdp.yaml (FSDP_* settings), so accelerate's FSDP2 path
# (torch's `fully_shard`, over gloo) wraps and trains the model through vlguard's own loop. That switch is the
# only thing done differently from a GPU run.
FSDP_DRIVER = """
import sys

from accelerate.utils import DistributedType, FullyShardedDataParallelPlugin
from torch.distributed.tensor import DTensor

import vlguard.train.loop as loop
from vlguard.config import load_config
from vlguard.train.callbacks import StopAfterSteps
from vlguard.train.config import TrainConfig
from vlguard.train.distributed import leave_process_group

made = []


def fsdp_on_cpu(cfg, mp, comp, _setup=loop.setup_accelerator):
    acc = _setup(cfg, mp, comp)
    assert acc.distributed_type.name == "MULTI_CPU", acc.distributed_type  # what accelerate chose by itself
    acc.state.distributed_type = DistributedType.FSDP
    acc.state.fsdp_plugin = FullyShardedDataParallelPlugin()  # from the launcher's FSDP_* settings
    made.append((acc, acc.distributed_type.name, acc.state.fsdp_plugin.fsdp_version))
    return acc


loop.setup_accelerator = fsdp_on_cpu
stop, resume = int(sys.argv[2]), sys.argv[3] == "resume"
try:
    loop.train(load_config(TrainConfig, sys.argv[1]), resume=resume,
               callbacks=[StopAfterSteps(stop)] if stop else [], log=lambda m: None)
    print("SAVE OK")
except Exception as e:
    print(f"SAVE FAILED: {type(e).__name__}: {e}")
acc, kind, version = made[0]
model = acc._models[0]
sharded = sum(isinstance(p, DTensor) for p in model.parameters())
print(f"FSDP: {kind} v{version}, {sharded} of {sum(1 for _ in model.parameters())} parameters sharded")
leave_process_group()
"""


def _fsdp_launch(cfg: Path, tmp_path: Path, stop: int = 0, resume: bool = False) -> str:
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE", OMP_NUM_THREADS="1", HF_HUB_OFFLINE="1",
               TRANSFORMERS_OFFLINE="1", HF_HOME=str(tmp_path / "hf_home"))
    for k in ("WORLD_SIZE", "RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(k, None)
    (tmp_path / "fsdp_driver.py").write_text(FSDP_DRIVER)
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--config_file",
           str(REPO / "configs/accelerate/fsdp.yaml"), "--num_processes", "2", "--mixed_precision", "no",
           "--main_process_port", str(_free_port()), str(tmp_path / "fsdp_driver.py"), str(cfg), str(stop),
           "resume" if resume else "new"]
    return _ok(subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240))



def _train_fixtures():
    """tests/train/conftest.py's data makers, for a module-scoped fixture (its fixtures are per test)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("train_conftest", Path(__file__).with_name("conftest.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def fsdp_run(tiny_llava, tmp_path_factory):
    """A full fine-tune under FSDP2 on 2 CPU processes: 6 steps, checkpoints every 3, then the final save."""
    fx = _train_fixtures()
    tmp = tmp_path_factory.mktemp("fsdp")
    colour_set, helpful = fx.make_colour_set(tmp / "data"), fx.write_helpful(tmp / "helpful.jsonl")
    cfg = _config(tiny_llava, colour_set, helpful, tmp / "fsdp", tmp / "fsdp.yaml")
    data = yaml.safe_load(cfg.read_text())
    data.update({"method": "full", "save_every": 3, "group_by_length": False})
    cfg.write_text(yaml.safe_dump(data))
    return tmp, cfg, _fsdp_launch(cfg, tmp)


@pytest.mark.slow
def test_fsdp_from_the_shipped_config_shards_and_reaches_the_single_process_loss(fsdp_run):
    from vlguard.config import load_config
    from vlguard.train.config import TrainConfig
    from vlguard.train.loop import train

    tmp, cfg, out = fsdp_run
    assert "FSDP: FSDP v2," in out and " 0 of " not in out, out  # really sharded by fully_shard
    fsdp = [r["loss"] for r in _steps(tmp / "fsdp")]
    assert len(fsdp) == 6
    # one process with the same global batch (2 x 4): the same data order and the same loss, to rounding
    # (per-process means averaged vs one mean over the batch)
    single = train(load_config(TrainConfig, cfg, ["optim.batch_size=8", f"output_dir={tmp / 'single'}",
                                                  "save_every=0"]), log=lambda m: None)
    assert fsdp == pytest.approx([r["loss"] for r in _steps(Path(single.output_dir))], rel=2e-2)
    assert fsdp[-1] < fsdp[0] - 0.5


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="FSDP2 on CPU: transformers' save_pretrained of the gathered state fails "
                   "('invalid python storage' in safetensors), for full and LoRA runs; not verified on a GPU")
def test_fsdp_saves_the_final_model(fsdp_run):
    tmp, _, out = fsdp_run
    assert "SAVE OK" in out and (tmp / "fsdp" / "model" / "model.safetensors").is_file(), out


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="FSDP2 on CPU: --resume from a checkpoint continues with other weights "
                   "(step 4 loss 7.40 against 6.71 uninterrupted): the trainable.pt of a sharded model")
def test_fsdp_resume_continues_like_the_uninterrupted_run(fsdp_run):
    import shutil

    tmp, cfg, _ = fsdp_run
    resumed = tmp / "resumed"
    shutil.copytree(tmp / "fsdp", resumed, ignore=shutil.ignore_patterns("step-00000006", "model"))
    data = yaml.safe_load(cfg.read_text())
    data["output_dir"] = str(resumed)
    (tmp / "resumed.yaml").write_text(yaml.safe_dump(data))
    _fsdp_launch(tmp / "resumed.yaml", tmp, stop=6, resume=True)
    assert [r["loss"] for r in _steps(resumed)] == pytest.approx([r["loss"] for r in _steps(tmp / "fsdp")],
                                                                 rel=1e-4)
