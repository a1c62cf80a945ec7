"""Outputs of a campaign: the export folder (``writer``), its README (``readme``), methods
tables for papers (``methods``), and the text formats they are written in (``formats``)."""
