"""The campaign model: raw tables turned into studies, trials, curves, divergence; live refresh."""
