"""Reading a DuckDB warehouse in tests with plain SQL: every row, or the one value."""


def rows(con, sql, *params):
    return con.execute(sql, list(params)).fetchall()


def one(con, sql, *params):
    return con.execute(sql, list(params)).fetchone()[0]
