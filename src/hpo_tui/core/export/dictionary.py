"""The data dictionary: one description per column and JSON field of the export, shared by
its README (:mod:`.readme`) and ``docs/data-model.md`` so the screen, the files and the docs agree
word for word."""

from __future__ import annotations

from hpo_tui.core.analysis.grid_ci import DEFAULT_RESAMPLES, DEFAULT_SEED, LEVEL
from hpo_tui.core.analysis.importance import MIN_COMPLETE_TRIALS, RECOMMENDED_COMPLETE_TRIALS

# name → (meaning, unit / type, encoding)
COLUMN_DOCS: dict[str, tuple[str, str, str]] = {
    "study": ("Optuna study name, exactly as stored", "text", "as is"),
    "source": ("storage the study was read from (passwords masked)", "path or URL", "as is"),
    "sweep": (
        "the study's sweep: the part of its name outside the grid axes (`phase6a` for "
        "`phase6a_2M_h1`), followed by ` @ <source>` when the same study name comes from "
        "several sources; empty when the name fits no grid. One grid per sweep",
        "text",
        "as is",
    ),
    "number": ("trial number within its study (Optuna's `trial.number`)", "integer", ""),
    "state": ("trial state", "COMPLETE, PRUNED, FAIL, RUNNING or WAITING", ""),
    "value": (
        "objective value of a single-objective trial; empty for FAIL/RUNNING/WAITING trials "
        "(an objective that returned NaN is stored by Optuna as FAIL without a value)",
        "objective units",
        "float",
    ),
    "values_<i>": ("objective i of a multi-objective trial", "objective units", "float"),
    "feasible": (
        "every constraint value of the trial is ≤ 0 (Optuna's rule), from the `constraints` "
        "system attr list (a sampler's constraints_func) and the `constraints:<key>` system "
        "attrs (trial.set_constraint; a key overrides the list's value of the same key); "
        "empty when the trial has no constraint values: every trial of an unconstrained "
        "study, and running or failed trials. Optuna counts a trial without constraint "
        "values as feasible, and so does the best value",
        "True/False",
        "",
    ),
    "constraint_violation": (
        "sum of the trial's positive constraint values (0 when feasible), as NSGA-II ranks "
        "infeasible trials; empty when feasible is",
        "constraint units",
        "float",
    ),
    "diverged": ("the trial diverged by one of the rules below", "True/False", ""),
    "diverged_reason": ("rule that fired: nan, inf, -inf, exploded or user_attr", "text", ""),
    "diverged_curve": (
        "curve that shows the divergence (empty for user_attr)",
        "curve name",
        "",
    ),
    "diverged_step": (
        "first step of the divergence, in the units of diverged_curve",
        "step",
        "integer",
    ),
    "spike_step": (
        "first step of a loss spike above explode_factor that came back at or below "
        "recover_factor (not a divergence)",
        "step",
        "integer",
    ),
    "datetime_start": ("when the trial started", "UTC", "ISO 8601 with offset"),
    "datetime_complete": ("when the trial finished", "UTC", "ISO 8601 with offset"),
    "duration_s": ("datetime_complete - datetime_start", "seconds", "float"),
    "param_<name>": (
        "the trial's value of hyperparameter <name> as passed to suggest_* (original type: "
        "float, int, bool, string; empty when the trial has no such param or its value is "
        "None — hpo_full.json tells the two apart)",
        "param units",
        "",
    ),
    "user_attr_<name>": (
        "scalar user attr <name> (lists of numbers are curves, other values are in "
        "hpo_full.json only)",
        "as stored",
        "",
    ),
    "curve": (
        "the curve the curve_* columns summarise: intermediate when the trial reported "
        "values, else the first val* list-valued user attr",
        "curve name",
        "",
    ),
    "curve_n_steps": ("number of points of the curve", "count", "integer"),
    "curve_first": ("value at the first step", "curve units", "float"),
    "curve_last": ("value at the last step", "curve units", "float"),
    "curve_last_finite": ("last finite value", "curve units", "float"),
    "curve_min": ("smallest finite value", "curve units", "float"),
    "curve_max": ("largest finite value", "curve units", "float"),
    "curve_best": (
        "best finite value (min for minimized studies, max for maximized)",
        "curve units",
        "float",
    ),
    "curve_best_step": ("step of curve_best (first if tied): the best epoch", "step", "integer"),
    "curve_rel_improvement": (
        "(first finite - best) / |first finite| (sign flipped for maximized studies)",
        "fraction",
        "float",
    ),
    "curve_train_val_gap": (
        "val - train at the step where the val* list curve is best (lowest; highest in a "
        "maximized study) (trials with both train* and val* list-valued user attrs)",
        "curve units",
        "float",
    ),
    "diverged_last_finite": (
        "last finite value of the diverged curve before diverged_step",
        "curve units",
        "float",
    ),
    "diverged_value_before": (
        "value of the diverged curve at the step just before diverged_step",
        "curve units",
        "float",
    ),
}

