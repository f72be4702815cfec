"""Every shipped config under configs/ loads, and says in its first lines how to prepare and run it."""

import re
import shlex
from pathlib import Path

import pytest
import yaml

from vlguard.cli import main
from vlguard.config import load_config
from vlguard.train.config import TrainConfig

REPO = Path(__file__).resolve().parents[1]
# configs/ and the presets shipped inside the package
ALL = sorted([*(REPO / "configs").rglob("*.yaml"), *(REPO / "src" / "vlguard" / "resources").rglob("*.yaml")])
TRAIN = [p for p in ALL if p.parent.name == "train"]
ACCEL = [p for p in ALL if p.parent.name == "accelerate"]
EXPECTED_ACCEL = {"ddp": ("MULTI_GPU", None), "fsdp": ("FSDP", None), "deepspeed_zero2": ("DEEPSPEED", 2),
                  "deepspeed_zero3": ("DEEPSPEED", 3)}
# inputs that a command, not a training config, produces
PREPARED_BY = {"runs/reproduce/base": "vlguard model tiny -o runs/reproduce/base",
               "runs/reproduce/synthguard": "vlguard data synth -o runs/reproduce/synthguard",
               "data/vlguard": "vlguard data fetch train --images -o data/vlguard"}


def _rel(p: Path) -> str:
    return p.relative_to(REPO).as_posix()


def _header(p: Path) -> list[str]:
    """The leading comment block, without the `#`."""
    lines = []
    for line in p.read_text().splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].strip())
    return lines


def _commands(p: Path) -> list[str]:
    """Command lines of the header (after an optional label such as `Run:`, before a `  (...)` remark)."""
    found = []
    for ln in _header(p):
        m = re.match(r"(?:[A-Za-z ]{1,20}:\s+)?((?:vlguard|accelerate launch) .*)$", ln)
        if m:
            found.append(re.sub(r"\s{2,}\(.*$", "", m.group(1)).strip())
    return found


def test_the_shipped_configs_are_there():
    assert {p.stem for p in ACCEL} >= set(EXPECTED_ACCEL)
    assert {p.stem for p in TRAIN} >= {"tiny_llm", "tiny_vanilla", "tiny_posthoc_lora", "tiny_posthoc_full",
                                       "tiny_posthoc_safety_only", "tiny_mixed",
                                       "llava15_7b_posthoc_lora", "llava15_7b_mixed", "qwen2vl_7b_posthoc_lora"}


@pytest.mark.parametrize("path", ALL, ids=_rel)
def test_every_config_starts_with_the_commands_that_use_it(path):
    assert _header(path), f"{_rel(path)} must start with a comment naming its command"
    cmds = _commands(path)
    assert cmds, f"{_rel(path)}: no `vlguard ...` or `accelerate launch ...` line in its first comment block"
    assert any(_rel(path) in shlex.split(c) for c in cmds), f"{_rel(path)}: no command names this file"
    for c in cmds:  # every config file a command names is shipped
        for word in shlex.split(c):
            if word.startswith("configs/") and word.endswith(".yaml"):
                assert (REPO / word).is_file(), f"{_rel(path)} names {word}, which does not exist"


def _subcommand(cmd: str) -> list[str]:
    words = shlex.split(cmd)
    if words[0] == "accelerate":
        words = ["vlguard"] + words[words.index("vlguard.cli") + 1:]
    return [w for w in words[1:3] if not w.startswith("-") and "/" not in w and "." not in w]


def test_every_vlguard_command_named_in_a_header_exists(capsys):
    seen = {tuple(_subcommand(c)) for p in ALL for c in _commands(p)}
    for sub in sorted(seen):
        assert main([*sub, "--help"]) == 0, f"`vlguard {' '.join(sub)}` is not a command"
    capsys.readouterr()


@pytest.mark.parametrize("path", TRAIN, ids=_rel)
def test_training_configs_load_and_name_how_their_inputs_are_made(path):
    cfg = load_config(TrainConfig, path)  # unknown keys, wrong types and bad choices raise here
    d = cfg.data
    sources = d.safety + d.helpfulness + d.instruction
    assert sources and cfg.output_dir.startswith("runs/")
    if d.strategy == "posthoc":
        assert d.safety
    if d.strategy == "mixed":
        assert d.instruction and d.safety
    header = " ".join(_header(path))
    outputs = {c.output_dir: p for p in TRAIN if p != path for c in [load_config(TrainConfig, p)]}
    for inp in [cfg.model] + [s.path for s in sources]:
        for prefix, cmd in PREPARED_BY.items():
            if inp.startswith(prefix):
                assert cmd in header, f"{_rel(path)} reads {inp}: its header should say `{cmd}`"
        for out_dir, other in outputs.items():
            if inp.startswith(out_dir + "/"):
                assert f"vlguard train {_rel(other)}" in header, f"{_rel(path)} reads {inp} from {_rel(other)}"


