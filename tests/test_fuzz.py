"""Config fuzzing: arbitrary documents give a clear error, never a crash or a hang."""

import subprocess
import sys

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sim.config import (
    ConfigError,
    from_dict,
    load_config,
    merge,
    parse_yaml,
    to_dict,
)
from sim.errors import SimError

from .conftest import CONFIGS

BASE = to_dict(load_config(CONFIGS / "baseline.yaml"))
KEYS = [
    ("paths",), ("seed",), ("horizon",), ("base_year",), ("members",), ("targets",),
    ("target_years",), ("quantiles",), ("macro", "shock_df"), ("macro", "growth_shocks"),
    ("will", "mean_logit"), ("will", "mean_logit", "core"), ("policy", "own_paths"),
    ("policy", "deadline"), ("threat", "transition", "high"), ("threat", "pinned"),
    ("review", "pinned"), ("execution", "sd"), ("sweep",), ("grid",), ("calibration",),
    ("data", "share_vintage"), ("unknown_key",), ("macro", "nope"),
]  # fmt: skip
leaf = (
    st.none() | st.booleans() | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20)
    | st.dates()
)  # fmt: skip
values = st.recursive(
    leaf,
    lambda c: (
        st.lists(c, max_size=4)
        | st.dictionaries(st.text(max_size=8) | st.integers(), c, max_size=4)
    ),
    max_leaves=12,
)


def _nest(path, value):
    out = value
    for k in reversed(path):
        out = {k: out}
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(KEYS), values), min_size=1, max_size=4))
def test_random_values_give_config_errors_only(changes):
    data = BASE
    for path, value in changes:
        data = merge(data, _nest(path, value))
    try:
        from_dict(data)
    except SimError as e:  # ConfigError or DataError: one line, no traceback
        assert "\n" not in str(e) and len(str(e)) < 2000


@settings(max_examples=60, deadline=None)
@given(key=st.sampled_from(KEYS[:-2]), doc=values)
def test_random_documents_under_real_keys_load_or_fail_cleanly(
    key, doc, tmp_path_factory
):
    """Random content where the config reads it (not under an unknown key)."""
    path = tmp_path_factory.mktemp("fuzz") / "c.yaml"
    data = {"extends": str(CONFIGS / "baseline.yaml"), **_nest(key, doc)}
    path.write_text(yaml.safe_dump(data))
    try:
        load_config(path)
    except SimError as e:
        assert "\n" not in str(e) and len(str(e)) < 2000


def _bomb(levels: int, fan: int, flat: int, depth: int) -> tuple[str, dict]:
    """YAML text under grid.will.vol: ``levels`` anchored lists each holding ``fan``
    aliases of the one before, ``flat`` aliases of a scalar and ``depth`` extra
    brackets; and its alias count, expanded node count and depth, by hand."""
    items = ["&l0 [0]"] + [
        f"&l{i} [" + ", ".join([f"*l{i - 1}"] * fan) + "]" for i in range(1, levels)
    ]
    items += ["&s 1"] + ["*s"] * flat
    text = "grid:\n  will.vol: " + "[" * depth + f"[{', '.join(items)}]" + "]" * depth
    sizes = [2]  # nodes of level i: the list and its content
    for _ in range(1, levels):
        sizes.append(1 + fan * sizes[-1])
    nodes = 4 + depth + 1 + sum(sizes) + 1 + flat  # root, grid, keys; the lists
    return text + "\n", {
        "aliases": fan * (levels - 1) + flat,
        "nodes": nodes,
        "depth": 2 + depth + levels + 2,  # grid value at depth 3, level i height i+2
    }


LIMIT_MESSAGES = {"aliases": "YAML aliases", "nodes": "YAML nodes once aliases",
                  "depth": "nested deeper than"}  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 10), st.integers(1, 12), st.integers(0, 150), st.integers(0, 40))
@example(1, 1, 101, 0)  # aliases only
@example(1, 1, 0, 28)  # depth only
@example(6, 9, 0, 0)  # expanded nodes only (45 aliases)
@example(2, 1, 99, 26)  # everything just under its limit
def test_yaml_limits_are_what_reject_a_document(levels, fan, flat, depth):
    """Each limit fails exactly the documents that exceed it (counted by hand)."""
    text, size = _bomb(levels, fan, flat, depth)
    limits = {"aliases": 100, "nodes": 100_000, "depth": 32}  # as documented
    over = [LIMIT_MESSAGES[k] for k in limits if size[k] > limits[k]]
    if not over:
        assert parse_yaml(text, "doc")["grid"]["will.vol"]
        return
    with pytest.raises(ConfigError) as e:
        parse_yaml(text, "doc")
    assert any(m in str(e.value) for m in over), (str(e.value), size)


