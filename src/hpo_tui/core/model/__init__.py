"""The campaign model: raw tables turned into studies, trials, curves, divergence; live refresh.

``campaign`` (load), ``frames`` (the Campaign and its frames), ``build`` (raw tables to
frames), ``curves``, ``divergence``, ``constraints``, ``objectives``, ``axes``, ``details``
(per-trial dicts for exports), ``splice`` and ``live`` (refresh), ``watch`` (when to
refresh), ``query`` (the trial filter language).
"""
