"""``hpo_full.json`` alone, in this (fresh) process: load, build the details, then write the
file as the export does (flush and fsync included).

Usage::

    .venv/bin/python bench/full_json_write.py SPEC

Prints ONE line of JSON: ``load_s``/``load_cpu_s``, ``write_s``/``write_cpu_s`` (the file,
fsync included), ``fsync_s``, their ratios, ``bytes`` and ``writer_mb``: the peak RSS while
writing above the RSS before it (Linux: the peak is reset through
``/proc/self/clear_refs``; elsewhere null). To compare two versions of the code, run it
alternately with ``PYTHONPATH`` set to each tree's ``src``, several times, and compare the
ratios (medians).

``--floor`` adds what no writer of these bytes can avoid, measured the same way: orjson
formatting every curve point (values and steps) and every user attr (``floor_format_cpu_s``),
writing as many bytes (``floor_write_s``) and their fsync (``floor_fsync_s``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from measure import cpu_seconds, current_rss_mb


def _peak_rss_mb() -> float | None:
    """VmHWM of this process (Linux), in MB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


def floor(campaign: Any, size: int, folder: Path) -> dict[str, float]:
    """Format the campaign's numbers with orjson, write ``size`` bytes of them, fsync."""
    import orjson

    option = orjson.OPT_SERIALIZE_NUMPY
    cpu_began = cpu_seconds()
    texts = [
        orjson.dumps(campaign.curves["value"].to_numpy(dtype=float), option=option),
        orjson.dumps(campaign.curves["step"].to_numpy(), option=option),
        orjson.dumps(campaign.details["user_attrs"].tolist()),
    ]
    format_cpu = cpu_seconds() - cpu_began
    began = time.perf_counter()
    with open(folder / "floor.bin", "wb") as handle:
        left = size
        while left > 0:
            for text in texts:
                handle.write(text[:left])
                left -= min(left, len(text))
        handle.flush()
        synced = time.perf_counter()
        os.fsync(handle.fileno())
    done = time.perf_counter()
    return {
        "floor_format_cpu_s": format_cpu,
        "floor_write_s": synced - began,
        "floor_fsync_s": done - synced,
    }


def run(spec: str, folder: Path, with_floor: bool = False) -> dict[str, Any]:
    """Load ``spec`` and write its ``hpo_full.json`` into ``folder``."""
    from hpo_tui.core.config import Config
    from hpo_tui.core.export.full_json import write_full_json
    from hpo_tui.core.model.campaign import load_campaign

    began, cpu_began = time.perf_counter(), cpu_seconds()
    campaign = load_campaign([spec], Config())
    load_s, load_cpu = time.perf_counter() - began, cpu_seconds() - cpu_began
    campaign.details  # noqa: B018 - built by the export's derive phase, before the file
    gc.disable()  # as ``hpo-tui export`` does
    before = current_rss_mb()
    peak_known = _reset_peak_rss()
    path = folder / "hpo_full.json"
    began, cpu_began = time.perf_counter(), cpu_seconds()
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        write_full_json(handle, campaign, datetime(2026, 1, 1, tzinfo=UTC))
        handle.flush()
        synced = time.perf_counter()
        os.fsync(handle.fileno())
    write_s, write_cpu = time.perf_counter() - began, cpu_seconds() - cpu_began
    fsync_s = time.perf_counter() - synced
    peak = _peak_rss_mb() if peak_known else None
    extra = floor(campaign, path.stat().st_size, folder) if with_floor else {}
    return {
        **extra,
        "load_s": load_s,
        "load_cpu_s": load_cpu,
        "write_s": write_s,
        "write_cpu_s": write_cpu,
        "fsync_s": fsync_s,
        "write_to_load": write_s / load_s,
        "write_cpu_to_load_cpu": write_cpu / load_cpu,
        "bytes": path.stat().st_size,
        "writer_mb": None if peak is None else peak - before,
        "trials": len(campaign.trials),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command line (see the module docstring); prints one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec")
    parser.add_argument("--floor", action="store_true", help="also measure the floor")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hpo-tui-bench-") as folder:
        result = run(args.spec, Path(folder), args.floor)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
