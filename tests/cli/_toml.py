"""A tiny TOML writer for the config files the tests write (tomllib only reads)."""

from __future__ import annotations

import json
from collections.abc import Mapping


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    raise TypeError(f"no TOML for {value!r}")


def dumps(data: Mapping[str, object], prefix: str = "") -> str:
    """Render nested mappings as TOML tables (keys quoted when they hold a dot)."""
    lines: list[str] = []
    tables: list[tuple[str, Mapping[str, object]]] = []
    for key, value in data.items():
        name = json.dumps(key) if "." in key else key
        if isinstance(value, Mapping):
            tables.append((f"{prefix}{name}", value))
        else:
            lines.append(f"{name} = {_value(value)}")
    for table, content in tables:
        lines += ["", f"[{table}]", dumps(content, f"{table}.")]
    return "\n".join(lines)