SPACE_FIELDS: list[tuple[str, str]] = [
    ("param", "hyperparameter name, as passed to suggest_*"),
    ("kind", "float, int or categorical (from the stored distribution)"),
    ("low / high", "bounds, inclusive, exactly as stored (empty for categorical)"),
    ("log", "True when sampled on a log scale"),
    ("step", "discretization step, empty when continuous"),
    ("choices", "categorical choices as a JSON list, in Optuna's order"),
    ("used_by", "the axis values of the studies using this distribution, or 'all studies'"),
    ("n_studies / studies", "how many and which studies use it"),
    ("n_trials", "trials that sampled the param from this distribution"),
    ("changed_within", "studies where this param's distribution changed mid-way"),
]

IMPORTANCE_FIELDS: list[tuple[str, str]] = [
    ("study", "Optuna study name, exactly as stored; studies in grid order"),
    ("<axes>", "the study's grid axis values (`budget`, `horizon` by default)"),
    ("param", "hyperparameter name; within a study, most important first"),
    (
        "importance",
        "Optuna's parameter importance, normalised to sum to 1 over the study's params "
        "(full precision); empty when `note` says why",
    ),
    (
        "method",
        "ped_anova (optuna.importance.PedAnovaImportanceEvaluator: top 10 % of trials vs all, "
        "direction-aware; multi-objective: reaching the Pareto front) or fanova (seed 0)",
    ),
    ("n_trials", "COMPLETE trials with finite values the importance was computed from"),
    (
        "note",
        f"empty, or why there is no number: fewer than {MIN_COMPLETE_TRIALS} completed "
        "trials, or the method could not assess the param; or, next to a number, a caution: "
        f"fewer than {RECOMMENDED_COMPLETE_TRIALS} completed trials (Optuna recommends at "
        "least 5 in the top 10 %), the ranking may change",
    ),
]

PRUNING_DEFINITIONS = """\
Single-objective studies only. A study's **reference trials** are its COMPLETE trials with a
finite value; their **final rank** orders them best first (lowest value when minimized,
highest when maximized; ties by trial number), and the **top k** are the first
ceil(10 % × n) of them (the top set of PED-ANOVA and of the slice view; `hpo-tui pruning
--top-k` chooses another fraction). Constraints are not applied. A PRUNED trial's
**pruning step** is the last step it reported (`trial.report`; a pruner decides right
after a report). At that step, its **rank** is 1 + the number of reference trials whose
value reported at exactly that step is strictly better (a tie takes the better rank). A
reference trial **ranked as low (or lower)** when its value there was no better than the
pruned trial's, ties included; the pruned trial is a **possible false prune** when one of
those finished in the top k. The **false-prune estimate** of a study is the share of its
assessed pruned trials that are possible false prunes: an upper bound on the pruner's
mistakes, not a count of them (looking as good as an eventual winner at one step does not
make a trial one). **Steps not run** = the study's full step (the last step any of its
COMPLETE trials reported) − the pruning step, at least 0, in `trial.report` step units.
A pruned trial is not assessed (empty rank, estimate over the others) when it reported
nothing, its value at the pruning step is NaN, or no reference trial reported that step.
"""

PRUNING_FIELDS: list[tuple[str, str]] = [
    ("study / source / <axes> / sweep", "the study, as in hpo_summary.csv; summary order"),
    ("direction", "minimize or maximize (several, comma-separated: multi-objective)"),
    ("n_complete", "reference trials: COMPLETE with a finite value"),
    ("top_k_fraction", "the top k as a fraction of n_complete (0.1)"),
    ("n_top_k", "ceil(top_k_fraction × n_complete)"),
    ("n_pruned", "PRUNED trials"),
    ("n_assessed", "pruned trials that could be assessed (see the definitions)"),
    ("n_possible_false_prune", "assessed pruned trials that are possible false prunes"),
    (
        "false_prune_estimate",
        "n_possible_false_prune / n_assessed; empty (not 0) when n_assessed is 0",
    ),
    ("full_step", "the last step any COMPLETE trial reported; empty when none reported"),
    (
        "steps_not_run",
        "sum of the pruned trials' steps not run (those with a pruning step); 0 when nothing "
        "was pruned, empty when no pruned trial's is known",
    ),
    (
        "note",
        "empty, or: no pruned trials; multi-objective study: no single ranking; how many "
        "pruned trials were not assessed and why",
    ),
]

