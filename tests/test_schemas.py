"""The vectorised pre-check and the pandera schema read the same declarations the same way."""

from __future__ import annotations

import math

import pandas as pd
import pandera.pandas as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lakin.data.parse import pandera_schema
from lakin.data.schemas import TABLES, passes_checks


def _pandera_clean(frame: pd.DataFrame, name: str) -> bool:
    """pandera's verdict on the frame. Not lazy: pandera stops at the first failing check, where lazy validation
    (lakin's, for its messages) runs them all and then formats every failure case, 60% of this file's time. A
    frame passes lazy validation exactly when it passes eager validation."""
    try:
        pandera_schema(TABLES[name]).validate(frame, lazy=False)
        return True
    except (pa.errors.SchemaError, pa.errors.SchemaErrors):
        return False


def _cell(kind: str, isin):
    good_text = st.sampled_from(list(isin)) if isin else st.sampled_from(["kppbc-balikpapan", "SS-1", "bea_masuk"])
    bad_text = st.sampled_from(["", "Bad Slug", "x", "../etc", "Q7", "54", "MAX"])
    if kind in ("text", "slug", "code"):
        return st.one_of(good_text, bad_text, st.none())
    numbers = st.one_of(st.floats(min_value=-1e16, max_value=1e16, allow_nan=False),
                        st.sampled_from([0.0, 1.0, 2024.0, -5.0]))
    return st.one_of(numbers, st.none())


@pytest.mark.slow  # 360 generated tables through pandera
@pytest.mark.parametrize("name", ["iku", "iku_nilai", "pagu", "penerimaan", "ikpa", "trajektori_penerimaan"])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_precheck_agrees_with_pandera(name, data):
    table = TABLES[name]
    n = data.draw(st.integers(min_value=1, max_value=4))
    columns = {}
    for col, spec in table.columns.items():
        if not spec.required and data.draw(st.booleans()):
            continue
        values = [data.draw(_cell(spec.kind, spec.isin)) for _ in range(n)]
        if spec.kind in ("int", "float", "money"):
            values = [math.nan if v is None else float(v) for v in values]
            columns[col] = pd.Series(values, dtype="float64")
        else:
            columns[col] = pd.Series(values, dtype=object)
    frame = pd.DataFrame(columns)
    assert passes_checks(frame, table) == _pandera_clean(frame, name)


def test_clean_seed_tables_pass_both(data_dir):
    from lakin.data.load import FILE_COL, LINE_COL, read_table

    for name in ("iku", "iku_nilai", "pagu", "rpd", "penerimaan", "ikpa"):
        frame = read_table(data_dir, name).drop(columns=[FILE_COL, LINE_COL])
        assert passes_checks(frame, TABLES[name]) and _pandera_clean(frame, name), name
