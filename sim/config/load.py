"""Reading config files: YAML with safety limits, ``extends:`` chains and ``--set``
overrides, into one plain mapping (validated by :mod:`.validate`)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ..errors import ConfigError
from ..safe_io import read_text
from .schema import merge

_MAX_EXTENDS_DEPTH = 16
MAX_CONFIG_BYTES = 1_000_000
MAX_ALIASES = 100
MAX_DEPTH = 32
MAX_NODES = 100_000
"""Most YAML nodes a document may have once its aliases are expanded (the bundled
calibration, the largest file read, has about 2,300)."""


def _check_events(text: str, where: str) -> None:
    """Check the YAML event stream, before anything is built: at most MAX_ALIASES
    aliases, MAX_NODES nodes once aliases are expanded and MAX_DEPTH levels of
    nesting (aliases included); no alias to an anchor still open (recursion)."""
    done: dict[str, tuple[int, int]] = {}  # anchor -> (expanded nodes, height)
    stack: list[list] = [[None, 0, 0]]  # open collections: [anchor, nodes, height]
    aliases = 0

    def add(nodes: int, height: int) -> None:
        if len(stack) + height - 1 > MAX_DEPTH:
            raise ConfigError(f"{where}: nested deeper than {MAX_DEPTH} levels")
        stack[-1][1] += nodes
        stack[-1][2] = max(stack[-1][2], height)
        if stack[-1][1] > MAX_NODES:
            raise ConfigError(
                f"{where}: more than {MAX_NODES:,} YAML nodes once aliases are "
                "expanded (an alias bomb?)"
            )

    for e in yaml.parse(text):
        if isinstance(e, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise ConfigError(f"{where}: more than {MAX_ALIASES} YAML aliases")
            if e.anchor not in done:
                raise ConfigError(f"{where}: alias *{e.anchor} is inside its anchor")
            add(*done[e.anchor])
        elif isinstance(e, yaml.ScalarEvent):
            if e.anchor is not None:
                done[e.anchor] = (1, 1)
            add(1, 1)
        elif isinstance(e, yaml.CollectionStartEvent):
            add(0, 1)  # the depth check, before the collection's content
            stack.append([e.anchor, 1, 0])
        elif isinstance(e, yaml.CollectionEndEvent):
            anchor, nodes, height = stack.pop()
            if anchor is not None:
                done[anchor] = (nodes, height + 1)
            add(nodes, height + 1)


def parse_yaml(text: str, where: str) -> object:
    """safe_load with limits: size, aliases (no 'billion laughs'), nodes after alias
    expansion and nesting depth, all checked before the document is built."""
    if len(text) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{where}: larger than {MAX_CONFIG_BYTES} bytes")
    _check_events(text, where)
    try:
        return yaml.safe_load(text)
    except ValueError as e:  # e.g. an impossible date such as 2026-13-01
        raise ConfigError(f"{where}: invalid value ({e})") from None


def read_yaml_file(path: Path, what: str, limit: int = MAX_CONFIG_BYTES) -> object:
    """A YAML file parsed with :func:`parse_yaml`'s limits, after a bounded read of a
    regular file; errors are one ConfigError line naming the file."""
    text = read_text(path, what, ConfigError, limit)
    try:
        return parse_yaml(text, f"{what} {path}")
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(e, "problem", None) or "invalid YAML"
        raise ConfigError(f"malformed YAML in {path}{where}: {problem}") from None


def _read_yaml(path: Path) -> dict:
    data = read_yaml_file(path, "config file")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path}: top level must be a mapping of keys")
    return data


def read_config_tree(path: str | Path, _depth: int = 0) -> dict:
    """Read a YAML config, resolving ``extends:`` (relative to the file) recursively."""
    path = Path(path)
    if _depth > _MAX_EXTENDS_DEPTH:
        raise ConfigError(f"config file {path}: 'extends' chain is too deep (a cycle?)")
    data = _read_yaml(path)
    section = data.get("data")
    for key in ("members_file", "plans_file"):  # file-relative
        if isinstance(section, dict) and isinstance(section.get(key), str):
            section[key] = str(path.parent / section[key])
    res = data.get("resilience")
    if isinstance(res, dict) and isinstance(res.get("priors_file"), str):
        res["priors_file"] = str(path.parent / res["priors_file"])  # file-relative
    if isinstance(data.get("calibration"), str) and data["calibration"] != "asof":
        data["calibration"] = str(path.parent / data["calibration"])  # file-relative
    if isinstance(data.get("sweep"), dict):  # scenario files, relative to this file
        for name, entry in list(data["sweep"].items()):
            if isinstance(entry, str):
                sub = read_config_tree(path.parent / entry, _depth + 1)
                for k in ("sweep", "grid"):
                    sub.pop(k, None)
                data["sweep"][name] = sub
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ConfigError(f"config key 'extends' in {path}: expected a file path")
    base = read_config_tree(path.parent / parent, _depth + 1)
    return merge(base, data)


def parse_override(text: str) -> dict:
    """Turn ``a.b.c=value`` into ``{'a': {'b': {'c': value}}}`` (value parsed as YAML)."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or any(not p for p in key.split(".")):
        raise ConfigError(f"--set {text!r}: expected KEY=VALUE, e.g. macro.shock_df=4")
    try:
        value = parse_yaml(raw, f"--set {text!r}") if raw.strip() else ""
    except (yaml.YAMLError, RecursionError):
        raise ConfigError(f"--set {text!r}: value is not valid YAML") from None
    out: dict = {}
    node = out
    parts = key.split(".")
    for p in parts[:-1]:
        node = node.setdefault(p, {})
    node[parts[-1]] = value
    return out


def _sets(data: dict, parts: list[str]) -> bool:
    """Whether mapping ``data`` sets the dotted key ``parts`` (or a mapping, list or
    value that holds it); keys may contain dots themselves (grid entries)."""
    node, i = data, 0
    while i < len(parts):
        if not isinstance(node, dict):
            return True
        keys = {str(k): v for k, v in node.items()}
        for j in range(len(parts), i, -1):
            if ".".join(parts[i:j]) in keys:
                node, i = keys[".".join(parts[i:j])], j
                break
        else:
            return False
    return True


def locate(error: ConfigError, path: str | Path, overrides=()) -> ConfigError:
    """``error`` naming the file of the ``extends:`` chain its key is set in, when
    that is a parent of ``path`` (not ``path`` itself or a ``--set`` value)."""
    m = re.search(r"config key '([^']+)'", str(error))
    if not m or str(error).startswith("sweep scenario"):
        return error
    parts = re.sub(r"\[\d+\]", "", m.group(1)).split(".")
    if any(_sets(parse_override(o), parts) for o in overrides):
        return error
    p = Path(path)
    for _ in range(_MAX_EXTENDS_DEPTH + 1):
        data = _read_yaml(p)
        if _sets({k: v for k, v in data.items() if k != "extends"}, parts):
            if p == Path(path):
                return error
            text = str(error)
            return ConfigError(f"{text[: m.end()]} (in {p}){text[m.end() :]}")
        parent = data.get("extends")
        if not isinstance(parent, str):
            return error
        p = p.parent / parent
    return error
