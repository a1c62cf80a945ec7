"""Golden files: the committed bytes of every text output, compared through syrupy.

The golden campaign (``campaign.db``, written once by ``scripts/make_golden_fixture.py``) and
the files rendered from it live in ``tests/fixtures/golden/``. A test compares a text with its
file by way of the ``golden`` fixture (``tests/conftest.py``)::

    assert golden("export/hpo_full.json") == text

The comparison is byte for byte (UTF-8, newlines as written), and ``pytest --snapshot-update``
rewrites the files, as it does the SVG snapshots. Each folder of text files is one
:class:`GoldenFile` extension: syrupy only ever lists (and, on an update, deletes unused
files in) those folders, never the campaign itself.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path
from typing import Any, ClassVar

from syrupy.data import Snapshot, SnapshotCollection
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from tests.helpers.paths import GOLDEN

GOLDEN_DB = GOLDEN / "campaign.db"
GOLDEN_SPEC = "tests/fixtures/golden/campaign.db"  # relative: the source column is stable
GOLDEN_FOLDERS = ("export", "grid", "space", "summary")  # text files only


class GoldenFile(SingleFileSnapshotExtension):
    """One text per file ``tests/fixtures/golden/<folder>/<name>``, named by the test
    (``snapshot(extension_class=..., name="hpo_full.json")``), read and written as exact
    UTF-8 bytes (no newline translation either way)."""

    folder: ClassVar[str] = ""
    _write_mode = WriteMode.TEXT
    _file_extension = ""

    def serialize(self, data: Any, **_: Any) -> str:
        if not isinstance(data, str):
            raise TypeError(f"a golden file holds text, not {type(data).__name__}")
        return data

    @classmethod
    def dirname(cls, *, test_location: Any) -> str:
        return str(GOLDEN / cls.folder)

    @classmethod
    def get_snapshot_name(cls, *, test_location: Any, index: Any = 0) -> str:
        if not isinstance(index, str) or not index or "/" in index:
            raise ValueError("name the golden file: snapshot(name='hpo_full.json')")
        return index

    @classmethod
    def _get_file_basename(cls, *, test_location: Any, index: Any) -> str:
        return cls.get_snapshot_name(test_location=test_location, index=index)

    def _read_snapshot_collection(self, *, snapshot_location: str) -> SnapshotCollection:
        collection = SnapshotCollection(location=snapshot_location)
        collection.add(Snapshot(name=Path(snapshot_location).name))
        return collection

    def _read_snapshot_data_from_location(
        self, *, snapshot_location: str, snapshot_name: str, session_id: str
    ) -> str | None:
        try:
            return Path(snapshot_location).read_bytes().decode("utf-8")
        except FileNotFoundError:
            return None

    @classmethod
    def write_snapshot(cls, *, snapshot_location: str, snapshots: Any) -> None:
        # syrupy warns that the location is not named after the test file: it is not, on
        # purpose (the folders are the export's own layout).
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*Can not relate snapshot")
            super().write_snapshot(snapshot_location=snapshot_location, snapshots=snapshots)

    @classmethod
    def _write_snapshot_collection(cls, *, snapshot_collection: SnapshotCollection) -> None:
        data = next(iter(snapshot_collection)).data
        assert isinstance(data, str)
        Path(snapshot_collection.location).write_bytes(data.encode("utf-8"))


@functools.cache
def golden_folder(folder: str) -> type[GoldenFile]:
    """The extension for one folder of golden files."""
    if folder not in GOLDEN_FOLDERS:
        raise ValueError(f"no golden folder {folder!r}: one of {GOLDEN_FOLDERS}")
    return type(f"GoldenFile_{folder}", (GoldenFile,), {"folder": folder})
