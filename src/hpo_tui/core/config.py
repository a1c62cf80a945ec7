"""Configuration: ``hpo-tui.toml`` or ``[tool.hpo-tui]`` in ``pyproject.toml``.

Precedence is CLI options > configuration file > defaults. Keys::

    storage = "sqlite:///runs/hpo.db"        # or a list of sources
    [axes]
    pattern = '...'                           # regex with named groups, one per grid axis
    [divergence]
    explode_factor = 10.0                     # loss above 10 x its first value ...
    recover_factor = 2.0                      # ... and never back at or below 2 x: diverged
    user_attr = "diverged"                    # a truthy user attr of this name: diverged
    loss_curve_pattern = "loss"               # list-valued user attrs whose name contains this
    [display]
    digits = 4                                # significant digits on screens and paper tables
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hpo_tui.core.errors import ConfigError

# A budget token (2M, 20M, 1.5B, 350K) and a horizon token (h1, h3, h5) anywhere in the name,
# in either order, each delimited by anything that is not a letter, a digit or a dot.
# Significant digits of numbers shown to people (screens, Markdown/LaTeX tables); here, not in
# ``display`` (which imports pandas), so that reading the config stays light.
DEFAULT_DIGITS = 4
DEFAULT_AXIS_PATTERN = (
    r"^(?=.*?(?<![A-Za-z0-9.])(?P<budget>\d+(?:\.\d+)?[KkMBGT])(?![A-Za-z0-9]))"
    r"(?=.*?(?<![A-Za-z0-9])(?P<horizon>[hH]\d+)(?![A-Za-z0-9]))"
)


# Axis names become columns: they must not collide with the campaign's own columns.
RESERVED_COLUMNS = frozenset(
    {
        "key",
        "study",
        "study_id",
        "source",
        "sweep",
        "number",
        "state",
        "value",
        "direction",
        "directions",
        "n_objectives",
        "best_value",
        "best_trial",
        "constrained",
        "feasible",
        "constraint_violation",
        "user_attrs",
        "system_attrs",
        "diverged",
        "spike_step",
        "datetime_start",
        "datetime_complete",
        "duration_s",
        "curve",
        "step",
    }
)
RESERVED_PREFIXES = ("values_", "n_", "diverged_", "param_", "user_attr_", "curve_")


@dataclass(frozen=True)
class DivergenceRules:
    """Thresholds of the divergence rules (see ``hpo_tui.core.model.divergence``)."""

    explode_factor: float = 10.0
    recover_factor: float = 2.0
    user_attr: str = "diverged"
    loss_curve_pattern: str = "loss"

    def as_dict(self) -> dict[str, Any]:
        """The rules as plain data (for exports' metadata)."""
        return {
            "explode_factor": self.explode_factor,
            "recover_factor": self.recover_factor,
            "user_attr": self.user_attr,
            "loss_curve_pattern": self.loss_curve_pattern,
        }


@dataclass(frozen=True)
class Config:
    """Everything configurable, with defaults."""

    storage: tuple[str, ...] = ()
    axis_pattern: str = DEFAULT_AXIS_PATTERN
    divergence: DivergenceRules = field(default_factory=DivergenceRules)
    digits: int = DEFAULT_DIGITS  # significant digits shown (screens, Markdown/LaTeX tables)
    path: Path | None = None

    @property
    def axis_names(self) -> tuple[str, ...]:
        """Names of the grid axes, in pattern order (first = grid rows, second = columns)."""
        return tuple(re.compile(self.axis_pattern).groupindex)


def _section(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{key}] must be a table")
    return value


def config_from_mapping(data: dict[str, Any], where: str = "config") -> Config:
    """Build a :class:`Config` from parsed TOML, validating every key.

    Args:
        data: The ``hpo-tui`` table.
        where: How to name the file in error messages.

    Raises:
        ConfigError: on unknown keys or values of the wrong type.
    """
    known = {"storage", "axes", "divergence", "display"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}")
    storage_value = data.get("storage", ())
    if isinstance(storage_value, str):
        storage: tuple[str, ...] = (storage_value,)
    elif isinstance(storage_value, list) and all(isinstance(s, str) for s in storage_value):
        storage = tuple(storage_value)
    elif storage_value == ():
        storage = ()
    else:
        raise ConfigError(f"{where}: storage must be a string or a list of strings")

    axes = _section(data, "axes", where)
    pattern = axes.get("pattern", DEFAULT_AXIS_PATTERN)
    if not isinstance(pattern, str):
        raise ConfigError(f"{where}: axes.pattern must be a string")
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ConfigError(f"{where}: axes.pattern is not a valid regex ({exc})") from None
    if not compiled.groupindex:
        raise ConfigError(f"{where}: axes.pattern needs named groups, e.g. (?P<budget>...)")
    for name in compiled.groupindex:
        if name in RESERVED_COLUMNS or name.startswith(RESERVED_PREFIXES):
            raise ConfigError(f"{where}: axis name {name!r} is a column name hpo-tui uses")

    div = _section(data, "divergence", where)
    defaults = DivergenceRules()
    kwargs: dict[str, Any] = {}
    for key, default in defaults.as_dict().items():
        if key not in div:
            continue
        value = div[key]
        if isinstance(default, float):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ConfigError(f"{where}: divergence.{key} must be a positive number")
            value = float(value)
        elif not isinstance(value, str):
            raise ConfigError(f"{where}: divergence.{key} must be a string")
        kwargs[key] = value
    unknown_div = sorted(set(div) - set(defaults.as_dict()))
    if unknown_div:
        raise ConfigError(f"{where}: unknown key divergence.{unknown_div[0]}")
    rules = DivergenceRules(**kwargs)
    if rules.recover_factor > rules.explode_factor:
        raise ConfigError(f"{where}: divergence.recover_factor must not exceed explode_factor")
    display = _section(data, "display", where)
    unknown_display = sorted(set(display) - {"digits"})
    if unknown_display:
        raise ConfigError(f"{where}: unknown key display.{unknown_display[0]}")
    digits = display.get("digits", DEFAULT_DIGITS)
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 17:
        raise ConfigError(f"{where}: display.digits must be an integer from 1 to 17")
    return Config(storage=storage, axis_pattern=pattern, divergence=rules, digits=digits)


def load_config(directory: Path | None = None) -> Config:
    """Read ``hpo-tui.toml``, else ``[tool.hpo-tui]`` of ``pyproject.toml``, in ``directory``.

    Args:
        directory: Where to look; the current directory by default.

    Returns:
        The configuration, or defaults when neither file configures hpo-tui.

    Raises:
        ConfigError: when the file exists but is not valid TOML or has invalid keys.
    """
    directory = directory or Path.cwd()
    own = directory / "hpo-tui.toml"
    pyproject = directory / "pyproject.toml"
    for path, table in ((own, None), (pyproject, ("tool", "hpo-tui"))):
        if not path.is_file():
            continue
        try:
            data: Any = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from None
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
        if table is not None:
            for key in table:
                data = data.get(key) if isinstance(data, dict) else None
            if data is None:
                continue
            if not isinstance(data, dict):
                raise ConfigError(f"{path}: [tool.hpo-tui] must be a table")
        config = config_from_mapping(data, str(path))
        return Config(
            storage=config.storage,
            axis_pattern=config.axis_pattern,
            divergence=config.divergence,
            digits=config.digits,
            path=path,
        )
    return Config()
