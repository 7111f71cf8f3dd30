"""Data contracts of the canonical warehouse tables, one pandera model per table.

Validation runs inside the warehouse engine (pandera's Ibis backend), so a 10-million-row
orders table is checked without being pulled into pandas, and it is lazy: every problem of
every table is collected and reported at once.

Conventions: money in yuan as floats (`*_amount`, `*_price`, `spend`), rates never stored,
counts as integers, dates as DATE, instants as TIMESTAMP.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Optional

import ibis
import ibis.expr.datatypes as idt
import pandera.errors as pa_errors
from pandera.ibis import DataFrameModel, Field

from .errors import ContractError

PLATFORMS = ["tmall", "taobao", "jd", "douyin"]
ORDER_STATUSES = [
    "pending_payment",  # created, not paid: never GMV
    "paid",
    "shipped",
    "completed",
    "refunding",
    "refunded",
    "closed",  # closed before payment, or fully refunded then closed
]


class _Contract(DataFrameModel):
    class Config:
        strict = False  # extra columns are allowed: importers may keep platform fields


class Shops(_Contract):
    shop_id: str = Field(unique=True)
    name: str
    platform: str = Field(isin=PLATFORMS)
    category: str
    currency: str


class Products(_Contract):
    shop_id: str
    sku_id: str
    product_name: str
    category: str
    # product reports and order exports carry no list price: empty until a catalogue provides it
    list_price: Optional[float] = Field(ge=0, nullable=True)
    unit_cost: float = Field(ge=0, nullable=True)
    launched_on: dt.date = Field(nullable=True)
    status: str = Field(isin=["on_shelf", "off_shelf"])

    class Config:
        unique = ["shop_id", "sku_id"]


class Orders(_Contract):
    shop_id: str
    order_id: str
    customer_id: str
    created_at: dt.datetime
    paid_at: Optional[dt.datetime] = Field(nullable=True)
    paid_amount: float = Field(ge=0)
    refund_amount: float = Field(ge=0)
    refunded_at: Optional[dt.datetime] = Field(nullable=True)
    status: str = Field(isin=ORDER_STATUSES)
    source: Optional[str] = Field(nullable=True)

    class Config:
        unique = ["shop_id", "order_id"]


class OrderItems(_Contract):
    shop_id: str
    order_id: str
    sku_id: str
    quantity: int = Field(ge=0)
    paid_amount: float = Field(ge=0)

    class Config:
        unique = ["shop_id", "order_id", "sku_id"]


class ShopDaily(_Contract):
    """The platform's shop overview per day (UV is distinct visitors of that day)."""

    shop_id: str
    date: dt.date
    uv: int = Field(ge=0)
    pv: int = Field(ge=0)
    cart_users: int = Field(ge=0)
    fav_users: int = Field(ge=0)
    order_buyers: int = Field(ge=0)
    paid_buyers: int = Field(ge=0)
    paid_orders: int = Field(ge=0)
    units: int = Field(ge=0)
    paid_amount: float = Field(ge=0)
    refund_amount: float = Field(ge=0)

    class Config:
        unique = ["shop_id", "date"]


class TrafficDaily(_Contract):
    shop_id: str
    date: dt.date
    source: str
    uv: int = Field(ge=0)
    pv: int = Field(ge=0)
    cart_users: int = Field(ge=0)
    fav_users: int = Field(ge=0)
    order_buyers: int = Field(ge=0)
    paid_buyers: int = Field(ge=0)
    paid_amount: float = Field(ge=0)

    class Config:
        unique = ["shop_id", "date", "source"]


class ProductDaily(_Contract):
    shop_id: str
    date: dt.date
    sku_id: str
    uv: int = Field(ge=0)
    cart_users: int = Field(ge=0)
    fav_users: int = Field(ge=0)
    paid_buyers: int = Field(ge=0)
    units: int = Field(ge=0)
    paid_amount: float = Field(ge=0)

    class Config:
        unique = ["shop_id", "date", "sku_id"]


class InventoryDaily(_Contract):
    """Stock at the end of the day."""

    shop_id: str
    date: dt.date
    sku_id: str
    on_hand: int = Field(ge=0)
    in_transit: int = Field(ge=0)

    class Config:
        unique = ["shop_id", "date", "sku_id"]


class AdsDaily(_Contract):
    shop_id: str
    date: dt.date
    channel: str
    campaign: str
    impressions: int = Field(ge=0)
    clicks: int = Field(ge=0)
    spend: float = Field(ge=0)
    attributed_orders: int = Field(ge=0)
    attributed_amount: float = Field(ge=0)

    class Config:
        unique = ["shop_id", "date", "channel", "campaign"]


class ServiceDaily(_Contract):
    """Customer service per agent and day; first_response_s is that day's average."""

    shop_id: str
    date: dt.date
    agent_id: str
    consultations: int = Field(ge=0)
    replied_30s: int = Field(ge=0)
    first_response_s: float = Field(ge=0)
    inquiry_buyers: int = Field(ge=0)
    inquiry_paid_buyers: int = Field(ge=0)
    reviews: int = Field(ge=0)
    good_reviews: int = Field(ge=0)
    complaints: int = Field(ge=0)

    class Config:
        unique = ["shop_id", "date", "agent_id"]