PRUNED_TRIAL_DOCS: list[tuple[str, str]] = [
    ("study / source / <axes> / sweep", "the trial's study; studies in summary order"),
    ("number", "trial number within its study; by number"),
    ("pruning_step", "the last step the trial reported; empty when it reported nothing"),
    ("value_at_pruning", "the intermediate value reported at pruning_step (full precision)"),
    (
        "n_complete_at_step",
        "reference trials that reported a finite value at pruning_step (0: none did)",
    ),
    (
        "rank_at_pruning",
        "1 + reference trials strictly better at pruning_step; 1 = best, "
        "n_complete_at_step + 1 = worse than all",
    ),
    (
        "best_final_rank_as_low",
        "the best final rank among the reference trials no better at pruning_step (ties "
        "included); empty when every one was better",
    ),
    (
        "possible_false_prune",
        "True when best_final_rank_as_low ≤ n_top_k; empty when not assessed",
    ),
    ("full_step", "the study's full step (see hpo_pruning.csv)"),
    ("steps_not_run", "max(0, full_step − pruning_step); empty when either is unknown"),
    ("note", "empty, or why the trial was not assessed"),
]

TRANSFER_DEFINITIONS = """\
Every pair of studies of a sweep's grid in the same column (two values of the first axis,
`budget`, at one value of the second, `horizon`) and in the same row (two horizons at one
budget); `a` is the smaller axis value. Only COMPLETE trials with a finite value take part.
Three Spearman rank correlations per pair (Pearson's correlation of the ranks, ties
averaged; empty, with a `note`, when fewer than 3 points or one side has no ranking):
**importance_rho** of the two studies' param importances (PED-ANOVA, as hpo_importance.csv)
over the params both have a number for; **best_params_rho** of the two best trials'
numeric params (float/int distributions), each placed at its position in the union of the
two studies' ranges of that param (0 = low end, 1 = high end, log10 scale for log
distributions): +1 when the two winners order their params' positions alike, a profile
likeness, not a verdict on any one param; **shared_rho** of the objective values of the
configs run in both studies (the same param dict exactly; a config run several times in a
study counts with its mean value), `shared_n` of them.

`hpo_transfer_params.csv` answers "would the 2M sweep have picked the 2B winner's learning
rate?": per pair and param, each winner's value, the **percentile** of b's winning value
among a's values of that param (100 × (values below + ½ × values equal) / n_a; numeric params
only) and whether it is **in a's top k** (within the range of values a's top k trials used;
categorical: among the choices they used), and the same for a's winner in b. The top k are
the first ceil(10 % × n) trials by value, direction-aware, ties by number (as in the pruner
audit).
"""

TRANSFER_FIELDS: list[tuple[str, str]] = [
    ("sweep", "the sweep whose grid the two studies are on"),
    ("axis", "the axis that differs between a and b (`budget`: same horizon)"),
    ("fixed", "the other axis's value, the same for a and b"),
    ("a / b", "the two axis values compared, smaller first"),
    ("study_a / study_b", "their studies"),
    ("importance_rho / importance_n", "Spearman ρ of the importances, over n params"),
    ("best_params_rho / best_params_n", "Spearman ρ of the winners' range positions, n params"),
    ("shared_rho / shared_n", "Spearman ρ of the objective over n configs run in both"),
    ("note", "why a ρ is empty (too few completed trials, params, or shared configs)"),
]

TRANSFER_PARAM_FIELDS: list[tuple[str, str]] = [
    ("sweep / axis / fixed / a / b / study_a / study_b", "the pair, as in hpo_transfer.csv"),
    ("param", "a param of either best trial"),
    ("kind", "numeric (float/int distribution) or categorical"),
    ("best_a / best_b", "the param's value in each study's best trial (empty: not there)"),
    ("best_b_percentile_in_a", "percentile of b's winning value among a's values (0–100)"),
    ("best_b_in_top_k_of_a", "b's winning value lies within what a's top k trials used"),
    ("best_a_percentile_in_b / best_a_in_top_k_of_b", "the same for a's winner in b"),
    ("n_a / n_b", "trials of each study with a value of the param"),
]

GRID_INTERVAL_DEFINITIONS = f"""\
`hpo-tui grid --ci` as a file: for every sweep's grid, each cell's **best** value and
its **top-5 mean** (mean of the 5 best values), each with a {LEVEL * 100:g} % bootstrap
interval. A cell's **values** are its study's COMPLETE trials with a value (feasible ones
only in a constrained study). **Resamples**: {DEFAULT_RESAMPLES} samples of the same size,
drawn with replacement, each giving the metric (direction-aware). **Interval**: the 2.5th
and 97.5th percentiles of those metrics, taken as order statistics (`numpy.quantile(...,
method="inverted_cdf")`: each end is a value some resample gave). **Seed**: each cell
draws from `numpy.random.default_rng([seed, crc32(study name, UTF-8)])`, seed
{DEFAULT_SEED}: the same file on every run (for one numpy version). **Tied with the
best**: the cell's interval and the best cell's share a point (closed intervals; the best
cell is tied with itself; no ties when the grid's studies mix directions). The interval of
`best` always starts at the best value (a resample's best is never better than the
trials' best): it says how far a repeat of the sweep might land on the worse side. Trials
of an adaptive sampler are not independent draws, and with few trials the intervals are
rough.
"""

