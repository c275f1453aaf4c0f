"""The batch contract without Spark: one output row per input row in input order, the same rows
whatever the batching and the thread count, typed columns read as the CLI reads Parquet, bad rows
as statuses with reasons, and errors that name what to fix."""

import datetime
import os
import time
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import drgdip

from conftest import CASES, DEMO

SCHEME = str(DEMO / "scheme.json")


@pytest.fixture(scope="module")
def table(month):
    return pq.read_table(month / "cases.parquet")


@pytest.fixture(scope="module")
def drg():
    return drgdip.DrgGrouper(SCHEME)


def test_any_batching_gives_the_same_rows(table, drg):
    whole = drg.group_batch(table)
    assert whole.num_rows == table.num_rows == CASES
    assert whole.column("id").to_pylist() == [str(x) for x in table.column("id").to_pylist()]
    for size in [1_000, 4_999, 20_000]:
        parts = [drg.group_batch(b) for b in table.to_batches(max_chunksize=size)]
        assert pa.Table.from_batches(parts).equals(pa.Table.from_batches([whole])), size
    # Tiny batches over a slice (row by row is slow for all 20,000).
    head = table.slice(0, 300)
    one_by_one = [drg.group_batch(b) for b in head.to_batches(max_chunksize=1)]
    assert pa.Table.from_batches(one_by_one).equals(pa.Table.from_batches([whole.slice(0, 300)]))
    # A table, a record batch and a stream reader are all Arrow data.
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=777))
    assert drg.group_batch(reader).equals(whole)


def test_threads_change_nothing_but_speed(table, drg):
    assert drg.group_batch(table, threads=3).equals(drg.group_batch(table))
    dip = drgdip.DipGrouper(str(DEMO / "dip-catalog.json"))
    assert dip.group_batch(table, threads=2).equals(dip.group_batch(table))
    policy = drgdip.Policy()
    assert policy.price_batch(table, threads=2).equals(policy.price_batch(table))
    with pytest.raises(ValueError, match="threads must be at least 1"):
        drg.group_batch(table, threads=0)


def test_typed_columns_read_as_their_csv_text(drg):
    strings = pa.table(
        {
            "id": ["1", "2", "3"],
            "gender": ["1", "2", ""],
            "age": ["30", "0", "45"],
            "age_days": ["", "20", ""],
            "weight": ["", "3200", ""],
            "dept": ["03", "", "03"],
            "los": ["5", "3", ""],
            "leaving_type": ["1", "1", "1"],
            "diagnoses": ["J18.900", "P07.300", "J18.900|I10.x00"],
            "procedures": ["", "", ""],
        }
    )
    typed = pa.table(
        {
            "id": pa.array([1, 2, 3], pa.int64()),
            "gender": pa.array([1, 2, None], pa.int32()),
            "age": pa.array([Decimal("30"), Decimal("0"), Decimal("45")], pa.decimal128(5, 0)),
            "age_days": pa.array([None, 20, None], pa.int64()),
            "weight": pa.array([None, 3200.0, None], pa.float64()),
            "dept": pa.array(["03", None, "03"]).dictionary_encode(),
            "los": pa.array([5, 3, None], pa.int16()),
            "leaving_type": pa.array(["1", "1", "1"], pa.large_string()),
            "diagnoses": ["J18.900", "P07.300", "J18.900|I10.x00"],
            "procedures": pa.array([None, None, None], pa.string()),
            "discharged": pa.array([datetime.date(2025, 1, 2)] * 3, pa.date32()),
        }
    )
    want = drg.group_batch(strings)
    assert drg.group_batch(typed).equals(want)
    assert want.column("status").to_pylist()[0] == "SUCCESS"


def test_bad_rows_get_a_status_and_a_reason(drg):
    rows = pa.table(
        {
            "id": ["ok", "bad-gender", "no-dx", "not-utf8"],
            "gender": ["1", "x", "1", "1"],
            "age": ["30", "30", "30", "30"],
            "age_days": ["", "", "", ""],
            "weight": ["", "", "", ""],
            "dept": ["", "", "", ""],
            "los": ["5", "5", "5", "5"],
            "leaving_type": ["1", "1", "1", "1"],
            "diagnoses": pa.array([b"J18.900", b"J18.900", b"", b"\xff\xfe"], pa.binary()),
            "procedures": ["", "", "", ""],
        }
    )
    out = drg.group_batch(rows).to_pydict()
    assert out["id"] == ["ok", "bad-gender", "no-dx", "not-utf8"]
    assert out["status"][0] == "SUCCESS" and out["reason"][0] == ""
    assert out["status"][1] == "CHECK_FAILED" and "gender" in out["reason"][1]
    assert out["status"][2] != "SUCCESS" and out["reason"][2]
    assert out["status"][3] == "UNREADABLE" and "diagnoses" in out["reason"][3]


def test_errors_name_what_to_fix(drg):
    with pytest.raises(ValueError, match='no column "los"'):
        drg.group_batch(pa.table({"id": ["1"], "gender": ["1"], "age": ["3"], "age_days": [""],
                                  "weight": [""], "dept": [""]}))
    with pytest.raises(TypeError, match="__arrow_c_array__"):
        drg.group_batch([1, 2, 3])
    cols = {c: [""] for c in ["id", "gender", "age", "age_days", "weight", "dept", "los",
                              "leaving_type", "procedures"]}
    cols["diagnoses"] = pa.array([["J18.900"]], pa.list_(pa.string()))
    with pytest.raises(TypeError, match="diagnoses.*no text form"):
        drg.group_batch(pa.table(cols))
    with pytest.raises(ValueError, match="scheme"):
        drgdip.DrgGrouper("/no/such/scheme.json")


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads through /proc")
def test_one_thread_per_call_by_default(table, drg):
    """No call starts threads of its own unless asked (rayon's global pool would start one per
    core, in every Spark executor process)."""
    def threads():
        return len(os.listdir("/proc/self/task"))

    drg.group_batch(table.slice(0, 10))  # anything pyarrow starts lazily, started once
    before = threads()
    drg.group_batch(table)
    drgdip.DipGrouper(str(DEMO / "dip-catalog.json")).group_batch(table)
    policy = drgdip.Policy()
    policy.price_batch(table)
    drgdip.settle(pa.table({"hospital": ["H01"], "pool": ["employee-inpatient"], "points": ["1"],
                            "amount_fund": ["0"], "points_patient_share": ["0"]}), policy)
    # `settle` closes on a pool of one thread of its own, which ends when the call returns.
    for _ in range(50):
        if threads() == before:
            break
        time.sleep(0.1)
    assert threads() == before
