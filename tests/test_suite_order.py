"""The order the suite's files are handed to pytest-xdist's workers (tests/conftest.py): longest first, by the
seconds in tests/durations.json, so that no long file starts last. And the old sessions' temporary folders, which
the controller deletes at its start rather than after the last test."""

from __future__ import annotations

import json

from conftest import DURATIONS, ROOT, UNLISTED_SECONDS, file_costs, longest_files_first, stored_durations


class Item:
    def __init__(self, nodeid: str, slow: bool = False):
        self.nodeid, self.slow = nodeid, slow

    def get_closest_marker(self, name: str):
        return object() if name == "slow" and self.slow else None


DURATIONS_SEEN = {"tests/test_a.py": {"fast": 1.0, "slow": 30.0}, "tests/test_b.py": {"fast": 5.0},
                  "tests/test_c.py": {"fast": 0.5, "slow": 2.0}}


def test_files_go_longest_first_each_files_tests_together_and_in_their_order():
    items = [Item("tests/test_a.py::one"), Item("tests/test_a.py::two", slow=True), Item("tests/test_b.py::x"),
             Item("tests/test_c.py::p", slow=True), Item("tests/test_new.py::n1"), Item("tests/test_b.py::y"),
             Item("tests/test_c.py::q")]
    order = [item.nodeid for item in longest_files_first(items, DURATIONS_SEEN)]
    assert order == ["tests/test_a.py::one", "tests/test_a.py::two",  # 31 s
                     "tests/test_b.py::x", "tests/test_b.py::y",  # 5 s
                     "tests/test_c.py::p", "tests/test_c.py::q",  # 2.5 s
                     "tests/test_new.py::n1"]  # not listed: 0.1 s a test


def test_a_file_counts_only_the_kinds_of_test_selected():
    fast_only = [Item("tests/test_a.py::one"), Item("tests/test_b.py::x"), Item("tests/test_b.py::y")]
    assert file_costs(fast_only, DURATIONS_SEEN) == {"tests/test_a.py": 1.0, "tests/test_b.py": 5.0}
    # `make test-fast` deselects the slow tests: test_a.py's 30 s no longer put it first
    assert [item.nodeid for item in longest_files_first(fast_only, DURATIONS_SEEN)][0] == "tests/test_b.py::x"
    assert file_costs([Item("tests/test_new.py::n1"), Item("tests/test_new.py::n2")], DURATIONS_SEEN) == {
        "tests/test_new.py": 2 * UNLISTED_SECONDS}


def test_the_listed_durations_name_every_file_of_the_suite():
    """A file added to the suite is listed after the next `--store-durations` run; until then it counts 0.1 s a
    test. This keeps the list from going stale unseen: it must name every test file and notebook the suite runs."""
    listed = json.loads(DURATIONS.read_text(encoding="utf-8"))
    files = {f"tests/{path.name}" for path in (ROOT / "tests").glob("test_*.py")}
    files |= {f"notebooks/{path.name}" for path in (ROOT / "notebooks").glob("0*.ipynb")}
    missing = sorted(files - set(listed))
    assert not missing, f"not in {DURATIONS.name} (run the suite with --store-durations): {missing}"
    assert all(isinstance(kinds, dict) and set(kinds) <= {"fast", "slow"} for kinds in listed.values())
    assert not sorted(set(listed) - files), "listed files that are no longer in the suite"


def test_storing_durations_changes_only_what_the_run_measured(tmp_path):
    for name in ("tests/test_a.py", "tests/test_b.py", "tests/test_c.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("")
    listed = {**DURATIONS_SEEN, "tests/test_gone.py": {"fast": 3.0}}
    # a run of part of the suite measured test_a.py's fast tests and both kinds of test_c.py's
    measured = {"tests/test_a.py": {"fast": 1.26}, "tests/test_c.py": {"fast": 0.44, "slow": 2.96}}
    assert stored_durations(listed, measured, tmp_path) == {
        "tests/test_a.py": {"fast": 1.3, "slow": 30.0},  # its slow seconds kept
        "tests/test_b.py": {"fast": 5.0},  # not run: as listed
        "tests/test_c.py": {"fast": 0.4, "slow": 3.0},
    }  # test_gone.py is no longer there


# --------------------------------------------------------------------------- old sessions' folders, deleted early
class _Factory:
    def __init__(self, current, made: bool):
        self.current, self._basetemp, self._retention_count = current, current if made else None, 3

    def getbasetemp(self):
        self._basetemp = self.current
        self.current.mkdir(exist_ok=True)
        return self.current


class _Session:
    def __init__(self, factory, workers):
        option = type("Option", (), {"basetemp": None, "numprocesses": workers})()
        self.config = type("Config", (), {"option": option, "_tmp_path_factory": factory})()


def _sessions(root, numbers, live=()):
    for n in numbers:
        (root / f"pytest-{n}" / "test_x0").mkdir(parents=True)
        (root / f"pytest-{n}" / "test_x0" / "f.csv").write_text("a\n", encoding="utf-8")
        if n in live:
            (root / f"pytest-{n}" / ".lock").write_text("", encoding="utf-8")  # a session still running


def test_an_xdist_controller_deletes_old_sessions_folders_at_its_start_as_pytest_would_at_its_end(
        tmp_path, monkeypatch):
    """tests/conftest.py: the controller deletes, in a thread, the folders pytest deletes when the session ends
    (all but the newest 3, its own among them); a folder whose lock is fresh (a session still running) stays."""
    import conftest

    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    monkeypatch.setattr(conftest, "_early_cleanup", None)
    _sessions(tmp_path, [1, 2, 3, 4, 5], live={2})
    conftest.pytest_sessionstart(_Session(_Factory(tmp_path / "pytest-6", made=False), workers=2))
    assert conftest._early_cleanup is not None
    conftest._early_cleanup.join(timeout=60)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pytest-2", "pytest-4", "pytest-5", "pytest-6"]


def test_a_session_without_xdist_and_without_a_folder_makes_none_and_deletes_nothing(tmp_path, monkeypatch):
    import conftest

    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    monkeypatch.setattr(conftest, "_early_cleanup", None)
    _sessions(tmp_path, [1, 2, 3, 4, 5])
    conftest.pytest_sessionstart(_Session(_Factory(tmp_path / "pytest-6", made=False), workers=None))
    assert conftest._early_cleanup is None
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"pytest-{n}" for n in range(1, 6)]
