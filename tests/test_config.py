from dataclasses import dataclass, field
from typing import Literal

import pytest

from vlguard.config import apply_overrides, load_config
from vlguard.errors import ConfigError


@dataclass
class Inner:
    lr: float = 1e-3
    steps: int | None = None


@dataclass
class Cfg:
    name: str
    kind: Literal["a", "b"] = "a"
    inner: Inner = field(default_factory=Inner)
    tags: list[str] = field(default_factory=list)
    flag: bool = False


def _write(tmp_path, text):
    p = tmp_path / "c.yaml"
    p.write_text(text)
    return p


def test_yaml_and_overrides(tmp_path):
    p = _write(tmp_path, "name: x\ninner: {lr: 3e-3}\n")
    cfg = load_config(Cfg, p, ["inner.steps=5", "kind=b", "tags=[u, v]", "flag=true"])
    assert cfg == Cfg(name="x", kind="b", inner=Inner(lr=0.003, steps=5), tags=["u", "v"], flag=True)


@pytest.mark.parametrize("text,overrides,match", [
    ("name: x\ninner: {lrr: 1}\n", [], r"unknown config key 'inner.lrr' \(did you mean 'lr'\?\)"),
    ("name: x\n", ["inner.steps=many"], r"inner.steps: expected an integer"),
    ("name: x\nkind: c\n", [], r"kind: 'c' is not one of 'a', 'b'"),
    ("kind: a\n", [], r"missing required config key\(s\): 'name'"),
    ("name: x\nflag: 1\n", [], r"flag: expected true/false"),
    ("name: [x\n", [], r"invalid YAML at line"),
    ("- a\n", [], r"top level must be a mapping"),
    ("name: x\n", ["novalue"], r"must look like key=value"),
])
def test_errors_name_the_key(tmp_path, text, overrides, match):
    with pytest.raises(ConfigError, match=match):
        load_config(Cfg, _write(tmp_path, text), overrides)


def test_missing_file():
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(Cfg, "/nonexistent/c.yaml")


def test_override_creates_nested_mapping():
    assert apply_overrides({}, ["a.b.c=1"]) == {"a": {"b": {"c": 1}}}


@dataclass
class Stage:
    steps: int
    lr: float


@dataclass
class Outer:
    stage: Stage = field(default_factory=lambda: Stage(steps=10, lr=0.1))


def test_partial_nested_mapping_keeps_the_other_defaults():
    assert load_config(Outer, None, ["stage.steps=3"]).stage == Stage(steps=3, lr=0.1)


# --- ranges ---------------------------------------------------------------------------------------------

from typing import ClassVar  # noqa: E402

from vlguard.config import check_range, check_ranges, from_dict, in_range  # noqa: E402


@dataclass
class Ranged:
    RANGES: ClassVar[dict[str, str]] = {"lr": "> 0", "p": "[0, 1)", "n": ">= 1", "k": "(0, 10]"}

    lr: float = 0.1
    p: float = 0.0
    n: int | None = None
    k: int = 5


@dataclass
class Holder:
    inner: Ranged = field(default_factory=Ranged)
    items: list[Ranged] = field(default_factory=list)


@pytest.mark.parametrize("spec,inside,outside", [
    ("> 0", [1e-9, 3], [0, -1]), (">= 1", [1, 2], [0.999, -5]), ("< 1", [0.5, -3], [1, 2]),
    ("<= 10", [10, -1], [10.5]), ("[0, 1)", [0, 0.99], [1, -0.01]), ("(0, 1]", [1, 0.5], [0, 1.01]),
])
def test_range_specs(spec, inside, outside):
    assert all(in_range(v, spec) for v in inside)
    assert not any(in_range(v, spec) for v in outside)


@pytest.mark.parametrize("data,match", [
    ({"inner": {"lr": -1}}, r"^inner.lr: -1 is out of range: must be > 0$"),
    ({"inner": {"lr": 0}}, r"^inner.lr: 0 is out of range: must be > 0$"),
    ({"inner": {"p": 1}}, r"^inner.p: 1 is out of range: must be in \[0, 1\)$"),
    ({"inner": {"n": 0}}, r"^inner.n: 0 is out of range: must be >= 1$"),
    ({"inner": {"k": 0}}, r"inner.k: 0 is out of range: must be in \(0, 10\]"),
    ({"items": [{}, {"n": -3}]}, r"^items\[1\].n: -3 is out of range"),
    ({"inner": {"lr": float("nan")}}, r"inner.lr: nan is out of range: must be a finite number"),
    ({"inner": {"lr": float("inf")}}, r"inner.lr: inf is out of range: must be a finite number"),
    ({"inner": {"n": 2 ** 64}}, r"inner.n: \d+ is out of range: must fit in 64 bits"),
    ({"inner": {"n": 10 ** 5000}}, r"inner.n: a 5001-digit integer is out of range"),
])
def test_out_of_range_values_name_the_dotted_key_and_the_range(data, match):
    with pytest.raises(ConfigError, match=match):
        from_dict(Holder, data)