GRID_INTERVAL_FIELDS: list[tuple[str, str]] = [
    ("sweep", "the sweep whose grid the cell is on"),
    ("study", "the cell's study"),
    ("<axes>", "the cell: its values of the grid's two axes (rows, then columns)"),
    ("metric", "`best` (best value) or `top5_mean` (mean of the 5 best values)"),
    ("value", "the metric over the cell's values (full precision; empty: no values)"),
    ("ci_low / ci_high", "the ends of the bootstrap interval (empty: no values)"),
    ("n_values", "the values resampled: COMPLETE trials with a value (feasible only)"),
    ("best", "True for the best cell of the sweep's grid for this metric"),
    ("tied_with_best", "True when the interval overlaps the best cell's (bold, ★)"),
    (
        "confidence / resamples / seed",
        f"the method's parameters: {LEVEL:g}, {DEFAULT_RESAMPLES}, {DEFAULT_SEED}",
    ),
]

JSON_FIELDS: list[tuple[str, str]] = [
    ("metadata.format", "export format version"),
    ("metadata.hpo_tui_version", "version of hpo-tui that wrote the files"),
    ("metadata.generated_at", "when the export was written (UTC, ISO 8601)"),
    ("metadata.sources", "storages read (passwords masked)"),
    ("metadata.axis_pattern / axis_names", "regex that found the grid axes in study names"),
    ("metadata.divergence_rules", "thresholds of the divergence rules"),
    ("studies[].study / source / axes", "study name, its storage, its axis values"),
    ("studies[].sweep", "the study's sweep, as the CSV column `sweep` (null off the grid)"),
    ("studies[].directions", "minimize/maximize per objective"),
    ("studies[].user_attrs / system_attrs", "study attrs, as stored"),
    ("studies[].counts", "n_trials and n_<state>, n_diverged"),
    (
        "studies[].constrained",
        "true when any trial of the study has constraint values (Optuna's constrained study)",
    ),
    (
        "studies[].best",
        "best COMPLETE value and its trial number (single-objective only); in a constrained "
        "study the best feasible one (as Optuna's study.best_trial)",
    ),
    (
        "studies[].objectives",
        "one per objective, in order: `column` (`value` or `values_<i>`, as in the CSV), "
        "`name` (the study's metric names, `study.set_metric_names`, when stored; else the "
        "column) and `direction`",
    ),
    (
        "studies[].trials[].values",
        "objective values in the order of `studies[].objectives`, or null when none was stored",
    ),
    (
        "studies[].trials[].feasible / constraint_violation",
        "as the CSV columns of the same name (null when empty)",
    ),
    ("studies[].trials[].params", "param values in their original JSON types (null = None)"),
    (
        "studies[].trials[].distributions",
        "search space of each param: type, low, high, log, step or choices",
    ),
    ("studies[].trials[].user_attrs / system_attrs", "every attr, as stored"),
    ("studies[].trials[].diverged*, spike_step", "as the CSV columns of the same name"),
    ("studies[].trials[].curve_stats", "the curve_* CSV columns"),
    ("studies[].trials[].curves.<name>", "a curve in full: parallel lists steps and values"),
]

CSV_ENCODING = """\
- UTF-8, comma-separated, RFC 4180 quoting, `\\n` line ends, one header row.
- Floats are written with the shortest text that reads back as the **bit-identical**
  double (Python's `repr`): `pandas.read_csv` gives the exact stored values. Nothing is
  rounded.
- NaN and missing values are empty cells; infinities are `inf` and `-inf`.
- Booleans are `True`/`False`; datetimes ISO 8601 in UTC (`+00:00`).
- Read back exactly with: `pandas.read_csv(path, keep_default_na=False, na_values=[""])`.
"""

JSON_ENCODING = """\
- Strict JSON (RFC 8259, UTF-8): no `NaN`/`Infinity` tokens, any parser reads it.
- Non-finite numbers are the strings `"NaN"`, `"Infinity"` and `"-Infinity"` (Python:
  `float(x)` turns them back into numbers). In params and attrs a string with one of these
  three exact texts cannot be told apart from the number; everywhere else the field is
  numeric.
- Missing values are `null`; datetimes ISO 8601 in UTC.
"""