def test_tiny_configs_are_the_reproduce_stages_as_the_recipe_writes_them(tmp_path):
    from vlguard.recipes.reproduce import ReproduceConfig
    from vlguard.recipes.reproduce_stages import stage_configs, write_stage_configs

    written = write_stage_configs(ReproduceConfig(), tmp_path / "configs" / "train")
    for p in written:
        shipped = REPO / "configs" / "train" / p.name
        assert shipped.is_file(), f"{p.name} is not shipped: run `vlguard reproduce --write-configs configs/train`"
        # the same text except the folder the writer was pointed at
        assert shipped.read_text() == p.read_text().replace(str(tmp_path) + "/", ""), \
            f"configs/train/{p.name} is stale: run `vlguard reproduce --write-configs configs/train`"
    stages = stage_configs(ReproduceConfig(), Path("runs/reproduce"))
    assert {s: load_config(TrainConfig, REPO / "configs" / "train" / f"tiny_{s}.yaml") for s in stages} == stages
    assert stages["posthoc_lora"].method == "lora" and stages["posthoc_full"].method == "full"
    assert stages["posthoc_safety_only"].data.helpfulness_samples == 0
    assert stages["mixed"].data.strategy == "mixed" and stages["mixed"].model == "runs/reproduce/models/llm/model"


def test_gpu_configs_follow_the_paper_and_llava_recipe():
    cfgs = {p.stem: load_config(TrainConfig, p) for p in TRAIN}
    for name in ("llava15_7b_posthoc_lora", "llava15_7b_mixed", "qwen2vl_7b_posthoc_lora"):
        c = cfgs[name]
        assert (c.method, c.lora.r, c.lora.alpha, c.optim.lr, c.optim.epochs) == ("lora", 128, 256, 2e-4, 1.0)
        assert c.precision == "bf16" and c.max_length == 2048 and c.optim.batch_size == 16
        assert c.data.safety[0].path == "data/vlguard/train.json"
    assert cfgs["llava15_7b_posthoc_lora"].model == "llava-hf/llava-1.5-7b-hf"
    assert cfgs["qwen2vl_7b_posthoc_lora"].model == "Qwen/Qwen2-VL-7B-Instruct"
    assert cfgs["llava15_7b_posthoc_lora"].data.helpfulness_samples == 5000
    assert cfgs["llava15_7b_mixed"].data.strategy == "mixed" and cfgs["llava15_7b_mixed"].data.safety_ratio is None
    assert cfgs["llava15_7b_mixed"].data.instruction[0].path == "data/llava/llava_v1_5_mix665k.json"


@pytest.mark.parametrize("path", ACCEL, ids=_rel)
def test_accelerate_configs_parse_with_the_expected_distributed_type(path):
    from accelerate.commands.config.config_args import ClusterConfig
    from accelerate.commands.launch import launch_command_parser

    raw = yaml.safe_load(path.read_text())
    dtype, stage = EXPECTED_ACCEL[path.stem]
    assert raw["distributed_type"] == dtype and raw["mixed_precision"] == "bf16"
    ClusterConfig.from_yaml_file(path)  # accelerate's own reader refuses unknown top-level keys
    launch_args = {a.dest for a in launch_command_parser()._actions}
    for section in ("fsdp_config", "deepspeed_config"):
        for key in raw.get(section) or {}:
            assert key in launch_args, f"{_rel(path)}: {section}.{key} is not an accelerate launch setting"
    assert any(re.search(rf"accelerate launch --config_file {re.escape(_rel(path))} ", c) for c in _commands(path))
    if stage is not None:
        ds = raw["deepspeed_config"]
        assert ds["zero_stage"] == stage
        # vlguard loads the model on the CPU first (ZeRO-3 init refuses that) and fills these from its config
        assert ds.get("zero3_init_flag") is False
        assert not {"gradient_accumulation_steps", "gradient_clipping"} & set(ds)
        if stage == 3:
            assert ds["zero3_save_16bit_model"] is True  # the final save gathers the full weights
    if dtype == "FSDP":
        fsdp = raw["fsdp_config"]
        assert fsdp["fsdp_auto_wrap_policy"] == "TRANSFORMER_BASED_WRAP"
        assert {"LlamaDecoderLayer", "Qwen2VLDecoderLayer"} <= set(fsdp["fsdp_transformer_layer_cls_to_wrap"].split(","))
        assert fsdp["fsdp_cpu_ram_efficient_loading"] is False  # every process loads the model itself


