"""Reading the engine's YAML data files: one loader, libyaml-accelerated when available."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from warmline.engine.errors import ConfigError

# libyaml parses the data files several times faster than the pure-Python loader, which
# matters for start-up time of short CLI runs; both are safe loaders.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def package_data() -> Traversable:
    """The folder of data files shipped inside the package."""
    return files("warmline.engine") / "data"


def read_yaml(directory: Traversable | Path, name: str) -> Any:
    """Parse the YAML file *name* in *directory*, raising ConfigError that names the file."""
    try:
        text = directory.joinpath(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{name}: cannot be read ({exc}); check the data directory") from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise ConfigError(f"{name}: not valid YAML: {exc}") from None
