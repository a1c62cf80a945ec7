"""A study run with heartbeats whose worker was killed mid-trial, written by real Optuna calls.

``write_heartbeat_campaign(url)`` leaves, in study :data:`HEARTBEAT_STUDY` (storage opened with
``heartbeat_interval=1``):

- trials 0–2 COMPLETE (quick, each with its heartbeat row);
- trial 3 RUNNING: its worker (a subprocess) recorded heartbeats for ~2.5 s, then died with
  ``os._exit`` — the zombie Optuna calls stale;
- trial 4 RUNNING: asked more than :data:`GRACE` seconds before the end, its heartbeat
  recorded just now — alive, though its start is old;

and in study :data:`PLAIN_STUDY` (no heartbeats) one COMPLETE trial and one RUNNING trial
(asked, never told). It returns once Optuna's own ``_get_stale_trial_ids`` says trial 3 is
stale, and what it said (the oracle) with the time it said it (``at``): the alive trial
stays alive only for :data:`GRACE` seconds after that.
"""

from __future__ import annotations

import subprocess
import sys
import time
import warnings
from datetime import UTC, datetime
from typing import Any

import optuna

HEARTBEAT_STUDY = "hb_2M_h1"
PLAIN_STUDY = "plain_2M_h1"
GRACE = 2  # seconds: Optuna's grace period, and the stall threshold the tests use
KILLED, ALIVE = 3, 4

_WORKER = """
import os, sys, time, warnings
import optuna
warnings.simplefilter("ignore")
optuna.logging.set_verbosity(optuna.logging.ERROR)
storage = optuna.storages.RDBStorage(sys.argv[1], heartbeat_interval=1)
study = optuna.load_study(study_name=sys.argv[2], storage=storage)

def objective(trial):
    trial.suggest_float("x", 0.0, 1.0)
    time.sleep(2.5)  # heartbeats at 0, 1 and 2 s
    os._exit(0)  # killed: no tell, no FAIL

study.optimize(objective, n_trials=1)
"""


def heartbeat_storage(url: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # heartbeat_interval is experimental
        return optuna.storages.RDBStorage(url, heartbeat_interval=1, grace_period=GRACE)


def write_heartbeat_campaign(url: str) -> dict[str, Any]:
    """Write the studies above into the RDB storage ``url``; Optuna's verdict."""
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    storage = heartbeat_storage(url)
    study = optuna.create_study(study_name=HEARTBEAT_STUDY, storage=storage)
    study.optimize(lambda t: t.suggest_float("x", 0.0, 1.0), n_trials=3)
    subprocess.run([sys.executable, "-c", _WORKER, url, HEARTBEAT_STUDY], check=True, timeout=60)

    plain = optuna.create_study(study_name=PLAIN_STUDY, storage=url)
    plain.optimize(lambda t: t.suggest_float("x", 0.0, 1.0), n_trials=1)
    plain.ask()  # RUNNING, no heartbeat

    alive = study.ask()  # RUNNING; its heartbeat comes at the end
    study_id = study._study_id
    killed_id = study.get_trials(deepcopy=False)[KILLED]._trial_id
    deadline = time.monotonic() + 30
    while True:  # until Optuna itself calls the killed trial stale, and the alive one is old
        stale = storage._get_stale_trial_ids(study_id)
        started = study.get_trials(deepcopy=False)[ALIVE].datetime_start
        old = (time.time() - started.timestamp()) > GRACE + 1
        if killed_id in stale and old:
            break
        if time.monotonic() > deadline:
            raise RuntimeError("the killed trial never became stale")
        time.sleep(0.2)
    storage.record_heartbeat(alive._trial_id)
    stale = storage._get_stale_trial_ids(study_id)
    return {
        "stale_trial_ids": stale,
        "at": datetime.now(UTC),  # when Optuna said so: the alive trial is alive then
        "killed_trial_id": killed_id,
        "alive_trial_id": alive._trial_id,
    }
