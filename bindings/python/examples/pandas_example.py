"""pandas DataFrame -> pyarrow -> drgdip -> pandas: group a few discharge records with a CHS-DRG
scheme.

    python pandas_example.py [SCHEME.json]

The scheme defaults to the repository's demo scheme (data/demo/scheme.json).
"""

import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa

import drgdip

scheme = sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[3] / "data/demo/scheme.json"

records = pd.DataFrame(
    {
        "id": ["A1", "A2", "A3"],
        "gender": [1, 2, 1],
        "age": [67, 31, 45],
        "age_days": [None, None, None],
        "weight": [None, None, None],
        "dept": ["03", "05", "03"],
        "los": [8, 3, 2],
        "leaving_type": [1, 1, 1],
        "diagnoses": ["J18.900|I10.x00", "O80.000", "NOT.A.CODE"],
        "procedures": ["", "", ""],
    }
)

grouper = drgdip.DrgGrouper(str(scheme))  # map_codes=True, as `drgdip group`
batch = pa.Table.from_pandas(records, preserve_index=False)
result = grouper.group_batch(batch).to_pandas()

print(result.to_string(index=False))
assert list(result["id"]) == list(records["id"]), "one row per record, in order"
