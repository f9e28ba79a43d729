#!/usr/bin/env python3
"""Compares a SQLite store's schema with a PostgreSQL store's, which must stay in step (the
repositories run the same SQL on both; store/pg_schema.cpp).

    tests/store/schema_parity.py --sqlite DBFILE --pg URL

DBFILE: a SQLite database migrated to the version the PostgreSQL schema is at. URL: a PostgreSQL
database holding that schema, reached with the psql CLI (no Python driver is needed).

Compared: tables, their columns in order with their types (INTEGER as BIGINT, REAL as DOUBLE
PRECISION, TEXT, BLOB as BYTEA), NOT NULL and defaults; primary keys, UNIQUE constraints and
foreign keys; index names and tables; views and their columns; trigger names and tables; which
columns number themselves (a rowid alias in SQLite, an identity column in PostgreSQL). CHECK
constraints, index columns and trigger bodies are not compared: each database words them its own
way. Exits 1 naming every difference, 0 when there is none.
"""
import argparse
import re
import sqlite3
import subprocess
import sys

# The SQLite store's bookkeeping, and SQLite's own.
IGNORED_TABLES = {"schema_migrations", "sqlite_sequence", "sqlite_stat1", "sqlite_stat4"}

TYPES = {"INTEGER": "bigint", "REAL": "double precision", "TEXT": "text", "BLOB": "bytea"}

# Defaults SQLite spells with its own functions, and what stands for them in PostgreSQL.
DEFAULTS = {
    "unixepoch()": "floor(EXTRACT(epoch FROM statement_timestamp()))",
}

# PostgreSQL's stand-ins for SQLite's rowid numbering (store/pg_schema.cpp, number_row): an insert
# that names its id as NULL gets the next one. SQLite does this itself, without a trigger.
PG_ONLY_TRIGGERS = {(f"{t}_number", t) for t in
                    ("centers", "customers", "sites", "equipment", "technicians", "jobs")}

# Rowid aliases that are always given a value (a key owned by another table): no identity.
NOT_NUMBERED = {("note_run_heads", "job_id")}


