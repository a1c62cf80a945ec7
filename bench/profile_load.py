"""Profile hpo-tui's ``load_campaign`` on a generated storage: where does the time go?

Usage::

    .venv/bin/python bench/profile_load.py [--size 12x2000x100] [--backend sqlite]
                                           [--mode sample|cprofile|both] [--top 25]
                                           [--spec SOURCE]

Two views, each from its own fresh process (so one's overhead does not distort the other):

``sample``
    A stdlib-only sampling profiler: a thread reads the main thread's stack every
    millisecond (``sys._current_frames``) and charges the elapsed wall time to the innermost
    line of hpo-tui's own source on the stack, i.e. the hpo-tui line responsible for it,
    including the pandas/numpy/sqlite3/json work it calls. Lines and functions are listed with
    their self and inclusive seconds. Overhead is small; C calls that hold the GIL delay a
    sample but their time is still charged to the line that made them.
``cprofile``
    ``cProfile`` over the same call, top functions by own time (C functions included) and
    hpo-tui's functions by cumulative time. Its per-call overhead inflates Python-heavy code.

No dependency is added: pyinstrument is not installed in the project's venv.
"""

from __future__ import annotations

import argparse
import cProfile
import linecache
import pstats
import resource
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from common import CACHE_DIR, Size

LineKey = tuple[str, int, str]  # (file, line, function)


@dataclass
class LineSampler:
    """Charges wall time to the innermost frame of files under ``root`` on the main stack."""

    root: str
    interval: float = 0.001
    self_time: dict[LineKey, float] = field(default_factory=lambda: defaultdict(float))
    inclusive: dict[LineKey, float] = field(default_factory=lambda: defaultdict(float))
    func_inclusive: dict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))
    rss_growth: dict[LineKey, float] = field(default_factory=lambda: defaultdict(float))
    outside: float = 0.0
    total: float = 0.0
    samples: int = 0
    peak_rss_mb: float = 0.0
    peak_at: LineKey | None = None

    def __post_init__(self) -> None:
        self._target = threading.get_ident()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="line-sampler", daemon=True)

    def __enter__(self) -> LineSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _charge(self, frame: FrameType | None, weight: float, rss_delta: float, rss: float) -> None:
        inner: LineKey | None = None
        seen_lines: set[LineKey] = set()
        seen_funcs: set[tuple[str, str]] = set()
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename.startswith(self.root):
                key = (filename, frame.f_lineno, frame.f_code.co_name)
                if inner is None:
                    inner = key
                seen_lines.add(key)
                seen_funcs.add((filename, frame.f_code.co_name))
            frame = frame.f_back
        self.total += weight
        self.samples += 1
        if inner is None:
            self.outside += weight
            return
        self.self_time[inner] += weight
        if rss_delta > 0:
            self.rss_growth[inner] += rss_delta
        if rss > self.peak_rss_mb:
            self.peak_rss_mb, self.peak_at = rss, inner
        for key in seen_lines:
            self.inclusive[key] += weight
        for func in seen_funcs:
            self.func_inclusive[func] += weight

    def _run(self) -> None:
        last = time.perf_counter()
        last_rss = _rss_mb()
        while not self._stop.is_set():
            time.sleep(self.interval)
            now = time.perf_counter()
            rss = _rss_mb()
            frame = sys._current_frames().get(self._target)
            self._charge(frame, now - last, rss - last_rss, rss)
            last, last_rss = now, rss


