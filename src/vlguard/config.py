"""YAML configs over typed dataclasses, with `key=value` overrides and strict checking.

Every mistake (unknown key, wrong type, bad choice, a number out of range) raises ConfigError naming the
dotted key, before any model is loaded. A config class declares the ranges of its numbers next to its
fields, in a class-level table read by `check_ranges`:

    RANGES: ClassVar[dict[str, str]] = {"lr": "> 0", "dropout": "[0, 1)", "max_steps": ">= 1"}

A range is a comparison (`> 0`, `>= 1`, `< 1`, `<= 10`) or an interval (`[0, 1)`, `(0, 1]`); None passes
wherever the field's type allows it.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
import re
import types
from pathlib import Path
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

import yaml

from vlguard.errors import ConfigError

T = TypeVar("T")


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def _coerce(value: Any, tp: Any, key: str) -> Any:
    origin = get_origin(tp)
    if tp is Any:
        return value
    if origin in (Union, types.UnionType):
        args = get_args(tp)
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in (a for a in args if a is not type(None)):
            try:
                return _coerce(value, arg, key)
            except ConfigError as e:
                errors.append(str(e))
        raise ConfigError(errors[0] if len(errors) == 1 else f"{key}: {value!r} fits none of {_type_name(tp)}")
    if origin is Literal:
        choices = get_args(tp)
        if value not in choices:
            raise ConfigError(f"{key}: {value!r} is not one of {', '.join(map(repr, choices))}")
        return value
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise ConfigError(f"{key}: expected a mapping, got {type(value).__name__}")
        return _build(tp, value, key)
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{key}: expected a list, got {type(value).__name__}")
        (arg,) = get_args(tp)[:1] or (Any,)
        return [_coerce(v, arg, f"{key}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{key}: expected a mapping, got {type(value).__name__}")
        kt, vt = get_args(tp) or (Any, Any)
        return {_coerce(k, kt, key): _coerce(v, vt, f"{key}.{k}") for k, v in value.items()}
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{key}: expected true/false, got {value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{key}: expected an integer, got {_short(value)}")
        if not -INT64 <= value < INT64:  # torch, numpy and the tokenizers take 64-bit integers at most
            raise ConfigError(f"{key}: {_short(value)} is out of range: must fit in 64 bits")
        return value
    if tp is float:
        if isinstance(value, str):  # YAML 1.1 reads 3e-3 (no dot) as a string
            try:
                value = float(value)
            except ValueError:
                pass
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{key}: expected a number, got {_short(value)}")
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise ConfigError(f"{key}: {_short(value)} is out of range: must be a finite number")
        return number
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"{key}: expected a string, got {value!r}")
        return value
    raise ConfigError(f"{key}: unsupported config type {_type_name(tp)}")


INT64 = 2 ** 63
_COMPARISON = re.compile(r"^(>=|<=|>|<)\s*(-?[\d.e+-]+)$")
_INTERVAL = re.compile(r"^([\[(])\s*(-?[\d.e+-]+)\s*,\s*(-?[\d.e+-]+)\s*([\])])$")


def _short(value: Any, limit: int = 60) -> str:
    """A value as a message shows it: -1.0 as -1, a 5,000-digit integer by its length, long text cut."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"a {int(value.bit_length() * math.log10(2)) + 1}-digit integer"  # str() of it may refuse
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
        return repr(int(value))
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def in_range(value: float, spec: str) -> bool:
    """Whether `value` lies in the range `spec` (see the module docstring)."""
    m = _COMPARISON.match(spec.strip())
    if m:
        op, bound = m.group(1), float(m.group(2))
        return {">": value > bound, ">=": value >= bound, "<": value < bound, "<=": value <= bound}[op]
    m = _INTERVAL.match(spec.strip())
    if not m:
        raise ValueError(f"not a range: {spec!r}")
    lo, hi = float(m.group(2)), float(m.group(3))
    above = value >= lo if m.group(1) == "[" else value > lo
    below = value <= hi if m.group(4) == "]" else value < hi
    return above and below


