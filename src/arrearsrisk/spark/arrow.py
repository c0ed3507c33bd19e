"""Arrow between Spark and the library's pandas code: no pyspark conversion of pandas.

Workers receive ``pyarrow`` tables and turn them into pandas frames the way the ledger
reader does (:func:`arrow_to_frame`); results go back as Arrow in the exact types the
Spark schema asks (:func:`frame_to_arrow`).  :func:`spark_schema` derives the Spark
schema of a result from the pandas frame the library returns, marking categorical
columns in the field metadata (:data:`DTYPE_KEY`) so that
:func:`arrearsrisk.spark.to_pandas` restores them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from arrearsrisk.vocabulary import GRADE_DTYPE, GRADES

if TYPE_CHECKING:
    from pyspark.sql.types import StructType

__all__ = [
    "DTYPE_KEY",
    "arrow_schema",
    "arrow_to_frame",
    "frame_to_arrow",
    "plain_arrow",
    "spark_schema",
]

DTYPE_KEY = "arrearsrisk.dtype"
"""Field metadata key: ``"category"`` marks a column the pandas function returns as a
categorical (``"category:I,II,III"`` for the grade, whose levels are fixed)."""

_BOOL = pd.BooleanDtype()


def _types(arrow_type: pa.DataType) -> Any:
    return _BOOL if pa.types.is_boolean(arrow_type) else None


def arrow_to_frame(table: pa.Table) -> pd.DataFrame:
    """A pandas frame of ``table`` as the ledger reader would hold it: text as pandas
    strings, dates and timestamps as ``datetime64``, booleans as nullable ``boolean``.

    >>> arrow_to_frame(pa.table({"b": [True, None]}))["b"].dtype.name
    'boolean'
    """
    table = plain_arrow(table)
    return table.to_pandas(
        types_mapper=_types, date_as_object=False, ignore_metadata=True, split_blocks=True
    )


def plain_arrow(table: pa.Table) -> pa.Table:
    """``table`` with dictionary columns decoded and large strings as strings: the types
    ``spark.createDataFrame`` takes.

    >>> t = pa.table({"c": pa.array(["a", "b", "a"]).dictionary_encode()})
    >>> plain_arrow(t).schema.types
    [DataType(string)]
    """
    fields = []
    for field in table.schema:
        kind = field.type
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        if pa.types.is_large_string(kind):
            kind = pa.string()
        fields.append(pa.field(field.name, kind))
    target = pa.schema(fields)
    return table if target == table.schema else table.cast(target)


def _column(values: pd.Series, kind: pa.DataType) -> pa.Array:
    if isinstance(values.dtype, pd.CategoricalDtype):
        text = values.astype(object)
        return pa.array(text.where(values.notna(), None).to_numpy(), type=kind)
    if pa.types.is_timestamp(kind):
        return pc.cast(pa.array(values.to_numpy(dtype="datetime64[us]")), kind)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = values.astype(object)
        return pa.array(text.where(values.notna(), None).to_numpy(), type=kind)
    return pa.array(values, type=kind, from_pandas=True)


def frame_to_arrow(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """The columns of ``schema`` from ``frame``, in its types (categoricals as text,
    missing values, NaN included, as nulls: Spark's missing value).

    >>> schema = pa.schema([("g", pa.string()), ("p", pa.float64())])
    >>> frame = pd.DataFrame({"g": pd.Categorical(["I", None]), "p": [0.5, float("nan")]})
    >>> frame_to_arrow(frame, schema).to_pydict()
    {'g': ['I', None], 'p': [0.5, None]}
    """
    arrays = [_column(frame[field.name], field.type) for field in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def _dtype_tag(values: pd.Series) -> str | None:
    if isinstance(values.dtype, pd.CategoricalDtype):
        if values.dtype == GRADE_DTYPE:  # fixed levels; others are levels of a bucket
            return "category:" + ",".join(GRADES)
        return "category"
    return None


def spark_schema(frame: pd.DataFrame) -> StructType:
    """The Spark schema of a frame the library returns: numbers ``double`` (integers
    ``long``), flags ``boolean``, dates ``timestamp_ntz``, text and categoricals
    ``string`` (categoricals tagged in the field metadata)."""
    from pyspark.sql import types as T

    fields = []
    for name in frame.columns:
        values = frame[name]
        dtype = values.dtype
        kind: Any
        if pd.api.types.is_bool_dtype(dtype):
            kind = T.BooleanType()
        elif pd.api.types.is_integer_dtype(dtype):
            kind = T.LongType()
        elif pd.api.types.is_float_dtype(dtype):
            kind = T.DoubleType()
        elif pd.api.types.is_datetime64_dtype(dtype):
            kind = T.TimestampNTZType()
        else:
            kind = T.StringType()
        tag = _dtype_tag(values)
        fields.append(T.StructField(str(name), kind, True, {DTYPE_KEY: tag} if tag else {}))
    return T.StructType(fields)


def arrow_schema(schema: StructType, large_strings: bool) -> pa.Schema:
    """The Arrow schema Spark expects back from a worker for ``schema``."""
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(schema, timezone="UTC", prefers_large_types=large_strings)