class Targets(_Contract):
    shop_id: str
    period_type: str = Field(isin=["week", "month", "quarter", "year"])
    period: str  # 2026-W47, 2026-11, 2026-Q4, 2026
    metric: str
    value: float

    class Config:
        unique = ["shop_id", "period_type", "period", "metric"]


class Promotions(_Contract):
    shop_id: str
    promo_id: str
    name: str
    event: str  # 618, double11, shop_event, ...
    start_at: dt.datetime
    end_at: dt.datetime
    target_gmv: float = Field(ge=0)
    budget: float = Field(ge=0)

    class Config:
        unique = ["shop_id", "promo_id"]


CONTRACTS: dict[str, type[DataFrameModel]] = {
    "shops": Shops,
    "products": Products,
    "orders": Orders,
    "order_items": OrderItems,
    "shop_daily": ShopDaily,
    "traffic_daily": TrafficDaily,
    "product_daily": ProductDaily,
    "inventory_daily": InventoryDaily,
    "ads_daily": AdsDaily,
    "service_daily": ServiceDaily,
    "targets": Targets,
    "promotions": Promotions,
}


def columns_of(table_name: str) -> dict[str, idt.DataType]:
    """The contract's columns and their canonical Ibis types, in contract order."""
    schema = CONTRACTS[table_name].to_schema()
    return {name: _canonical_type(col.dtype) for name, col in schema.columns.items()}


def _canonical_type(pandera_dtype) -> idt.DataType:
    return ibis.dtype(pandera_dtype.type)


def _same_family(actual: idt.DataType, expected: idt.DataType) -> bool:
    if expected.is_integer():
        return actual.is_integer()
    if expected.is_floating():
        return actual.is_numeric()
    if expected.is_timestamp():
        return actual.is_timestamp()
    if expected.is_date():
        return actual.is_date()
    if expected.is_string():
        return actual.is_string()
    return actual == expected


def conform(table: ibis.Table, table_name: str) -> tuple[ibis.Table, list[str]]:
    """Cast columns of the right family to the contract's exact type (int32 -> int64, ...).

    Returns the cast table and one message per column whose type is of the wrong family
    (text where a number is expected, ...); those columns are left as they are.
    """
    problems = []
    casts = {}
    for name, expected in columns_of(table_name).items():
        if name not in table.columns:
            continue  # pandera reports missing columns
        actual = table[name].type()
        if actual == expected:
            continue
        if _same_family(actual, expected) or actual.is_null():
            casts[name] = table[name].cast(expected)
        else:
            problems.append(f"column '{name}' has type {actual}, expected {expected}")
    return (table.mutate(**casts) if casts else table), problems


def validate(table: ibis.Table, table_name: str, row_columns: Sequence[str] = ()) -> ibis.Table:
    """Check ``table`` against its contract; raise ContractError listing every problem.

    ``row_columns`` name extra columns of ``table`` that say where a row comes from (an
    importer's "orders.csv, row 7"): when given, failing rows are cited by them instead of by
    the table's key, and null values, disallowed values and duplicate keys are cited too.
    """
    conformed, type_problems = conform(table, table_name)
    model = CONTRACTS[table_name]
    problems = list(type_problems)
    if _is_empty(conformed):  # pandera's Ibis backend fails every check of a table without rows
        missing = [c for c in columns_of(table_name) if c not in conformed.columns]
        if missing:
            problems.insert(0, f"missing column(s): {', '.join(missing)}; the table has: {', '.join(conformed.columns)}")
        if problems:
            raise ContractError(_format(table_name, problems))
        return conformed
    try:
        model.validate(conformed, lazy=True)
    except pa_errors.SchemaErrors as exc:
        problems.extend(_describe(exc, conformed, type_problems, list(row_columns)))
    except pa_errors.SchemaError as exc:  # pragma: no cover - lazy=True collects them
        problems.append(str(exc).splitlines()[0])
    if problems:
        raise ContractError(_format(table_name, problems))
    return conformed


def _is_empty(table: ibis.Table) -> bool:
    return table.limit(1).count().execute() == 0


def _describe(exc: pa_errors.SchemaErrors, table: ibis.Table, known: list[str], row_columns: list[str]) -> list[str]:
    bad_type_columns = {p.split("'")[1] for p in known}
    out = []
    missing = []
    for err in exc.schema_errors:
        reason = getattr(err.reason_code, "name", str(err.reason_code))
        text = str(err).splitlines()[0]
        column = _column_in(text)
        if column in bad_type_columns or any(f"{c}:" in text for c in bad_type_columns):
            continue  # already reported as a type problem; its checks cannot run
        if reason == "COLUMN_NOT_IN_DATAFRAME":
            missing.append(column)
        elif reason == "DUPLICATES":
            keys = list(table.columns) if err.schema is None else _unique_keys(err)
            out.append(_duplicates_message(table, keys, row_columns))
        elif reason == "DATAFRAME_CHECK":
            out.append(_check_message(table, text, _row_keys(exc), err.check, row_columns))
        elif reason == "SERIES_CONTAINS_NULLS" and row_columns and column in table.columns:
            out.append(_rows_message(table, table[column].isnull(), column, row_columns, f"column '{column}' must not be empty"))
        else:
            out.append(text)
    if missing:
        out.insert(0, f"missing column(s): {', '.join(missing)}; the table has: {', '.join(table.columns)}")
    return out


