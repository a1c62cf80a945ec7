"""Provenance: re-derive an export folder from its storages and list every difference.

The export is rendered again in memory by the same writer (:func:`render_export`) with the
recorded ``generated_at`` and the recorded axis pattern and divergence rules (so a different
local configuration does not pass for drift), then compared with the files on disk:

- CSV files by row (a key made of the ``study``, ``source``, ``number``, ``param`` and
  ``metric`` columns present, with an occurrence counter where that key repeats) and column; cells
  compared as text, exactly (floats are written as their shortest exact repr, so one ULP
  is a different text);
- JSON files by path (``studies[3].trials[17].values[0]``), leaves compared as their JSON
  text, exactly;
- ``README.md`` line by line.

Ignored, because they legitimately differ between two runs of the same export:
:data:`IGNORED`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from hpo_tui.core.config import Config, config_from_mapping
from hpo_tui.core.errors import ConfigError, HpoTuiError
from hpo_tui.core.export.defaults import DEFAULT_LIMIT

FULL_JSON = "hpo_full.json"
README = "README.md"
# The columns that name a row of an export CSV, in this order, where the file has them.
KEY_COLUMNS = ("study", "source", "number", "param", "metric")
IGNORED_JSON_PATHS = frozenset({"metadata.generated_at", "metadata.hpo_tui_version"})
README_STAMP = "Written by hpo-tui "
IGNORED = (
    "metadata.generated_at and metadata.hpo_tui_version (hpo_full.json, hpo_diverged.json)",
    "the README line 'Written by hpo-tui <version> at <time> from:'",
)
DIFFERENCE_COLUMNS = ["file", "where", "column", "on_disk", "derived"]
_HEAD_BYTES = 1 << 20  # the metadata opens hpo_full.json; it is far shorter than this
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class VerifyError(HpoTuiError):
    """The folder is not an export that can be verified (bad input, exit code 2)."""


@dataclass(frozen=True)
class Difference:
    """One difference between a file on disk and the same file re-derived.

    ``where`` is a CSV row (``study=fx_2M_h1 number=3``), a JSON path or a README line;
    ``column`` the CSV column (empty for JSON and README). A missing row, column, key or file
    reads ``(absent)`` on its side.
    """

    file: str
    where: str
    column: str
    on_disk: str
    derived: str


@dataclass
class VerifyReport:
    """The differences found (the first ``limit`` kept), and how many there were per file."""

    limit: int = DEFAULT_LIMIT
    differences: list[Difference] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """How many differences were found in all (kept or not)."""
        return sum(self.counts.values())

    @property
    def identical(self) -> bool:
        """No difference at all."""
        return self.total == 0

    def add(self, difference: Difference) -> None:
        """Count ``difference``; keep it while fewer than ``limit`` are kept."""
        self.counts[difference.file] = self.counts.get(difference.file, 0) + 1
        if len(self.differences) < self.limit:
            self.differences.append(difference)

    def frame(self) -> pd.DataFrame:
        """The kept differences, one row each (:data:`DIFFERENCE_COLUMNS`)."""
        rows = [[d.file, d.where, d.column, d.on_disk, d.derived] for d in self.differences]
        return pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS, dtype=object)


def read_metadata(folder: Path | str) -> dict[str, Any]:
    """The ``metadata`` object that opens ``hpo_full.json`` in an export folder.

    Raises:
        VerifyError: when the folder is missing or does not hold an hpo-tui export.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise VerifyError(f"{folder}: no such folder")
    path = folder / FULL_JSON
    try:
        with open(path, encoding="utf-8") as handle:
            head = handle.read(_HEAD_BYTES)
    except FileNotFoundError:
        raise VerifyError(f"{folder}: not an hpo-tui export (no {FULL_JSON})") from None
    except (OSError, UnicodeDecodeError) as exc:
        problem = getattr(exc, "strerror", None) or type(exc).__name__
        raise VerifyError(f"{path}: cannot read ({problem})") from None
    prefix = '{"metadata":'
    try:
        if not head.startswith(prefix):
            raise ValueError
        metadata, _ = json.JSONDecoder().raw_decode(head, len(prefix))
    except ValueError:
        raise VerifyError(f"{path}: not an hpo-tui export (no metadata at its start)") from None
    from hpo_tui.core.export.full_json import FORMAT_VERSION

    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT_VERSION:
        found = metadata.get("format") if isinstance(metadata, dict) else None
        raise VerifyError(f"{path}: export format {found!r}, this hpo-tui reads {FORMAT_VERSION}")
    return metadata