def sqlite_schema(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def q(sql, *args):
        return db.execute(sql, args).fetchall()

    s = {"columns": {}, "pk": {}, "unique": set(), "fk": set(), "numbered": set()}
    for (table, sql) in q("SELECT name, sql FROM sqlite_master WHERE type = 'table'"):
        if table in IGNORED_TABLES or table.startswith("sqlite_"):
            continue
        info = q(f'PRAGMA table_info("{table}")')
        s["columns"][table] = [
            (name, TYPES.get(ctype.upper(), f"?{ctype}"), bool(notnull) or pk > 0,
             normal_sqlite_default(dflt))
            for (_, name, ctype, notnull, dflt, pk) in info]
        pk = [name for (_, name, _, _, _, pk) in sorted(info, key=lambda r: r[5]) if pk > 0]
        s["pk"][table] = pk
        without_rowid = re.search(r"\)\s*WITHOUT\s+ROWID\s*$", sql, re.I) is not None
        if (len(pk) == 1 and not without_rowid and
                next(r[2] for r in info if r[1] == pk[0]).upper() == "INTEGER" and
                (table, pk[0]) not in NOT_NUMBERED):
            s["numbered"].add((table, pk[0]))
        for (_, index, unique, origin, _) in q(f'PRAGMA index_list("{table}")'):
            if origin == "u":
                cols = tuple(r[2] for r in q(f'PRAGMA index_info("{index}")'))
                s["unique"].add((table, cols))
        fks = {}
        for (fid, _, parent, col, parent_col, *_) in q(f'PRAGMA foreign_key_list("{table}")'):
            fks.setdefault(fid, (parent, [], []))
            fks[fid][1].append(col)
            fks[fid][2].append(parent_col)
        for (parent, cols, parent_cols) in fks.values():
            s["fk"].add((table, tuple(cols), parent, tuple(parent_cols)))
    s["indexes"] = {(name, table) for (name, table) in q(
        "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        if table not in IGNORED_TABLES}
    s["views"] = {name: [r[1] for r in q(f'PRAGMA table_info("{name}")')]
                  for (name,) in q("SELECT name FROM sqlite_master WHERE type = 'view'")}
    s["triggers"] = set(q("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'"))
    return s


def normal_sqlite_default(value):
    if value is None:
        return None
    return DEFAULTS.get(value, value)


def normal_pg_default(value):
    if value is None:
        return None
    # 'pending'::text -> 'pending'; the casts PostgreSQL adds to what it stores.
    value = re.sub(r"::(text|bigint|double precision|numeric|bytea)\b", "", value)
    while value.startswith("(") and value.endswith(")"):
        value = value[1:-1]
    return value


def psql(url, sql):
    sep = "\x1f"
    out = subprocess.run(
        ["psql", url, "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-F", sep, "-c", sql],
        check=True, capture_output=True, text=True).stdout
    return [line.split(sep) for line in out.splitlines() if line]


def pg_schema(url):
    s = {"columns": {}, "pk": {}, "unique": set(), "fk": set(), "numbered": set()}
    for (table, column, dtype, nullable, default, identity) in psql(url, """
        SELECT c.table_name, c.column_name, c.data_type, c.is_nullable,
               COALESCE(c.column_default, '<none>'), c.is_identity
        FROM information_schema.columns c JOIN information_schema.tables t
          ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
        ORDER BY c.table_name, c.ordinal_position"""):
        if table in IGNORED_TABLES:
            continue
        default = None if default == "<none>" else default
        s["columns"].setdefault(table, []).append(
            (column, dtype, nullable == "NO", normal_pg_default(default)))
        if identity == "YES":
            s["numbered"].add((table, column))
    for table in s["columns"]:
        s["pk"][table] = []
    def names(rel, keys):
        return (f"array_to_string(ARRAY(SELECT a.attname FROM unnest({keys}) WITH ORDINALITY "
                f"k(n, i) JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.n "
                "ORDER BY k.i), ',')")
    constraint_columns = f"""
        SELECT con.conrelid::regclass::text, con.contype,
               {names('con.conrelid', 'con.conkey')},
               CASE WHEN con.contype = 'f' THEN con.confrelid::regclass::text ELSE '' END,
               {names('con.confrelid', 'con.confkey')}
        FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid
        WHERE cl.relnamespace = current_schema()::regnamespace AND con.contype IN ('p', 'u', 'f')"""
    for (table, kind, cols, parent, parent_cols) in psql(url, constraint_columns):
        if table in IGNORED_TABLES:
            continue
        cols = tuple(cols.split(","))
        if kind == "p":
            s["pk"][table] = list(cols)
        elif kind == "u":
            s["unique"].add((table, cols))
        else:
            s["fk"].add((table, cols, parent, tuple(parent_cols.split(","))))
    # Indexes made by CREATE INDEX: not those behind a primary key or UNIQUE constraint.
    s["indexes"] = {(name, table) for (name, table) in psql(url, """
        SELECT i.relname, t.relname FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relnamespace = current_schema()::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)""")
        if table not in IGNORED_TABLES}
    s["views"] = {}
    for (view, column) in psql(url, """
        SELECT c.table_name, c.column_name FROM information_schema.columns c
        JOIN information_schema.views v
          ON v.table_schema = c.table_schema AND v.table_name = c.table_name
        WHERE c.table_schema = current_schema() ORDER BY c.table_name, c.ordinal_position"""):
        s["views"].setdefault(view, []).append(column)
    s["triggers"] = {tuple(r) for r in psql(url, """
        SELECT tg.tgname, cl.relname FROM pg_trigger tg JOIN pg_class cl ON cl.oid = tg.tgrelid
        WHERE NOT tg.tgisinternal AND cl.relnamespace = current_schema()::regnamespace""")}
    return s


def compare(lite, pg):
    problems = []

    def sets(what, a, b, show=lambda x: str(x)):
        for x in sorted(a - b):
            problems.append(f"{what} only in SQLite: {show(x)}")
        for x in sorted(b - a):
            problems.append(f"{what} only in PostgreSQL: {show(x)}")

    sets("table", set(lite["columns"]), set(pg["columns"]))
    for table in sorted(set(lite["columns"]) & set(pg["columns"])):
        a, b = lite["columns"][table], pg["columns"][table]
        names_a, names_b = [c[0] for c in a], [c[0] for c in b]
        if names_a != names_b:
            if set(names_a) == set(names_b):
                problems.append(f"{table}: column order differs:\n  SQLite:     {names_a}\n"
                                f"  PostgreSQL: {names_b}")
            else:
                sets(f"{table}: column", set(names_a), set(names_b))
        cols_b = {c[0]: c for c in b}
        for (name, dtype, notnull, default) in a:
            if name not in cols_b:
                continue
            _, pg_type, pg_notnull, pg_default = cols_b[name]
            if dtype != pg_type:
                problems.append(f"{table}.{name}: type {dtype} in SQLite, {pg_type} in PostgreSQL")
            if notnull != pg_notnull:
                problems.append(f"{table}.{name}: NOT NULL {notnull} in SQLite, {pg_notnull} in "
                                "PostgreSQL")
            if default != pg_default:
                problems.append(f"{table}.{name}: default {default!r} in SQLite, {pg_default!r} "
                                "in PostgreSQL")
        if lite["pk"][table] != pg["pk"].get(table, []):
            problems.append(f"{table}: primary key {lite['pk'][table]} in SQLite, "
                            f"{pg['pk'].get(table, [])} in PostgreSQL")
    sets("numbering column (rowid alias / identity)", lite["numbered"], pg["numbered"],
         lambda x: ".".join(x))
    sets("UNIQUE", lite["unique"], pg["unique"], lambda x: f"{x[0]}({', '.join(x[1])})")
    sets("foreign key", lite["fk"], pg["fk"],
         lambda x: f"{x[0]}({', '.join(x[1])}) -> {x[2]}({', '.join(x[3])})")
    sets("index", lite["indexes"], pg["indexes"], lambda x: f"{x[0]} on {x[1]}")
    sets("view", set(lite["views"]), set(pg["views"]))
    for view in sorted(set(lite["views"]) & set(pg["views"])):
        if lite["views"][view] != pg["views"][view]:
            problems.append(f"view {view}: columns {lite['views'][view]} in SQLite, "
                            f"{pg['views'][view]} in PostgreSQL")
    sets("trigger", lite["triggers"], pg["triggers"] - PG_ONLY_TRIGGERS, lambda x: f"{x[0]} on {x[1]}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", required=True, metavar="DBFILE")
    parser.add_argument("--pg", required=True, metavar="URL")
    args = parser.parse_args()
    try:
        lite = sqlite_schema(args.sqlite)
    except sqlite3.Error as e:
        sys.exit(f"schema_parity: cannot read {args.sqlite}: {e}")
    try:
        pg = pg_schema(args.pg)
    except subprocess.CalledProcessError as e:
        sys.exit(f"schema_parity: psql failed: {e.stderr.strip()}")
    if not lite["columns"]:
        sys.exit(f"schema_parity: {args.sqlite} holds no tables")
    problems = compare(lite, pg)
    if problems:
        print(f"schema_parity: {len(problems)} difference(s) between {args.sqlite} and the "
              "PostgreSQL database:", file=sys.stderr)
        for p in problems:
            print(f"- {p}", file=sys.stderr)
        return 1
    print(f"schema_parity: {len(lite['columns'])} tables, {len(lite['indexes'])} indexes, "
          f"{len(lite['views'])} views and {len(lite['triggers'])} triggers match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