def _unique_keys(err) -> list[str]:
    unique = getattr(err.schema, "unique", None)
    return list(unique) if unique else []


def _column_in(text: str) -> str | None:
    for marker in ("column '", "Column '"):
        if marker in text:
            return text.split(marker, 1)[1].split("'", 1)[0]
    return None


def _row_keys(exc: pa_errors.SchemaErrors) -> list[str]:
    unique = getattr(exc.schema, "unique", None)
    return list(unique) if unique else []


def _cite(row, columns: list[str]) -> str:
    if len(columns) == 1:
        return _plain(row[columns[0]])
    return ", ".join(f"{k}={_plain(row[k])}" for k in columns)


def _rows_message(table: ibis.Table, condition, column: str, row_columns: list[str], what: str) -> str:
    """``what``: n row(s), e.g. <row> (column=value); ... (rows cited by ``row_columns``)."""
    bad = table.filter(condition)
    n = int(bad.count().execute())
    rows = bad.select(*row_columns, column).limit(3).execute()
    examples = "; ".join(
        f"{_cite(r, row_columns)} ({column}" + (" empty)" if r[column] is None or r[column] != r[column] else f"={_plain(r[column])})")
        for _, r in rows.iterrows()
    )
    return f"{what}: {n} row(s), e.g. {examples}"


def _check_message(table: ibis.Table, text: str, keys: list[str], check=None, row_columns: list[str] = ()) -> str:
    # pandera: "Column 'uv' failed element-wise validator number 0: greater_than_or_equal_to(0)
    # failure cases: {...}" -> name the rule, how many rows break it and which ones.
    column = _column_in(text)
    rule = text.split(": ", 1)[1].split(" failure cases", 1)[0] if ": " in text else text
    samples = text.split("failure cases:", 1)[1].strip() if "failure cases:" in text else ""
    where = ""
    if row_columns and column in table.columns and getattr(check, "name", None) == "isin":
        allowed = list(check.statistics.get("allowed_values", []))
        return _rows_message(table, ~table[column].isin(allowed), column, list(row_columns),
                             f"column '{column}' must be one of {', '.join(map(str, allowed))}")
    if rule.startswith("greater_than_or_equal_to(") and column in table.columns:
        bound = float(rule[len("greater_than_or_equal_to("):-1])
        if row_columns:
            return _rows_message(table, table[column] < bound, column, list(row_columns), f"column '{column}' must be >= {bound:g}")
        bad = table.filter(table[column] < bound)
        n = int(bad.count().execute())
        shown = [k for k in keys if k in table.columns and k != column]
        rows = bad.select(*shown, column).limit(3).execute()
        examples = "; ".join(
            ", ".join(f"{k}={_plain(r[k])}" for k in shown) + f" ({column}={r[column]})" for _, r in rows.iterrows()
        )
        where = f"{n} row(s), e.g. {examples}"
        return f"column '{column}' must be >= {bound:g}: {where}"
    return f"column '{column}' fails {rule}; failing values: {samples[:160]}"


def _duplicates_message(table: ibis.Table, keys: list[str], row_columns: list[str] = ()) -> str:
    if not keys:
        return "duplicate rows"
    where = {}
    if row_columns:  # "a.csv, row 3 | a.csv, row 9"
        cited = table[row_columns[0]].cast("string")
        for c in row_columns[1:]:
            cited = cited.concat(", ", table[c].cast("string"))
        where = {"where": cited.group_concat(" | ")}
    dupes = (
        table.group_by(keys)
        .aggregate(rows=table.count(), **where)
        .filter(lambda t: t.rows > 1)
    )
    n = int(dupes.count().execute())
    sample = dupes.limit(3).execute()
    examples = "; ".join(
        ", ".join(f"{k}={_plain(row[k])}" for k in keys)
        + (f" ({row['rows']} rows: {row['where'][:200]})" if row_columns else f" ({row['rows']} rows)")
        for _, row in sample.iterrows()
    )
    return f"duplicate key ({', '.join(keys)}): {n} key(s) appear more than once, e.g. {examples}"


def _plain(value) -> str:
    if hasattr(value, "isoformat") and getattr(value, "hour", 0) == 0 and getattr(value, "minute", 0) == 0:
        return value.strftime("%Y-%m-%d")
    return str(value)


def _format(table_name: str, problems: list[str]) -> str:
    head = f"Table '{table_name}' breaks its contract ({len(problems)} problem(s)):"
    return "\n".join([head, *(f"  - {p}" for p in problems)])