@pytest.mark.parametrize("path", [p for p in ACCEL if p.stem in ("fsdp", "deepspeed_zero2", "deepspeed_zero3")],
                         ids=_rel)
def test_accelerate_launch_turns_the_sharded_configs_into_valid_plugins(path, monkeypatch, tmp_path):
    # what `accelerate launch --config_file PATH` hands the processes, rebuilt without starting them
    launch = pytest.importorskip("accelerate.commands.launch")
    from accelerate.utils import DeepSpeedPlugin, FullyShardedDataParallelPlugin
    from accelerate.utils.launch import prepare_deepspeed_cmd_env, prepare_multi_gpu_env

    if not hasattr(launch, "_validate_launch_command"):
        pytest.skip("this accelerate has no _validate_launch_command")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    args = launch.launch_command_parser().parse_args(["--config_file", str(path), "train.py"])
    args, defaults, _ = launch._validate_launch_command(args)
    if args.use_deepspeed:
        args.deepspeed_fields_from_accelerate_config = ",".join(defaults.deepspeed_config)
        _, env = prepare_deepspeed_cmd_env(args)
    else:
        env = prepare_multi_gpu_env(args)
    for k, v in env.items():
        if k.startswith(("ACCELERATE_", "FSDP_")):
            monkeypatch.setenv(k, v)
    if path.stem == "fsdp":
        plugin = FullyShardedDataParallelPlugin()
        assert plugin.fsdp_version == 2 and plugin.reshard_after_forward is True
        assert "LlamaDecoderLayer" in plugin.transformer_cls_names_to_wrap
    else:
        plugin = DeepSpeedPlugin()
        assert plugin.zero_stage == int(path.stem[-1]) and plugin.zero3_init_flag is False
        # left "auto" so that vlguard fills them from the training config
        conf = plugin.deepspeed_config
        assert conf["train_micro_batch_size_per_gpu"] == conf["gradient_clipping"] == "auto"
        assert conf["gradient_accumulation_steps"] == "auto"


EVAL = [p for p in ALL if p.parent.name == "eval"]


@pytest.mark.parametrize("path", EVAL, ids=_rel)
def test_eval_configs_load_and_their_commands_build_the_same_config(path):
    from vlguard.config import split_config_args
    from vlguard.eval.run import EvalConfig
    from vlguard.eval.tasks import get_task

    cfg = load_config(EvalConfig, path)
    assert cfg.tasks and cfg.output_dir.startswith("runs/")
    for spec in cfg.tasks:  # every task name is known (the files are the user's to prepare)
        get_task(spec.partition("=")[0])
    (run,) = [c for c in _commands(path) if c.startswith("vlguard eval")]
    config, overrides = split_config_args(shlex.split(run)[2:])
    assert config == _rel(path) and load_config(EvalConfig, REPO / config, overrides).output_dir.startswith("runs/")


REPRODUCE = [p for p in ALL if p.parent.name == "reproduce"]


@pytest.mark.parametrize("path", REPRODUCE, ids=_rel)
def test_reproduce_configs_load(path):
    from vlguard.recipes.reproduce import ReproduceConfig

    assert load_config(ReproduceConfig, path).vanilla.steps > 0


def test_the_quick_flag_loads_the_shipped_preset(capsys, tmp_path):
    from vlguard.recipes.reproduce import ReproduceConfig, preset_path

    quick = load_config(ReproduceConfig, preset_path("quick"))
    assert quick != ReproduceConfig() and quick.vanilla.steps < ReproduceConfig().vanilla.steps
    assert main(["reproduce", "--quick", "--print-config"]) == 0
    (tmp_path / "printed.yaml").write_text(capsys.readouterr().out)
    assert load_config(ReproduceConfig, tmp_path / "printed.yaml") == quick