def test_none_passes_where_the_type_allows_it_and_defaults_are_checked_too():
    assert from_dict(Holder, {"inner": {"n": None}}).inner.n is None

    @dataclass
    class BadDefault:
        RANGES: ClassVar[dict[str, str]] = {"x": ">= 1"}
        x: int = 0

    with pytest.raises(ConfigError, match="x: 0 is out of range"):
        from_dict(BadDefault, {})


def test_check_ranges_on_a_config_built_in_python_and_a_ranges_typo():
    with pytest.raises(ConfigError, match=r"items\[0\].lr: -2 is out of range"):
        check_ranges(Holder(items=[Ranged(lr=-2.0)]))

    @dataclass
    class Typo:
        RANGES: ClassVar[dict[str, str]] = {"nmae": ">= 1"}
        name: int = 1

    with pytest.raises(TypeError, match="nmae"):
        check_ranges(Typo())


def test_check_range_refuses_what_is_not_a_number():
    assert check_range(None, "> 0", "--x") is None
    for bad in (True, "3", [1]):
        with pytest.raises(ConfigError, match="--x: expected a number"):
            check_range(bad, "> 0", "--x")


@pytest.mark.parametrize("override,match", [
    ("optim.lr=-1", r"^optim.lr: -1 is out of range: must be > 0$"),
    ("optim.lr=.nan", r"optim.lr: nan is out of range"),
    ("optim.batch_size=0", r"^optim.batch_size: 0 is out of range: must be >= 1$"),
    ("optim.grad_accum=0", r"optim.grad_accum: 0 is out of range"),
    ("optim.max_steps=-5", r"optim.max_steps: -5 is out of range: must be >= 1"),
    ("optim.epochs=-3", r"optim.epochs: -3 is out of range: must be > 0"),
    ("optim.warmup_ratio=1.5", r"optim.warmup_ratio: 1.5 is out of range: must be in \[0, 1\]"),
    ("optim.adam_beta2=1", r"optim.adam_beta2: 1 is out of range"),
    ("seed=-1", r"^seed: -1 is out of range: must be in \[0, 4294967295\]$"),
    ("seed=4294967296", r"seed: 4294967296 is out of range"),
    ("lora.r=0", r"^lora.r: 0 is out of range: must be >= 1$"),
    ("lora.dropout=2", r"^lora.dropout: 2 is out of range: must be in \[0, 1\)$"),
    ("lora.alpha=-8", r"lora.alpha: -8 is out of range"),
    ("max_length=0", r"max_length: 0 is out of range"),
    ("save_every=-1", r"save_every: -1 is out of range"),
    ("log_every=0", r"log_every: 0 is out of range"),
    ("num_threads=0", r"num_threads: 0 is out of range"),
    ("data.safety_ratio=1", r"data.safety_ratio: 1 is out of range: must be in \(0, 1\)"),
    ("data.helpfulness_samples=-1", r"data.helpfulness_samples: -1 is out of range"),
    ("data.safety=[{path: x, count: -2}]", r"data.safety\[0\].count: -2 is out of range"),
    ("data.safety=[{path: x, fraction: 1.5}]", r"data.safety\[0\].fraction: 1.5 is out of range"),
])
def test_train_config_ranges(override, match):
    from vlguard.train.config import TrainConfig

    with pytest.raises(ConfigError, match=match):
        load_config(TrainConfig, None, ["model=m", "output_dir=o", override])


@pytest.mark.parametrize("override,match", [
    ("limit=-1", r"^limit: -1 is out of range: must be >= 1$"), ("limit=0", r"limit: 0 is out of range"),
    ("max_new_tokens=-5", r"max_new_tokens: -5 is out of range"), ("batch_size=0", r"batch_size: 0 is out"),
    ("concurrency=0", r"concurrency: 0 is out of range"), ("backend=nope", r"backend: 'nope' is not one of"),
    ("dtype=float8", r"dtype: 'float8' is not one of"),
])
def test_eval_config_ranges(override, match):
    from vlguard.eval.run import EvalConfig

    with pytest.raises(ConfigError, match=match):
        load_config(EvalConfig, None, ["model=m", "tasks=[advbench]", "output_dir=o", override])


@pytest.mark.parametrize("override,match", [
    ("vanilla.steps=0", r"vanilla.steps: 0 is out of range"), ("posthoc_lora.lr=-1", r"posthoc_lora.lr: -1"),
    ("n_train=0", r"n_train: 0 is out of range"), ("contamination=2", r"contamination: 2 is out of range"),
    ("eval_limit=-1", r"eval_limit: -1 is out of range"), ("seed=-1", r"seed: -1 is out of range"),
])
def test_reproduce_config_ranges(override, match):
    from vlguard.recipes.reproduce import ReproduceConfig

    with pytest.raises(ConfigError, match=match):
        load_config(ReproduceConfig, None, [override])


def test_huge_or_deep_yaml_is_a_config_error(tmp_path):
    deep = _write(tmp_path, "name: " + "[" * 50000 + "]" * 50000 + "\n")
    with pytest.raises(ConfigError, match="nested too deeply|invalid YAML"):
        load_config(Cfg, deep)
    with pytest.raises(ConfigError, match=r"inner.steps: a 5000-digit integer is out of range|unreadable"):
        load_config(Cfg, _write(tmp_path, "name: x\ninner: {steps: " + "1" * 5000 + "}\n"))
