"""Shared fixtures: the repository, the `drgdip` CLI, a generated month of cases as Parquet and the
CLI's own results for it, and a local Spark session.

The CLI is `$DRGDIP_CLI`, else `target/release/drgdip` under `$CARGO_TARGET_DIR` or the repository;
build it with `cargo build --release` at the repository root (`.ci/python` does).
"""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "data" / "demo"
# The demo region settled by DIP (the demo DRG policy is embedded in the CLI and the module).
DIP_POLICY = ROOT / "data" / "scenarios" / "demo-dip.toml"
CASES = 20_000


def cli_path() -> Path:
    if os.environ.get("DRGDIP_CLI"):
        return Path(os.environ["DRGDIP_CLI"])
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "release" / "drgdip"


def run_cli(*args: str) -> None:
    exe = cli_path()
    if not exe.exists():
        pytest.fail(f"no drgdip CLI at {exe}: run `cargo build --release` at {ROOT} or set DRGDIP_CLI")
    subprocess.run([str(exe), *map(str, args)], check=True, cwd=ROOT)


@pytest.fixture(scope="session")
def month(tmp_path_factory):
    """A generated month of cases (typed Parquet) and the CLI's group, dip group and settle outputs."""
    d = tmp_path_factory.mktemp("month")
    cases = d / "cases.parquet"
    run_cli("gen", "--cases", CASES, "--seed", 7, "--out", cases)
    run_cli("group", "--scheme", DEMO / "scheme.json", "--input", cases, "--output", d / "cli.csv")
    run_cli(
        "dip", "group", "--catalog", DEMO / "dip-catalog.json", "--input", cases,
        "--output", d / "cli-dip.csv",
    )
    run_cli("settle", "--cases", cases, "--out", d / "settled")
    run_cli("settle", "--policy", DIP_POLICY, "--cases", cases, "--out", d / "settled-dip")
    return d


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession

    s = (
        SparkSession.builder.master("local[2]")
        .appName("drgdip-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        # Several Arrow batches per partition, so batch boundaries are exercised too.
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "1500")
        .getOrCreate()
    )
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()
