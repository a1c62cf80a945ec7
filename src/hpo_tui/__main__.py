"""Allow ``python -m hpo_tui``."""

from hpo_tui.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
