"""Config fuzzing: arbitrary documents give a clear error, never a crash or a hang."""

import subprocess
import sys

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.config import ConfigError, from_dict, load_config, merge, to_dict
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
@given(doc=values)
def test_random_documents_load_or_fail_cleanly(doc, tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "c.yaml"
    path.write_text(
        yaml.safe_dump({"extends": str(CONFIGS / "baseline.yaml"), "x": doc})
    )
    with pytest.raises(ConfigError):
        load_config(path)


ADVERSARIAL = {
    "alias_bomb.yaml": "a: &a [1,1,1,1,1,1,1,1,1]\n"
    + "".join(
        f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ),  # fmt: skip
    "python_tag.yaml": "name: !!python/object/apply:os.system ['echo pwned > /tmp/pwned']\n",
    "deep.yaml": "a: " + "[" * 5000 + "]" * 5000 + "\n",
    "nan.yaml": f"extends: {CONFIGS / 'baseline.yaml'}\nmacro: {{shock_df: .nan}}\n",
    "inf.yaml": f"extends: {CONFIGS / 'baseline.yaml'}\npaths: .inf\n",
    "huge.yaml": f"extends: {CONFIGS / 'baseline.yaml'}\nseed: {10**40}\n",
    "negative.yaml": f"extends: {CONFIGS / 'baseline.yaml'}\npaths: -5\n",
    "binary.yaml": None,
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_files_exit_2_with_one_line(name, tmp_path):
    path = tmp_path / name
    text = ADVERSARIAL[name]
    if text is None:
        path.write_bytes(b"\xff\xfe\x00\x00garbage")
    else:
        path.write_text(text)
    r = subprocess.run([sys.executable, "-m", "sim", "validate", str(path)],
                       capture_output=True, text=True, timeout=60)  # fmt: skip
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert "Traceback" not in r.stderr
    import os

    assert not os.path.exists("/tmp/pwned")
