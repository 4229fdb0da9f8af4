"""The test tree has no package files: pytest imports each test module by its base name, so two files
with one name in different folders make one of them fail to collect (only in a full run)."""
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_every_test_module_has_a_name_of_its_own():
    names = Counter(path.name for path in TESTS.rglob("test_*.py"))
    assert sorted(name for name, count in names.items() if count > 1) == []
