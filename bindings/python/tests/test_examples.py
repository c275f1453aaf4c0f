"""The examples run as a reader would run them."""

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_pandas_example_runs():
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / "pandas_example.py")],
        check=True, capture_output=True, text=True,
    ).stdout
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["id", "status"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == {"A1", "A2", "A3"}
    assert "SUCCESS" in rows["A1"]
    assert "ZD_NOT_MAPPING" in rows["A3"] or "FAIL" in rows["A3"]