def export_config(metadata: Mapping[str, Any], base: Config) -> Config:
    """``base`` with the axis pattern and divergence rules the export was written with.

    Raises:
        VerifyError: when the recorded ones are not valid.
    """
    data = {"axes": {"pattern": metadata.get("axis_pattern")}}
    rules = metadata.get("divergence_rules")
    data["divergence"] = rules if isinstance(rules, dict) else {}
    try:
        recorded = config_from_mapping(data, f"{FULL_JSON} metadata")
    except ConfigError as exc:
        raise VerifyError(str(exc)) from None
    return Config(
        storage=base.storage,
        axis_pattern=recorded.axis_pattern,
        divergence=recorded.divergence,
        digits=base.digits,
        path=base.path,
    )


def generated_at(metadata: Mapping[str, Any]) -> datetime:
    """The recorded ``metadata.generated_at``.

    Raises:
        VerifyError: when it is missing or not an ISO 8601 time with an offset.
    """
    text = metadata.get("generated_at")
    try:
        stamp = datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        stamp = None
    if stamp is None or stamp.tzinfo is None:
        raise VerifyError(f"{FULL_JSON}: metadata.generated_at is not a time: {text!r}")
    return stamp


def compare_export(
    folder: Path | str, derived: Mapping[str, str], limit: int = DEFAULT_LIMIT
) -> VerifyReport:
    """Compare the files of an export folder with their re-derived texts.

    Args:
        folder: The export folder on disk.
        derived: File name → text, as :func:`~hpo_tui.core.export.writer.render_export`
            gives them.
        limit: How many differences to keep (all are counted).
    """
    folder = Path(folder)
    report = VerifyReport(limit=limit, files=list(derived))
    for name, text in derived.items():
        path = folder / name
        try:
            disk = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            report.add(Difference(name, "(file)", "", "(absent)", "(present)"))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problem = getattr(exc, "strerror", None) or type(exc).__name__
            raise VerifyError(f"{path}: cannot read ({problem})") from None
        if disk == text:
            continue
        if name.endswith(".csv"):
            differences = _csv_differences(name, disk, text)
        elif name.endswith(".json"):
            differences = _json_differences(name, disk, text)
        else:
            differences = _text_differences(name, disk, text)
        for difference in differences:
            report.add(difference)
    return report


def verify_export(
    folder: Path | str, sources: list[str], base: Config, limit: int = DEFAULT_LIMIT
) -> VerifyReport:
    """Re-derive the export in ``folder`` from ``sources`` and compare (see the module).

    Raises:
        VerifyError: when ``folder`` is not an export.
        SourceError: when a source cannot be read.
    """
    from hpo_tui.core.export.writer import render_export
    from hpo_tui.core.model.campaign import load_campaign

    metadata = read_metadata(folder)
    stamp = generated_at(metadata)
    campaign = load_campaign(sources, export_config(metadata, base))
    return compare_export(folder, render_export(campaign, stamp), limit)


# --- CSV ---------------------------------------------------------------------------------


_Rows = dict[tuple[str, ...], list[str]]


def _csv_rows(name: str, text: str) -> tuple[list[str], _Rows, list[tuple[str, ...]]]:
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise VerifyError(f"{name}: not a CSV file ({exc})") from None
    if not rows:
        return [], {}, []
    header, body = rows[0], rows[1:]
    key_index = [header.index(c) for c in KEY_COLUMNS if c in header]
    keyed: _Rows = {}
    order: list[tuple[str, ...]] = []
    for row in body:
        base = tuple(row[i] if i < len(row) else "" for i in key_index)
        key = base
        occurrence = 1
        while key in keyed:  # the same key again: the n-th such row
            occurrence += 1
            key = (*base, f"#{occurrence}")
        keyed[key] = row
        order.append(key)
    return header, keyed, order