def check_range(value: Any, spec: str, key: str) -> Any:
    """`value` if it is None or lies in `spec`; else ConfigError naming `key` and the allowed range."""
    if value is None:
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{key}: expected a number, got {_short(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{key}: {value!r} is out of range: must be a finite number")
    if not in_range(value, spec):
        spec = spec.strip()
        must = f"must be {spec}" if spec[0] in "<>" else f"must be in {spec}"
        raise ConfigError(f"{key}: {_short(value)} is out of range: {must}")
    return value


def check_ranges(cfg: Any, prefix: str = "") -> None:
    """Check every number of a config dataclass (nested ones and lists of them included) against the
    `RANGES` its class declares; the first one out of range raises ConfigError naming its dotted key."""
    ranges = getattr(type(cfg), "RANGES", {})
    for f in dataclasses.fields(cfg):
        key = f"{prefix}.{f.name}" if prefix else f.name
        value = getattr(cfg, f.name)
        if f.name in ranges:
            check_range(value, ranges[f.name], key)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            check_ranges(value, key)
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                if dataclasses.is_dataclass(item) and not isinstance(item, type):
                    check_ranges(item, f"{key}[{i}]")
    unknown = set(ranges) - {f.name for f in dataclasses.fields(cfg)}
    if unknown:  # a typo in a RANGES table would silently check nothing
        raise TypeError(f"{type(cfg).__name__}.RANGES names no field: {', '.join(sorted(unknown))}")


def _build(cls: type[T], data: dict[str, Any], prefix: str = "") -> T:
    hints = get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]  # always a dataclass
    kwargs = {}
    for k, v in data.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        if k not in fields:
            close = difflib.get_close_matches(str(k), fields, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"unknown config key {key!r}{hint}")
        f = fields[k]
        if isinstance(v, dict) and dataclasses.is_dataclass(hints[k]) and f.default_factory is not dataclasses.MISSING:
            v = _deep_merge(dataclasses.asdict(f.default_factory()), v)  # a partial mapping keeps the other defaults
        kwargs[k] = _coerce(v, hints[k], key)
    missing = [n for n, f in fields.items() if n not in kwargs
               and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    if missing:
        names = ", ".join(repr(f"{prefix}.{m}" if prefix else m) for m in missing)
        raise ConfigError(f"missing required config key(s): {names}")
    ranges = getattr(cls, "RANGES", {})
    for name, spec in ranges.items():  # before the class is built: its __post_init__ may rely on them
        if name in kwargs:
            check_range(kwargs[name], spec, f"{prefix}.{name}" if prefix else name)
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"{prefix or cls.__name__}: {e}") from None


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def parse_override(text: str) -> tuple[list[str], Any]:
    """`a.b=1e-4` -> (["a", "b"], 0.0001); the value is parsed as YAML."""
    if "=" not in text:
        raise ConfigError(f"override {text!r} must look like key=value")
    key, raw = text.split("=", 1)
    if not key.strip():
        raise ConfigError(f"override {text!r} has an empty key")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    except (RecursionError, ValueError):
        raise ConfigError(f"override {key.strip()!r}: value cannot be read as YAML") from None
    return key.strip().split("."), value


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Set dotted keys in a nested dict (creating mappings as needed)."""
    for ov in overrides:
        path, value = parse_override(ov)
        node = data
        for part in path[:-1]:
            nxt = node.setdefault(part, {})
            if not isinstance(nxt, dict):
                raise ConfigError(f"override {ov!r}: {part!r} is not a mapping")
            node = nxt
        node[path[-1]] = value
    return data


def read_yaml(path: str | os.PathLike) -> dict[str, Any]:
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: config file not found")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{p}: invalid YAML{where}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{p}: not UTF-8 text") from None
    except RecursionError:
        raise ConfigError(f"{p}: YAML nested too deeply to read") from None
    except ValueError as e:  # an integer of more digits than Python converts
        raise ConfigError(f"{p}: unreadable YAML value: {str(e).splitlines()[0]}") from None
    except OSError as e:
        raise ConfigError(f"{p}: cannot read: {e.strerror or e}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: top level must be a mapping of keys")
    return data


def load_config(cls: type[T], path: str | os.PathLike | None = None, overrides: list[str] | None = None,
                values: dict[str, Any] | None = None) -> T:
    """Read YAML (if any), set `values` (a command's flags) over it, apply `key=value` overrides, and
    build the typed config."""
    data = read_yaml(path) if path is not None else {}
    data = _deep_merge(data, values or {})
    return from_dict(cls, apply_overrides(data, list(overrides or [])))


def split_config_args(args: list[str] | None) -> tuple[str | None, list[str]]:
    """`[CONFIG.yaml] [key=value ...]` -> (config path or None, overrides)."""
    args = list(args or [])
    if args and "=" not in args[0] or (args and Path(args[0]).is_file()):
        return args[0], args[1:]
    return None, args


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """The typed config of `data`: every key known, every value of its type and in its range."""
    cfg = _build(cls, data)
    check_ranges(cfg)  # defaults too, and ranges of classes built by a __post_init__
    return cfg


def to_dict(cfg: Any) -> dict[str, Any]:
    """Plain data (for saving next to a run)."""
    return dataclasses.asdict(cfg)


def dump_yaml(cfg: Any) -> str:
    return yaml.safe_dump(to_dict(cfg), sort_keys=False, allow_unicode=True)


def changed_fields(cfg: Any) -> dict[str, Any]:
    """The fields of a config dataclass that differ from their defaults (required ones always), nested;
    `from_dict` of the result gives back an equal config."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(cfg):
        value = getattr(cfg, f.name)
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            out[f.name] = _plain(value)
            continue
        if dataclasses.is_dataclass(value) and dataclasses.is_dataclass(default):
            sub = changed_fields(value) if value != default else {}
            if sub:
                out[f.name] = sub
        elif value != default:
            out[f.name] = _plain(value)
    return out


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return changed_fields(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


__all__ = ["load_config", "split_config_args", "from_dict", "to_dict", "dump_yaml", "changed_fields", "apply_overrides",
           "parse_override", "read_yaml", "check_range", "check_ranges", "in_range"]
