"""The export's ``README.md``: what each file holds, rendered from the data dictionary
(:mod:`.dictionary`) and the campaign (its divergence rules, curves and objectives)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np

from hpo_tui import __version__
from hpo_tui.core.display import plural
from hpo_tui.core.export.dictionary import (
    COLUMN_DOCS,
    CSV_ENCODING,
    GRID_INTERVAL_DEFINITIONS,
    GRID_INTERVAL_FIELDS,
    IMPORTANCE_FIELDS,
    JSON_ENCODING,
    JSON_FIELDS,
    PRUNED_TRIAL_DOCS,
    PRUNING_DEFINITIONS,
    PRUNING_FIELDS,
    SPACE_FIELDS,
    TRANSFER_DEFINITIONS,
    TRANSFER_FIELDS,
    TRANSFER_PARAM_FIELDS,
)
from hpo_tui.core.model.curves import INTERMEDIATE, step_meaning

if TYPE_CHECKING:
    from hpo_tui.core.model.campaign import Campaign


def divergence_rules_text(campaign: Campaign) -> str:
    """The divergence rules with the thresholds in force."""
    rules = campaign.config.divergence
    return f"""\
Optuna never stores a NaN objective (such trials are FAIL without a value), so the curves are
the evidence. A curve is `intermediate` (values passed to `trial.report`) or a user attr
holding a list of numbers; its steps are as under *Curves and their steps*.

| rule | fires when | step |
|---|---|---|
| `nan`, `inf`, `-inf` | a curve holds a non-finite value | first such point |
| `exploded` | a loss curve (`intermediate` of a minimized single-objective study, or a list \
attr whose name contains `{rules.loss_curve_pattern}`) rises above **{rules.explode_factor:g}×** \
its first finite (positive) value and its last finite value stays above \
**{rules.recover_factor:g}×** it (this includes FAIL trials whose curve ends exploded) | first \
point above the threshold |
| `user_attr` | user attr `{rules.user_attr}` is truthy | user attr `diverged_step`, if an \
integer |

A loss that rose above {rules.explode_factor:g}× and came back to {rules.recover_factor:g}× or \
less is a *spike* (`spike_step`), not a divergence. When several rules fire, the `intermediate` \
curve is preferred, then list curves by name; within a curve the earliest step wins.
"""


def curves_text(campaign: Campaign) -> str:
    """Every curve name of the campaign, what its step is, and how many trials have it."""
    # The curves frame is sorted by key, then curve: each (trial, curve) is one run of rows,
    # so counting run starts per curve code counts trials, without a string per point.
    curve = campaign.curves["curve"]
    codes = curve.cat.codes.to_numpy()
    keys = campaign.curves["key"].to_numpy()
    starts = np.r_[True, (keys[1:] != keys[:-1]) | (codes[1:] != codes[:-1])][: len(codes)]
    per_code = np.bincount(codes[starts], minlength=len(curve.cat.categories))
    counts = {str(c): int(n) for c, n in zip(curve.cat.categories, per_code, strict=True) if n}
    names = sorted(counts, key=lambda n: (n != INTERMEDIATE, n))
    rows = "\n".join(f"| `{name}` | {step_meaning(name)} | {counts[name]} |" for name in names)
    return f"""\
A curve is a named sequence of (step, value): `{INTERMEDIATE}` holds the values passed to
`trial.report` and its steps are the steps given there; every user attr holding a list of
numbers (such as `train_losses`) is a curve too, and its steps are the positions in the list
(0, 1, 2, …), whatever the list stands for. The `curve_*` columns, `diverged_step`,
`spike_step` and `curves.<name>.steps` are in the steps of their curve:

