"""The command registry: a command is a module in ``hpo_tui.cli`` plus one line in
``COMMAND_MODULES``; the parser, the dispatch and the default command all follow that list."""

from __future__ import annotations

import argparse
import types

import pytest

from hpo_tui.cli import main, parser
from hpo_tui.cli.args import Subparsers
from hpo_tui.core.config import Config

# The commands of hpo-tui before the CLI became a package: none may get lost.
COMMANDS_BEFORE = {
    "summary",
    "grid",
    "diverged",
    "space",
    "methods",
    "importance",
    "export",
    "trial",
    "demo",
    "open",
    "serve",
}


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    return parser.build_commands()[1]


def test_every_command_is_still_there() -> None:
    assert set(_subcommands()) >= COMMANDS_BEFORE


def test_every_command_has_a_handler() -> None:
    for name, sub in _subcommands().items():
        run = sub.get_default("run")
        assert callable(run), f"{name}: its add_parser must call set_defaults(run=...)"


def test_every_registered_module_lives_in_the_cli_package() -> None:
    for module in parser.COMMAND_MODULES:
        assert module.__name__.startswith("hpo_tui.cli."), module.__name__
        assert callable(module.add_parser), module.__name__


def _hello_module(calls: list[tuple[list[str], Config]]) -> types.ModuleType:
    """A command module as a new one would be written: ``hpo-tui hello [SOURCE...]``."""
    module = types.ModuleType("hpo_tui.cli.hello")

    def run(args: argparse.Namespace, config: Config) -> int:
        calls.append((args.sources, config))
        return 0

    def add_parser(subparsers: Subparsers) -> None:
        hello = subparsers.add_parser("hello", help="say hello")
        hello.add_argument("sources", nargs="*")
        hello.set_defaults(run=run)

    module.add_parser = add_parser  # type: ignore[attr-defined]
    return module


def test_a_new_module_in_the_list_is_a_command(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[list[str], Config]] = []
    monkeypatch.setattr(parser, "COMMAND_MODULES", (*parser.COMMAND_MODULES, _hello_module(calls)))
    assert main(["hello", "a.db"]) == 0
    assert [sources for sources, _ in calls] == [["a.db"]]
    assert isinstance(calls[0][1], Config)  # the config is loaded for every command


def test_a_first_word_that_is_no_command_is_a_source_to_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``hpo-tui study.db`` is ``hpo-tui open study.db``; ``hpo-tui`` alone is ``open``."""
    assert parser.parse_args(["study.db"]).command == "open"
    assert parser.parse_args(["study.db"]).sources == ["study.db"]
    assert parser.parse_args([]).command == "open"
    assert parser.parse_args(["summary", "study.db"]).command == "summary"
    monkeypatch.setattr(parser, "COMMAND_MODULES", (*parser.COMMAND_MODULES, _hello_module([])))
    assert parser.parse_args(["hello"]).command == "hello"
