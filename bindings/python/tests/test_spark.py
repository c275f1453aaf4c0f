"""Spark (local mode) against the CLI: the same Parquet file, split into partitions and Arrow
batches, run through `mapInArrow`, gives the CLI's rows, and the per-hospital sums of the priced
cases settle to the CLI's payments to the fen."""

import json
import os
import sys
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pytest

import drgdip

from conftest import CASES, DEMO, DIP_POLICY

# The workers run this interpreter, where the wheel is installed.
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

SCHEME = str(DEMO / "scheme.json")
CATALOG = str(DEMO / "dip-catalog.json")


def cli_csv(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def as_multiset(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(list(df.columns), na_position="last").reset_index(drop=True)


def partitions(spark, month):
    df = spark.read.parquet(str(month / "cases.parquet")).repartition(4)
    assert df.rdd.getNumPartitions() == 4
    return df


def test_drg_mapinarrow_equals_the_cli(spark, month):
    def group(batches):
        import drgdip as d

        g = d.DrgGrouper(SCHEME)
        for b in batches:
            out = g.group_batch(b)
            # Order within a batch: the output ids are the input ids, row for row.
            assert out.column("id").to_pylist() == [str(x) for x in b.column("id").to_pylist()]
            yield out

    got = partitions(spark, month).mapInArrow(group, drgdip.DrgGrouper.SPARK_SCHEMA).toPandas()
    want = cli_csv(month / "cli.csv")
    assert list(got.columns) == list(want.columns) == list(drgdip.DrgGrouper.OUTPUT_COLUMNS)
    assert len(got) == len(want) == CASES
    # Every row equal (as a multiset: Spark's partitions come back in any order) ...
    pd.testing.assert_frame_equal(as_multiset(got), as_multiset(want))
    # ... and joined on id where ids are unique, every column equal.
    unique = want[~want["id"].duplicated(keep=False)]
    joined = unique.merge(got, on="id", suffixes=("_cli", "_spark"), validate="one_to_one")
    assert len(joined) == len(unique) > CASES * 0.95
    for c in drgdip.DrgGrouper.OUTPUT_COLUMNS[1:]:
        diff = joined[joined[c + "_cli"] != joined[c + "_spark"]]
        assert diff.empty, f"column {c} differs for {len(diff)} rows, e.g. {diff.iloc[0].to_dict()}"
    assert (got["status"] == "SUCCESS").mean() > 0.8, "the demo month groups mostly"


def test_dip_mapinarrow_equals_the_cli(spark, month):
    def group(batches):
        import drgdip as d

        g = d.DipGrouper(CATALOG)
        for b in batches:
            yield g.group_batch(b)

    got = partitions(spark, month).mapInArrow(group, drgdip.DipGrouper.SPARK_SCHEMA).toPandas()
    want = cli_csv(month / "cli-dip.csv")
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want) == CASES
    numeric = [c for c, t in zip(got.columns, got.dtypes) if t.kind == "f"]
    assert len(numeric) == 7
    for c in numeric:
        # The CLI prints the shortest text that reads back to the same float: parse it back.
        want[c] = [float(x) if x else float("nan") for x in want[c]]
    pd.testing.assert_frame_equal(as_multiset(got), as_multiset(want), check_exact=True)
    assert (got["status"] == "OK").mean() > 0.8


@pytest.mark.parametrize(
    "policy_path,settled",
    # The embedded demo policy (DRG), as `drgdip settle` without --policy; the demo region by DIP.
    [(None, "settled"), (str(DIP_POLICY), "settled-dip")],
    ids=["drg", "dip"],
)
def test_settle_from_spark_aggregates_equals_the_cli(spark, month, policy_path, settled):
    from pyspark.sql import functions as F

    def price(batches):
        import drgdip as d

        p = d.Policy(policy_path)
        for b in batches:
            yield p.price_batch(b)

    priced = partitions(spark, month).mapInArrow(price, drgdip.Policy.SPARK_SCHEMA).cache()
    cases = priced.toPandas()
    ok = priced.where("status = 'PRICED'")
    sums = ok.groupBy("hospital", "pool").agg(
        F.count("*").alias("cases"),
        F.sum("points").alias("points"),
        F.sum("amount_fund").alias("amount_fund"),
        F.sum("points_patient_share").alias("points_patient_share"),
        F.sum(F.col("review").cast("long")).alias("review_cases"),
    )
    aggregates = pa.Table.from_pandas(sums.toPandas(), preserve_index=False)
    assert pa.types.is_decimal(aggregates.schema.field("points").type)
    out = drgdip.settle(aggregates, drgdip.Policy(policy_path)).to_pandas()

    # Rejections: the CLI's rejected.csv, id for id.
    rejected = cli_csv(month / settled / "rejected.csv")
    assert sorted(cases.loc[cases.status == "REJECTED", "id"]) == sorted(rejected["id"])
    assert 0 < len(rejected) < CASES * 0.05

    # Each case: the CLI's pool, route and points.
    cli_cases = cli_csv(month / settled / "cases.csv").set_index("id")
    mine = cases[cases.status == "PRICED"].set_index("id")
    assert len(mine) == len(cli_cases)
    both = mine.merge(cli_cases, left_index=True, right_index=True, suffixes=("", "_cli"))
    assert len(both) == len(cli_cases)
    assert (both["pool"] == both["pool_cli"]).all()
    assert (both["route"] == both["route_cli"]).all()
    cli_points = both["points_cli"].map(lambda t: Decimal(t) if t else Decimal(0))
    assert (both["points"] == cli_points).all()
    amount = both["points"] == 0
    assert (both.loc[amount, "amount_fund"] * 100 == both.loc[amount, "fund_fen"].map(Decimal)).all()

    # Each hospital: the CLI's payment, to the fen.
    hospitals = cli_csv(month / settled / "hospitals.csv").set_index("hospital")
    paid = out.groupby("hospital")["payment"].sum().map(lambda y: int(y * 100))
    want = hospitals["payment_fen"].astype(int)
    assert paid.sort_index().to_dict() == want.sort_index().to_dict()

    # Each pool: the CLI's point value and payments; a point-value pool pays out exactly its
    # distributable amount.
    summary = json.loads((month / settled / "summary.json").read_text())
    for p in summary["pools"]:
        rows = out[out.pool == p["id"]]
        if rows.empty:
            assert p["cases"] == 0
            continue
        assert int(rows["payment"].sum() * 100) == p["paid_fen"]
        assert rows["point_value_exact"].iloc[0] == p["point_value_fen_exact"]
        assert rows["pool_remainder_fen"].iloc[0] == p["remainder_fen"]
        if p["closure"] == "point_value":
            assert rows["payment"].sum() == rows["pool_distributable"].iloc[0]