def _rss_mb() -> float:
    """Current resident set size of this process, in MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def _short(path: str) -> str:
    marker = "/src/"
    return path.split(marker, 1)[1] if marker in path else path


def sample(spec: str, top: int) -> None:
    """Run ``load_campaign([spec])`` under :class:`LineSampler` and print the hot lines."""
    import hpo_tui
    import hpo_tui.core

    root = str(Path(hpo_tui.__file__).resolve().parent)
    began = time.perf_counter()
    with LineSampler(root) as sampler:
        campaign = hpo_tui.core.load_campaign([spec])
    wall = time.perf_counter() - began
    print(f"load_campaign: {wall:.2f} s wall, {len(campaign.trials):,} trials, ", end="")
    print(f"{len(campaign.curves):,} curve points, {sampler.samples:,} samples")
    print(f"(time outside hpo-tui frames: {sampler.outside:.2f} s)\n")

    print(f"### Top {top} lines (self: time charged to this line incl. the libraries it calls)\n")
    print("| self s | % | incl. s | where | code |")
    print("|--:|--:|--:|---|---|")
    ranked = sorted(sampler.self_time.items(), key=lambda kv: -kv[1])[:top]
    for (filename, line, func), seconds in ranked:
        code = linecache.getline(filename, line).strip().replace("|", "\\|")[:70]
        share = 100 * seconds / sampler.total
        incl = sampler.inclusive[(filename, line, func)]
        print(
            f"| {seconds:.3f} | {share:.1f} | {incl:.3f} | {_short(filename)}:{line} {func} "
            f"| `{code}` |"
        )
    if sampler.peak_at is not None:
        filename, line, func = sampler.peak_at
        print(
            f"\nPeak RSS {sampler.peak_rss_mb:.0f} MB, reached at {_short(filename)}:{line} {func}"
        )
    print(f"\n### Top {min(top, 12)} lines by RSS growth (MB allocated while on the line)\n")
    print("| MB | where | code |")
    print("|--:|---|---|")
    grown = sorted(sampler.rss_growth.items(), key=lambda kv: -kv[1])[: min(top, 12)]
    for (filename, line, func), mb in grown:
        code = linecache.getline(filename, line).strip().replace("|", "\\|")[:70]
        print(f"| {mb:.0f} | {_short(filename)}:{line} {func} | `{code}` |")
    print(f"\n### Top {top} hpo-tui functions (inclusive)\n")
    print("| incl. s | % | function |")
    print("|--:|--:|---|")
    funcs = sorted(sampler.func_inclusive.items(), key=lambda kv: -kv[1])[:top]
    for (filename, func), seconds in funcs:
        print(
            f"| {seconds:.3f} | {100 * seconds / sampler.total:.1f} | {_short(filename)} {func} |"
        )


def profile(spec: str, top: int, out: Path) -> None:
    """Run ``load_campaign([spec])`` under cProfile and print the top functions."""
    import hpo_tui.core

    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    hpo_tui.core.load_campaign([spec])
    profiler.disable()
    wall = time.perf_counter() - began
    out.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(out)
    print(f"load_campaign under cProfile: {wall:.2f} s wall; stats saved to {out}\n")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("tottime")
    print(f"### Top {top} functions by own time (tottime)\n")
    stats.print_stats(top)
    stats.sort_stats("cumulative")
    print(f"### hpo-tui functions by cumulative time (top {top})\n")
    stats.print_stats("hpo_tui", top)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=Size.parse, default=Size.parse("12x2000x100"))
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--mode", default="both", choices=["sample", "cprofile", "both"])
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--spec", help="profile this source instead (a journal file, a URL)")
    args = parser.parse_args(argv)
    size: Size = args.size
    if args.spec:
        spec = args.spec
    else:
        import generate

        spec = generate.ensure(size, args.backend)
    if args.mode == "both":  # each view from a fresh process
        for mode in ("sample", "cprofile"):
            command = [sys.executable, __file__, "--size", size.label, "--backend", args.backend]
            command += ["--spec", args.spec] if args.spec else []
            subprocess.run([*command, "--mode", mode, "--top", str(args.top)], check=True)
            print()
        return 0
    print(f"## {args.mode}: load_campaign on {args.spec or f'{size.label} {args.backend}'}\n")
    if args.mode == "sample":
        sample(spec, args.top)
    else:
        name = Path(args.spec).stem if args.spec else f"{size.label}_{args.backend}"
        profile(spec, args.top, CACHE_DIR / f"load_{name}.prof")
    return 0


if __name__ == "__main__":
    sys.exit(main())