def _row_label(header: list[str], key: tuple[str, ...]) -> str:
    names = [c for c in KEY_COLUMNS if c in header]
    parts = [f"{n}={v}" for n, v in zip(names, key, strict=False)]
    parts += [v for v in key[len(names) :]]  # the occurrence, when the key repeats
    return " ".join(parts) or "(row)"


def _csv_differences(name: str, disk_text: str, derived_text: str) -> Iterator[Difference]:
    disk_header, disk, disk_order = _csv_rows(name, disk_text)
    header, derived, order = _csv_rows(name, derived_text)
    for column in header:
        if column not in disk_header:
            yield Difference(name, "(header)", column, "(absent)", "(present)")
    for column in disk_header:
        if column not in header:
            yield Difference(name, "(header)", column, "(present)", "(absent)")
    if [c for c in KEY_COLUMNS if c in header] != [c for c in KEY_COLUMNS if c in disk_header]:
        yield Difference(name, "(rows)", "", f"{len(disk)} rows", f"{len(derived)} rows")
        return
    common = [c for c in header if c in disk_header]
    positions = [(c, header.index(c), disk_header.index(c)) for c in common]
    for key in order:
        label = _row_label(header, key)
        if key not in disk:
            yield Difference(name, label, "", "(absent)", "(present)")
            continue
        want, got = derived[key], disk[key]
        for column, i, j in positions:
            a = want[i] if i < len(want) else "(absent)"
            b = got[j] if j < len(got) else "(absent)"
            if a != b:
                yield Difference(name, label, column, b, a)
    for key in disk_order:
        if key not in derived:
            yield Difference(name, _row_label(disk_header, key), "", "(present)", "(absent)")
    shared = set(derived) & set(disk)
    if [k for k in order if k in shared] != [k for k in disk_order if k in shared]:
        yield Difference(name, "(row order)", "", "differs", "")


# --- JSON --------------------------------------------------------------------------------


def _json_differences(name: str, disk_text: str, derived_text: str) -> Iterator[Difference]:
    try:
        disk = json.loads(disk_text)
    except ValueError as exc:
        yield Difference(name, "(file)", "", f"not JSON ({exc})", "(JSON)")
        return
    yield from _walk(name, "", disk, json.loads(derived_text))


def _child(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _IDENTIFIER.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def _walk(name: str, path: str, disk: Any, derived: Any) -> Iterator[Difference]:
    if path in IGNORED_JSON_PATHS:
        return
    if isinstance(disk, dict) and isinstance(derived, dict):
        for key, value in derived.items():
            if key not in disk:
                yield Difference(name, _child(path, key), "", "(absent)", _shown(value))
            else:
                yield from _walk(name, _child(path, key), disk[key], value)
        for key, value in disk.items():
            if key not in derived:
                yield Difference(name, _child(path, key), "", _shown(value), "(absent)")
        return
    if isinstance(disk, list) and isinstance(derived, list):
        if len(disk) != len(derived):
            yield Difference(
                name, path or "(document)", "", f"{len(disk)} items", f"{len(derived)} items"
            )
        for index, (got, want) in enumerate(zip(disk, derived, strict=False)):
            yield from _walk(name, _child(path, index), got, want)
        return
    # Leaves (or a container against a leaf): their JSON text, so 1 differs from 1.0 and
    # every float is its shortest exact repr.
    if type(disk) is not type(derived) or json.dumps(disk) != json.dumps(derived):
        yield Difference(name, path or "(document)", "", _shown(disk), _shown(derived))


# --- README ------------------------------------------------------------------------------


def _text_differences(name: str, disk_text: str, derived_text: str) -> Iterator[Difference]:
    """Lines that differ, aligned (difflib) so one inserted line is one difference; ``where``
    is the line number on disk (re-derived, for a line missing on disk)."""
    import difflib

    disk = disk_text.split("\n")
    derived = derived_text.split("\n")
    matcher = difflib.SequenceMatcher(a=disk, b=derived, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            got = disk[i1 + k] if i1 + k < i2 else "(absent)"
            want = derived[j1 + k] if j1 + k < j2 else "(absent)"
            if got.startswith(README_STAMP) and want.startswith(README_STAMP):
                continue
            line = f"line {i1 + k + 1}" if i1 + k < i2 else f"line {j1 + k + 1} (re-derived)"
            yield Difference(name, line, "", got, want)