def test_bomb_counts_match_a_real_expansion():
    """The hand counts of _bomb, checked once against the parsed document."""

    def count(x):
        return 1 + sum(count(v) for v in x) if isinstance(x, list) else 1

    def height(x):
        return 1 + max(map(height, x), default=0) if isinstance(x, list) else 1

    for args in [(1, 1, 0, 0), (3, 2, 5, 4), (4, 3, 1, 0)]:
        text, size = _bomb(*args)
        value = yaml.safe_load(text)["grid"]["will.vol"]
        assert size["nodes"] == 4 + count(value) and size["depth"] == 2 + height(value)
        assert size["aliases"] == text.count("*")


_GRID_BOMB = "[&a [0,0,0,0,0,0,0,0,0], " + ", ".join(
    f"&{c} [" + ",".join([f"*{p}"] * 9) + "]"
    for p, c in zip("abcdefgh", "bcdefghi", strict=True)
) + "]"  # fmt: skip
"""72 aliases (under the alias limit) expanding to 9^9 numbers."""
_BASE = f"extends: {CONFIGS / 'baseline.yaml'}\n"
ADVERSARIAL = {
    # name: (file text, start of the error message)
    "alias_bomb.yaml": (_BASE + "grid:\n  will.vol: " + _GRID_BOMB + "\n",
                        "more than 100,000 YAML nodes once aliases are expanded"),
    "many_aliases.yaml": (_BASE + "description: &d x\ntargets: [" + ", ".join(["*d"] * 101) + "]\n",
                          "more than 100 YAML aliases"),
    "recursive.yaml": (_BASE + "grid: &g {will.vol: [*g]}\n", "alias *g is inside its anchor"),
    "deep.yaml": (_BASE + "grid:\n  will.vol: " + "[" * 5000 + "]" * 5000 + "\n",
                  "nested deeper than 32 levels"),
    "deep_by_alias.yaml": (_BASE + "description: &d " + "[" * 20 + "]" * 20 + "\n"
                           "sweep: {a: {x: {y: {z: [[[[[[[[[[[[[[[[[[*d]]]]]]]]]]]]]]]]]]}}}}\n",
                           "nested deeper than 32 levels"),
    "grid_million.yaml": (_BASE + "grid: {" + ", ".join(
        f"{k}: [{', '.join(str(0.01 * i) for i in range(10))}]"
        for k in ("will.vol", "will.speed", "will.reversion", "will.initial_sd",
                  "will.common_corr", "execution.sd")
    ) + "}\n", "config keys 'sweep'/'grid': 1,000,000 scenarios, at most 1000"),
    "python_tag.yaml": ("name: !!python/object/apply:os.system ['echo pwned > /tmp/pwned']\n",
                        "malformed YAML"),
    "nan.yaml": (_BASE + "macro: {shock_df: .nan}\n", "config key 'macro.shock_df'"),
    "inf.yaml": (_BASE + "paths: .inf\n", "config key 'paths'"),
    "huge.yaml": (_BASE + f"seed: {10**40}\n", "config key 'seed'"),
    "negative.yaml": (_BASE + "paths: -5\n", "config key 'paths'"),
    "long_name.yaml": (_BASE + "name: " + "n" * 300 + "\n",
                       "config key 'name': 300 characters, at most 100"),
    "chunk_memory.yaml": (_BASE + "paths: 10000000\nchunk_size: 10000000\n",
                          "config key 'chunk_size': 10,000,000 paths per chunk need about"),
    "binary.yaml": (None, "cannot read config file"),
}  # fmt: skip


def _limit_memory():
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_files_exit_2_with_one_line(name, tmp_path):
    """Each file fails with its own message, fast and in bounded memory (2 GiB of
    address space: a missing limit shows as a crash or a timeout, not a full machine)."""
    path = tmp_path / name
    text, message = ADVERSARIAL[name]
    if text is None:
        path.write_bytes(b"\xff\xfe\x00\x00garbage")
    else:
        path.write_text(text)
    r = subprocess.run([sys.executable, "-m", "sim", "validate", str(path)],
                       capture_output=True, text=True, timeout=60,
                       preexec_fn=_limit_memory)  # fmt: skip
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert message in lines[0]
    import os

    assert not os.path.exists("/tmp/pwned")
