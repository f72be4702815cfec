"""The package is layered: a module imports only from its own package or from packages below it.

The order is the one the README's "Development" map gives. A new package must be placed here; an import
that runs up the layers (say data importing eval) fails this test with the importing file named.
"""

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "src" / "vlguard"
LAYERS = [
    {"errors"},
    {"config", "fileio", "images", "schema"},
    {"rundir"},
    {"synth"},
    {"models"},
    {"clients"},
    {"judges"},
    {"data"},
    {"train", "eval"},
    {"report"},
    {"recipes"},
    {"cli"},
    {"__main__"},  # `python -m vlguard`
]
LEVEL = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def _package(path: Path) -> str:
    rel = path.relative_to(PKG).parts
    return rel[0][:-3] if len(rel) == 1 else rel[0]


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else \
            [a.name for a in node.names] if isinstance(node, ast.Import) else []
        out |= {n.split(".")[1] for n in names if n.startswith("vlguard.")}
    return out


def test_every_package_has_a_layer():
    packages = {_package(p) for p in PKG.rglob("*.py")} - {"__init__"}
    assert packages <= set(LEVEL), f"place these in LAYERS: {sorted(packages - set(LEVEL))}"


def test_no_module_imports_up_or_across_its_layer():
    bad = []
    for path in sorted(PKG.rglob("*.py")):
        own = _package(path)
        if own == "__init__":
            continue
        for target in _imports(path) - {own}:
            if LEVEL[target] >= LEVEL[own]:
                bad.append(f"{path.relative_to(PKG)} imports vlguard.{target} (layer {LEVEL[target]} >= {LEVEL[own]})")
    assert not bad, "\n".join(bad)
