"""`drgdip.settle` from per-hospital sums, on numbers checked by hand against the embedded demo
policy (data/demo/policy.toml): pool `employee-inpatient` has a budget of 120,000,000.00 yuan, a
5% reserve and closes by point value on the total-cost basis."""

from decimal import Decimal as D

import pyarrow as pa
import pytest

import drgdip


@pytest.fixture(scope="module")
def policy():
    return drgdip.Policy()


def aggregates(rows):
    return pa.table(
        {
            "hospital": [r[0] for r in rows],
            "pool": [r[1] for r in rows],
            "cases": pa.array([r[2] for r in rows], pa.int64()),
            "points": pa.array([D(r[3]) for r in rows], pa.decimal128(28, 4)),
            "amount_fund": pa.array([D(r[4]) for r in rows], pa.decimal128(28, 2)),
            "points_patient_share": pa.array([D(r[5]) for r in rows], pa.decimal128(28, 2)),
        }
    )


def test_hand_computed_point_value_closure(policy):
    assert policy.pools == ["employee-inpatient", "resident-inpatient", "resident-outpatient"]
    sums = aggregates(
        [
            # hospital, pool, cases, points, amount_fund (yuan), points_patient_share (yuan)
            ("H01", "employee-inpatient", 10, "1000", "0", "600000.00"),
            ("H02", "employee-inpatient", 15, "1500", "400000.00", "0"),
            # A second row of the same (hospital, pool) is added to the first: partial sums work.
            ("H02", "employee-inpatient", 5, "500", "600000.00", "0"),
            ("H03", "employee-inpatient", 30, "3000", "0", "0"),
        ]
    )
    out = drgdip.settle(sums, policy).to_pylist()
    assert [r["hospital"] for r in out] == ["H01", "H02", "H03"]
    # distributable = 120,000,000.00 − 5% = 114,000,000.00; money paid outside points: 1,000,000.00.
    # Total-cost basis: the patients' shares of point cases join the amount shared by points, so
    # 114,000,000.00 − 1,000,000.00 + 600,000.00 = 113,600,000.00 yuan over 6000 points:
    # 1,893,333.33… fen per point.
    r = out[0]
    assert r["pool_distributable"] == D("114000000.00")
    assert r["pool_reserve"] == D("6000000.00")
    assert r["pool_total_points"] == D("6000")
    assert r["point_value_exact"] == "5680000/3"  # 11,360,000,000 fen / 6000 points
    # Shares: 1,893,333,333⅓, 3,786,666,666⅔, 5,680,000,000 fen. The floors leave 1 fen, which goes
    # to the largest remainder (H02's ⅔).
    assert r["pool_remainder_fen"] == 1
    by = {r["hospital"]: r for r in out}
    # H01: its share less its patients' 600,000.00 yuan.
    assert by["H01"]["points_paid"] == D("18333333.33")
    assert by["H02"]["points_paid"] == D("37866666.67")
    assert by["H02"]["amount_paid"] == D("1000000.00")
    assert by["H02"]["payment"] == D("38866666.67")
    assert by["H02"]["cases"] == 20
    assert by["H03"]["payment"] == D("56800000.00")
    # Every fen of the distributable amount is paid, none more.
    assert sum(r["payment"] for r in out) == D("114000000.00")


def test_sums_that_cannot_close_are_refused(policy):
    with pytest.raises(ValueError, match=r"not a pool of the policy \(employee-inpatient"):
        drgdip.settle(aggregates([("H01", "nowhere", 1, "1", "0", "0")]), policy)
    with pytest.raises(ValueError, match="resident-outpatient: closes at an announced point value"):
        drgdip.settle(aggregates([("H01", "resident-outpatient", 1, "1", "0", "0")]), policy)
    with pytest.raises(ValueError, match='no column "points_patient_share"'):
        drgdip.settle(pa.table({"hospital": ["H01"], "pool": ["employee-inpatient"],
                                "points": ["1"], "amount_fund": ["0"]}), policy)
    with pytest.raises(ValueError, match="points.*more than 4 decimals"):
        drgdip.settle(pa.table({"hospital": ["H01"], "pool": ["employee-inpatient"],
                                "points": [0.12345], "amount_fund": ["0"],
                                "points_patient_share": ["0"]}), policy)
    review = aggregates([("H01", "employee-inpatient", 1, "1", "0", "0")]).append_column(
        "review_cases", pa.array([1], pa.int64()))
    with pytest.raises(ValueError, match="special-review"):
        drgdip.settle(review, policy)


def test_amounts_only_pool_pays_them_as_they_are(policy):
    out = drgdip.settle(aggregates([("H05", "resident-inpatient", 2, "0", "1234.56", "0")]), policy)
    (r,) = out.to_pylist()
    assert r["payment"] == D("1234.56")
    assert r["point_value"] is None and r["pool_closure"] == "actual"
