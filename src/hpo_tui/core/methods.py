"""Methodology tables for papers, generated only from stored facts.

``space_table`` is the search space for reading (one row per param and distinct
distribution); ``methods_document`` adds the studies (axes, direction, trials by state,
divergence by rule, wall-clock span, total trial time) and the sampler/pruner names where
the storage records them. Markdown and LaTeX, escaped for each format.
"""

from __future__ import annotations

import json
from typing import Literal

import pandas as pd

from hpo_tui import __version__
from hpo_tui.core.campaign import Campaign
from hpo_tui.core.formats import plural
from hpo_tui.core.space import merged_space
from hpo_tui.core.summary import study_summary
from hpo_tui.core.tables import latex_table, markdown_table

Format = Literal["markdown", "latex"]
SPACE_HEADER = ["Parameter", "Type", "Range / choices", "Scale", "Step", "Used by", "Trials"]


def _number(value: object) -> str:
    """A bound or step exactly as stored (shortest repr), never rounded."""
    return repr(value) if isinstance(value, float) else str(value)


def space_table(campaign: Campaign) -> pd.DataFrame:
    """The merged search space as display text, one row per (param, distinct distribution)."""
    rows = []
    for row in merged_space(campaign).to_dict("records"):
        if row["kind"] == "categorical":
            choices = json.loads(row["choices"])
            shown = "{" + ", ".join(json.dumps(c) for c in choices) + "}"
            scale, step = "", ""
        else:
            shown = f"[{_number(row['low'])}, {_number(row['high'])}]"
            scale = "log" if row["log"] else "linear"
            step = "" if row["step"] is None else _number(row["step"])
        used = row["used_by"]
        if row["changed_within"]:
            used += f" (changed within {row['changed_within']})"
        rows.append([row["param"], row["kind"], shown, scale, step, used, str(row["n_trials"])])
    return pd.DataFrame(rows, columns=SPACE_HEADER)


def render_space(campaign: Campaign, fmt: Format) -> str:
    """The search-space table in Markdown or LaTeX."""
    table = space_table(campaign)
    rows = table.values.tolist()
    align = ["l", "l", "l", "l", "r", "l", "r"]
    if fmt == "latex":
        return latex_table(SPACE_HEADER, rows, align=align)
    return markdown_table(SPACE_HEADER, rows, align=align)


def _duration(seconds: float) -> str:
    if pd.isna(seconds):
        return ""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def studies_table(campaign: Campaign) -> pd.DataFrame:
    """Per study: axes, direction, trials by state, diverged, wall-clock span, total time."""
    summary = study_summary(campaign)
    trials = campaign.trials
    rows = []
    for row in summary.to_dict("records"):
        own = trials[trials["study"] == row["study"]]
        start = own["datetime_start"].min()
        end = own["datetime_complete"].max()
        span = (end - start).total_seconds() if pd.notna(start) and pd.notna(end) else float("nan")
        rows.append(
            [
                str(row["study"]),
                *[str(row[a]) if isinstance(row[a], str) else "" for a in campaign.axis_names],
                str(row["direction"]),
                str(row["n_trials"]),
                str(row["n_complete"]),
                str(row["n_pruned"]),
                str(row["n_fail"]),
                str(row["n_running"] + row["n_waiting"]),
                str(row["n_diverged"]),
                _duration(span),
                _duration(float(own["duration_s"].sum())) if len(own) else "",
            ]
        )
    header = [
        "Study",
        *[a.capitalize() for a in campaign.axis_names],
        "Direction",
        "Trials",
        "Complete",
        "Pruned",
        "Failed",
        "Running",
        "Diverged",
        "Wall-clock span",
        "Total trial time",
    ]
    return pd.DataFrame(rows, columns=header)


def _recorded_algorithms(campaign: Campaign) -> list[tuple[str, str, str]]:
    """(study, attr, value) for study attrs that name a sampler or pruner."""
    found = []
    for row in campaign.studies.to_dict("records"):
        for origin in ("user_attrs", "system_attrs"):
            for key, value in sorted(row[origin].items()):
                if "sampler" in key.lower() or "pruner" in key.lower():
                    found.append((str(row["study"]), f"{origin[:-6]} attr {key}", str(value)))
    return found


def methods_document(campaign: Campaign, fmt: Format) -> str:
    """The methodology summary: studies, divergence by rule, search space, algorithms."""
    studies = studies_table(campaign)
    header = list(studies.columns)
    align = ["l"] + ["l"] * len(campaign.axis_names) + ["l"] + ["r"] * 6 + ["r", "r"]
    table = latex_table if fmt == "latex" else markdown_table
    reasons = campaign.trials["diverged_reason"].dropna().value_counts()
    by_rule = ", ".join(f"{reason}: {count}" for reason, count in sorted(reasons.items()))
    rules = campaign.config.divergence
    algorithms = _recorded_algorithms(campaign)
    if algorithms:
        algo_rows = [list(a) for a in algorithms]
        algo_text = table(["Study", "Recorded as", "Value"], algo_rows, align=["l", "l", "l"])
    else:
        algo_text = (
            "Not recorded in the storage: Optuna does not store the sampler or pruner, and no "
            "study attr names one.\n"
        )
    sources = ", ".join(s.display for s in campaign.sources)
    intro = (
        f"Generated by hpo-tui {__version__} from the stored facts of "
        f"{plural(len(campaign.studies), 'study')} ({plural(len(campaign.trials), 'trial')}) "
        f"in {sources}."
    )
    divergence = (
        f"{plural(int(campaign.trials['diverged'].sum()), 'trial')} diverged"
        + (f" ({by_rule})" if by_rule else "")
        + f"; rules: non-finite value in a curve, loss above {rules.explode_factor:g}x its "
        f"first value without returning to {rules.recover_factor:g}x, or a truthy "
        f"'{rules.user_attr}' user attr."
    )
    if fmt == "latex":
        from hpo_tui.core.tables import latex_escape

        return "\n".join(
            [
                r"\subsection*{Hyperparameter optimization: methodology}",
                latex_escape(intro),
                "",
                r"\subsubsection*{Studies}",
                table(header, studies.values.tolist(), align=align),
                latex_escape(divergence),
                "",
                r"\subsubsection*{Search space}",
                render_space(campaign, "latex"),
                r"\subsubsection*{Samplers and pruners}",
                algo_text if algorithms else latex_escape(algo_text),
            ]
        )
    from hpo_tui.core.tables import markdown_escape

    return "\n".join(
        [
            "## Hyperparameter optimization: methodology",
            "",
            markdown_escape(intro),
            "",
            "### Studies",
            "",
            table(header, studies.values.tolist(), align=align),
            markdown_escape(divergence),
            "",
            "### Search space",
            "",
            render_space(campaign, "markdown"),
            "### Samplers and pruners",
            "",
            algo_text,
        ]
    )
