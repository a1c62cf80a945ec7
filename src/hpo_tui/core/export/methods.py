"""Methodology tables for papers, generated only from stored facts.

``space_table`` is the search space for reading (one row per param and distinct
distribution); ``methods_document`` adds the studies (axes, direction, trials by state,
wall-clock span, total trial time), the diverged trials by rule (campaign and per study)
and the sampler/pruner names where the storage records them. Markdown and LaTeX, escaped
for each format.
"""

from __future__ import annotations

import json
from typing import Literal

import pandas as pd

from hpo_tui import __version__
from hpo_tui.core.analysis.space import merged_space, study_space
from hpo_tui.core.analysis.summary import study_order, study_summary
from hpo_tui.core.display import plural
from hpo_tui.core.export.formats.markup import latex_table, markdown_table
from hpo_tui.core.model.campaign import Campaign

Format = Literal["markdown", "latex"]
SPACE_HEADER = ["Parameter", "Type", "Range / choices", "Scale", "Step", "Used by", "Trials"]
SPACE_PER_STUDY_HEADER = [
    "Study",
    *SPACE_HEADER[:5],
    "Trials",
    "First trial",
    "Last trial",
]


def _number(value: object) -> str:
    """A bound or step exactly as stored (shortest repr), never rounded."""
    return repr(value) if isinstance(value, float) else str(value)


def _distribution_cells(row: dict[str, object]) -> list[str]:
    """Type, range or choices, scale and step of one row of the space tables, exact."""
    if row["kind"] == "categorical":
        choices = json.loads(str(row["choices"]))
        return ["categorical", "{" + ", ".join(json.dumps(c) for c in choices) + "}", "", ""]
    shown = f"[{_number(row['low'])}, {_number(row['high'])}]"
    step = "" if row["step"] is None else _number(row["step"])
    return [str(row["kind"]), shown, "log" if row["log"] else "linear", step]


def space_table(campaign: Campaign) -> pd.DataFrame:
    """The merged search space as display text, one row per (param, distinct distribution)."""
    rows = []
    for row in merged_space(campaign).to_dict("records"):
        used = row["used_by"]
        if row["changed_within"]:
            used += f" (changed within {row['changed_within']})"
        kind, shown, scale, step = _distribution_cells(row)
        rows.append([row["param"], kind, shown, scale, step, used, str(row["n_trials"])])
    return pd.DataFrame(rows, columns=SPACE_HEADER)


def study_space_table(campaign: Campaign) -> pd.DataFrame:
    """The search space per study as display text: one row per (study, param, distinct
    distribution) of :func:`~hpo_tui.core.analysis.space.study_space`, in its order, with the first
    and last trial numbers that used it."""
    rows = []
    for row in study_space(campaign).to_dict("records"):
        kind, shown, scale, step = _distribution_cells(row)
        counts = [str(row[c]) for c in ("n_trials", "first_trial", "last_trial")]
        rows.append([str(row["study"]), row["param"], kind, shown, scale, step, *counts])
    return pd.DataFrame(rows, columns=SPACE_PER_STUDY_HEADER)


def render_space(campaign: Campaign, fmt: Format, per_study: bool = False) -> str:
    """The search-space table in Markdown or LaTeX, merged or (``per_study``) per study."""
    if per_study:
        table, align = study_space_table(campaign), ["l", "l", "l", "l", "l", "r", "r", "r", "r"]
    else:
        table, align = space_table(campaign), ["l", "l", "l", "l", "r", "l", "r"]
    header, rows = list(table.columns), table.values.tolist()
    if fmt == "latex":
        return latex_table(header, rows, align=align)
    return markdown_table(header, rows, align=align)


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
                str(row["n_running"]),
                str(row["n_waiting"]),
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
        "Waiting",
        "Diverged",
        "Wall-clock span",
        "Total trial time",
    ]
    return pd.DataFrame(rows, columns=header)


def diverged_by_rule(campaign: Campaign) -> pd.DataFrame:
    """Per study, in the studies table's order: its diverged trials by rule and in total.

    Columns: ``study_id, study``, one per rule (``diverged_reason``) that diverged a trial
    anywhere in the campaign, sorted, and ``total``. Every study has a row, zeros included,
    so each column sums to the campaign's count.
    """
    trials = campaign.trials
    diverged = trials[trials["diverged"].to_numpy(dtype=bool)]
    counts = pd.crosstab(diverged["study_id"], diverged["diverged_reason"].astype(str))
    rules = sorted(str(c) for c in counts.columns)
    studies = campaign.studies.loc[study_order(campaign), ["study_id", "study"]]
    table = studies.reset_index(drop=True)
    ids = table["study_id"].to_numpy()
    for rule in rules:
        table[rule] = counts[rule].reindex(ids, fill_value=0).to_numpy(dtype="int64")
    table["total"] = table[rules].sum(axis=1).astype("int64") if rules else 0
    return table


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
    align = ["l"] + ["l"] * len(campaign.axis_names) + ["l"] + ["r"] * 7 + ["r", "r"]
    table = latex_table if fmt == "latex" else markdown_table
    reasons = campaign.trials["diverged_reason"].dropna().value_counts()
    by_rule = ", ".join(f"{reason}: {count}" for reason, count in sorted(reasons.items()))
    rules = campaign.config.divergence
    per_study = diverged_by_rule(campaign).drop(columns=["study_id"])
    rule_header = ["Study", *per_study.columns[1:-1], "Total"]
    rule_rows = [[str(v) for v in row] for row in per_study.itertuples(index=False)]
    rule_table = table(rule_header, rule_rows, align=["l"] + ["r"] * (len(rule_header) - 1))
    has_rules = bool(len(per_study)) and int(per_study["total"].sum()) > 0
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
        from hpo_tui.core.export.formats.markup import latex_escape

        return "\n".join(
            [
                r"\subsection*{Hyperparameter optimization: methodology}",
                latex_escape(intro),
                "",
                r"\subsubsection*{Studies}",
                table(header, studies.values.tolist(), align=align),
                latex_escape(divergence),
                "",
                *(
                    [latex_escape("Diverged trials by rule, per study:"), "", rule_table]
                    if has_rules
                    else []
                ),
                r"\subsubsection*{Search space}",
                render_space(campaign, "latex"),
                r"\subsubsection*{Samplers and pruners}",
                algo_text if algorithms else latex_escape(algo_text),
            ]
        )
    from hpo_tui.core.export.formats.markup import markdown_escape

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
            *(["Diverged trials by rule, per study:", "", rule_table] if has_rules else []),
            "### Search space",
            "",
            render_space(campaign, "markdown"),
            "### Samplers and pruners",
            "",
            algo_text,
        ]
    )
