"""The layers above the engine import only downward (lazy imports included), and
their modules stay small."""

import ast
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parents[1] / "sim"


def _module(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The sim modules that ``path`` imports anywhere in its code."""
    name, out = _module(path), set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
            if node.module:
                out.add(target)
            out |= {f"{target}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("sim.")}
    return out


MODULES = {_module(p): p for p in SIM.rglob("*.py")}
IMPORTS = {m: _imports(p) & set(MODULES) for m, p in MODULES.items()}
ENGINE = {"sim.engine", "sim.kernel", "sim.reference", "sim.reduce", "sim.shocks",
          "sim.distributed", "sim.runner", "sim.assemble"}  # fmt: skip
PRESENTATION = {"sim.show", "sim.briefing", "sim.figures", "sim.report"}
ANALYSES = {m for m in MODULES if m.startswith("sim.analyses")}
CLI = {m for m in MODULES if m.startswith("sim.cli")}


def _above(m: str) -> set[str]:
    """Modules that ``m`` must not import: those of the layers above it."""
    if m == "sim.stats":
        return set(MODULES) - {"sim.constants"}
    if m == "sim.io":
        return {"sim.runner", "sim.assemble"} | ANALYSES | PRESENTATION | CLI
    if m in ANALYSES:
        return PRESENTATION | CLI
    if m in PRESENTATION:
        return ENGINE | CLI | (ANALYSES - {"sim.analyses", "sim.analyses.sensitivity"})
    return CLI if m not in CLI else set()


@pytest.mark.parametrize(
    "module", sorted({"sim.stats", "sim.io"} | ANALYSES | PRESENTATION | CLI)
)
def test_imports_only_go_down(module):
    assert not IMPORTS[module] & _above(module), module


def test_only_the_command_line_imports_it():
    assert {m for m, imp in IMPORTS.items() if imp & CLI and m not in CLI} <= {
        "sim.__main__"
    }


def test_output_modules_are_under_500_lines():
    mine = {"sim.stats", "sim.io", "sim.kinds", "sim.assemble"} | ANALYSES
    for m in mine | PRESENTATION | CLI:
        assert len(MODULES[m].read_text().splitlines()) < 500, m