| curve | step | trials |
|---|---|---|
{rows or "| (none) | | |"}
"""


def objectives_text(campaign: Campaign) -> list[str]:
    """What the value columns hold in each study with several objectives or with stored
    metric names (nothing when every study has one unnamed objective, in ``value``)."""
    from hpo_tui.core.model.objectives import objectives_record

    rows = []
    for _, study in campaign.studies.iterrows():
        objectives = objectives_record(study)
        if len(objectives) == 1 and objectives[0]["name"] == objectives[0]["column"]:
            continue
        cells = ", ".join(
            f"`{o['column']}`"
            + (f" = {o['name']}" if o["name"] != o["column"] else "")
            + f" ({o['direction']})"
            for o in objectives
        )
        rows.append(f"| `{study['study']}` | {cells} |")
    if not rows:
        return []
    return [
        "### Objectives of each study",
        "",
        "The value columns of the studies with several objectives or with metric names "
        "(`study.set_metric_names`; `hpo_full.json` holds them under `studies[].objectives`):",
        "",
        "| study | columns |",
        "|---|---|",
        *rows,
        "",
    ]


def render_readme(campaign: Campaign, generated_at: datetime, columns: list[str]) -> str:
    """The export folder's README: files, encodings, every column, rules, provenance."""
    sources = "\n".join(f"- `{s.display}`" for s in campaign.sources) or "- (none)"
    lines = [
        "# HPO analysis export",
        "",
        f"Written by hpo-tui {__version__} at {generated_at.isoformat()} from:",
        "",
        sources,
        "",
        f"{plural(len(campaign.studies), 'study')}, {plural(len(campaign.trials), 'trial')}, "
        f"{int(campaign.trials['diverged'].sum()) if len(campaign.trials) else 0} diverged, "
        f"{plural(len(campaign.curves), 'curve point')}.",
        "",
        "## Files",
        "",
        "| file | content |",
        "|---|---|",
        "| `hpo_summary.csv` | one row per trial: state, values, divergence, timing, params, "
        "scalar user attrs, learning-curve summary statistics |",
        "| `hpo_full.json` | everything, nested metadata → studies → trials, every curve in full |",
        "| `hpo_diverged.csv` | the diverged trials only: the summary columns plus "
        "`diverged_last_finite` and `diverged_value_before` |",
        "| `hpo_diverged.json` | the same records as JSON, with the metadata |",
        "| `hpo_search_space.csv` | the search space read from the stored distributions: one "
        "row per param and distinct distribution, with the studies using it |",
        "| `hpo_importance.csv` | parameter importance per study and param (PED-ANOVA), "
        "computed from the completed trials |",
        "| `hpo_pruning.csv` | pruner audit per study: pruned trials, possible false prunes, "
        "the false-prune estimate, steps not run |",
        "| `hpo_pruning_trials.csv` | pruner audit per pruned trial: its pruning step, its rank "
        "there among the completed trials, whether one as low finished in the top 10 % |",
        "| `hpo_transfer.csv` | cross-budget transfer per pair of grid cells in one row or "
        "column: rank correlations of importances, of the winners' params, of shared configs |",
        "| `hpo_transfer_params.csv` | per pair and param: each winner's value, its percentile "
        "and top-k membership in the other study |",
        "| `hpo_grid_intervals.csv` | the noise-aware grid: per sweep, cell and metric (best, "
        "top-5 mean), a seeded bootstrap interval and whether the cell is tied with the best |",
        "| `README.md` | this data dictionary |",
        "",
        "## Encoding",
        "",
        "### CSV",
        "",
        CSV_ENCODING,
        "### JSON",
        "",
        JSON_ENCODING,
        "## Columns of hpo_summary.csv and hpo_diverged.csv",
        "",
        "In this order. `param_<name>` and `user_attr_<name>` stand for one column per name "
        "found in the campaign (listed below the table).",
        "",
        "| column | meaning | unit / type | encoding |",
        "|---|---|---|---|",
    ]
    axis_names = set(campaign.axis_names)
    shown: list[str] = []
    for column in [*columns, "diverged_last_finite", "diverged_value_before"]:
        if column in axis_names:
            doc = (
                f"grid axis `{column}`, found in the study name by the axis pattern "
                "(empty when the name fits no grid)",
                "text",
                "",
            )
            name = column
        elif column.startswith("param_"):
            name = "param_<name>"
        elif column.startswith("user_attr_"):
            name = "user_attr_<name>"
        elif column.startswith("values_"):
            name = "values_<i>"
        else:
            name = column
        if name in shown:
            continue
        shown.append(name)
        if name not in axis_names:
            doc = COLUMN_DOCS[name]
        lines.append(f"| `{name}` | {doc[0]} | {doc[1]} | {doc[2]} |")
    params = [c for c in columns if c.startswith("param_")]
    attrs = [c for c in columns if c.startswith("user_attr_")]
    lines += [
        "",
        "Param columns: " + (", ".join(f"`{c}`" for c in params) or "(none)") + ".",
        "",
        "User attr columns: " + (", ".join(f"`{c}`" for c in attrs) or "(none)") + ".",
        "",
        *objectives_text(campaign),
        "## Fields of hpo_full.json",
        "",
        "| field | meaning |",
        "|---|---|",
        *(f"| `{name}` | {meaning} |" for name, meaning in JSON_FIELDS),
        "",
        "`hpo_diverged.json` holds `metadata` (as above) and `trials`: one object per "
        "diverged trial with the CSV columns as fields.",
        "",
        "## Columns of hpo_search_space.csv",
        "",
        "| column | meaning |",
        "|---|---|",
        *(f"| `{name}` | {meaning} |" for name, meaning in SPACE_FIELDS),
        "",
        "## Columns of hpo_importance.csv",
        "",
        "| column | meaning |",
        "|---|---|",
        *(f"| `{name}` | {meaning} |" for name, meaning in IMPORTANCE_FIELDS),
        "",
        "## Pruner audit: hpo_pruning.csv and hpo_pruning_trials.csv",
        "",
        PRUNING_DEFINITIONS,
        "### Columns of hpo_pruning.csv (one row per study)",
        "",
        "| column | meaning |",
        "|---|---|",
        *(f"| `{name}` | {meaning} |" for name, meaning in PRUNING_FIELDS),
        "",
        "### Columns of hpo_pruning_trials.csv (one row per PRUNED trial)",
        "",
        "| column | meaning |",
        "|---|---|",
        *(f"| `{name}` | {meaning} |" for name, meaning in PRUNED_TRIAL_DOCS),
        "",
        "## Cross-budget transfer: hpo_transfer.csv and hpo_transfer_params.csv",
        "",
        TRANSFER_DEFINITIONS,
        "### Columns of hpo_transfer.csv (one row per pair of studies)",
        "",
        "| column | meaning |",
        "|---|---|",
        *(f"| `{name}` | {meaning} |" for name, meaning in TRANSFER_FIELDS),
        "",
        "### Columns of hpo_transfer_params.csv (one row per pair and param)",
        "",
        "| column | meaning |",
        "|---|---|",
        *(f"| `{name}` | {meaning} |" for name, meaning in TRANSFER_PARAM_FIELDS),
        "",
        "## Noise-aware grid: hpo_grid_intervals.csv",
        "",
        GRID_INTERVAL_DEFINITIONS,
        "### Columns of hpo_grid_intervals.csv (one row per sweep, cell and metric)",
        "",
        "| column | meaning |",
        "|---|---|",
        *(f"| `{name}` | {meaning} |" for name, meaning in GRID_INTERVAL_FIELDS),
        "",
        "## Curves and their steps",
        "",
        curves_text(campaign),
        "## Divergence rules",
        "",
        divergence_rules_text(campaign),
        "## Grid axes",
        "",
        f"Axis pattern (Python regex, named groups = axes): `{campaign.config.axis_pattern}`",
        "",
    ]
    return "\n".join(lines)
