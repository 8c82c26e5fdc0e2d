//! Dynamic SQL that both backends run: statements written once with `$n` placeholders (SQLite
//! takes them as `?n`; a trailing ` FOR UPDATE` is PostgreSQL's row lock and dropped on SQLite,
//! whose single writer already serialises writes), values passed and read as [`Val`].

use crate::error::{Result, StoreError};
use weiquan_domain::{CaseId, ComplaintId, PenaltyId, ReportId, Stream, UserId};

/// A parameter or a column value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    /// A NULL integer (PostgreSQL types its parameters, so a NULL has a type too).
    Null,
    NullText,
    NullReal,
    Int(i64),
    Real(f64),
    Text(String),
    Bool(bool),
    Bytes(Vec<u8>),
    NullBytes,
}

impl Val {
    pub fn int(&self) -> Result<i64> {
        match self {
            Val::Int(i) => Ok(*i),
            Val::Bool(b) => Ok(*b as i64),
            other => Err(StoreError::Corrupt(format!(
                "expected an integer, got {other:?}"
            ))),
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(
            self,
            Val::Null | Val::NullText | Val::NullReal | Val::NullBytes
        )
    }
    pub fn bool(&self) -> Result<bool> {
        Ok(self.int()? != 0)
    }
    pub fn opt_bytes(&self) -> Result<Option<Vec<u8>>> {
        match self {
            v if v.is_null() => Ok(None),
            Val::Bytes(b) => Ok(Some(b.clone())),
            Val::Text(t) => Ok(Some(t.clone().into_bytes())),
            other => Err(StoreError::Corrupt(format!(
                "expected bytes, got {other:?}"
            ))),
        }
    }
    /// The bytes (or text's bytes), moved out.
    pub fn into_opt_bytes(self) -> Result<Option<Vec<u8>>> {
        match self {
            v if v.is_null() => Ok(None),
            Val::Bytes(b) => Ok(Some(b)),
            Val::Text(t) => Ok(Some(t.into_bytes())),
            other => Err(StoreError::Corrupt(format!(
                "expected bytes, got {other:?}"
            ))),
        }
    }
    pub fn opt_int(&self) -> Result<Option<i64>> {
        match self {
            v if v.is_null() => Ok(None),
            v => v.int().map(Some),
        }
    }
    pub fn real(&self) -> Result<f64> {
        match self {
            Val::Real(r) => Ok(*r),
            Val::Int(i) => Ok(*i as f64),
            other => Err(StoreError::Corrupt(format!(
                "expected a number, got {other:?}"
            ))),
        }
    }
    pub fn opt_real(&self) -> Result<Option<f64>> {
        match self {
            v if v.is_null() => Ok(None),
            v => v.real().map(Some),
        }
    }
    pub fn text(&self) -> Result<String> {
        match self {
            Val::Text(t) => Ok(t.clone()),
            other => Err(StoreError::Corrupt(format!("expected text, got {other:?}"))),
        }
    }
    /// The text, borrowed.
    pub fn as_str(&self) -> Result<&str> {
        match self {
            Val::Text(t) => Ok(t),
            other => Err(StoreError::Corrupt(format!("expected text, got {other:?}"))),
        }
    }
    /// The text, moved out.
    pub fn into_text(self) -> Result<String> {
        match self {
            Val::Text(t) => Ok(t),
            other => Err(StoreError::Corrupt(format!("expected text, got {other:?}"))),
        }
    }
    pub fn opt_text(&self) -> Result<Option<String>> {
        match self {
            v if v.is_null() => Ok(None),
            v => v.text().map(Some),
        }
    }
}

impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::Int(v)
    }
}
impl From<u32> for Val {
    fn from(v: u32) -> Val {
        Val::Int(v.into())
    }
}
impl From<f64> for Val {
    fn from(v: f64) -> Val {
        Val::Real(v)
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Val {
        Val::Bool(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Val {
        Val::Text(v.to_owned())
    }
}
impl From<String> for Val {
    fn from(v: String) -> Val {
        Val::Text(v)
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Val {
        v.map_or(Val::Null, Val::Int)
    }
}
impl From<Option<f64>> for Val {
    fn from(v: Option<f64>) -> Val {
        v.map_or(Val::NullReal, Val::Real)
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Val {
        v.map_or(Val::NullText, Val::Text)
    }
}
impl From<Option<&[u8]>> for Val {
    fn from(v: Option<&[u8]>) -> Val {
        v.map_or(Val::NullBytes, |b| Val::Bytes(b.to_vec()))
    }
}
impl From<Option<&String>> for Val {
    fn from(v: Option<&String>) -> Val {
        v.map_or(Val::NullText, |s| Val::Text(s.clone()))
    }
}
impl From<&String> for Val {
    fn from(v: &String) -> Val {
        Val::Text(v.clone())
    }
}
impl From<Option<u32>> for Val {
    fn from(v: Option<u32>) -> Val {
        v.map_or(Val::Null, |v| Val::Int(v.into()))
    }
}
impl From<Option<&str>> for Val {
    fn from(v: Option<&str>) -> Val {
        v.map_or(Val::NullText, |s| Val::Text(s.to_owned()))
    }
}

/// Ids bind as their integer.
macro_rules! id_vals {
    ($($t:ty),*) => {$(
        impl From<$t> for Val {
            fn from(v: $t) -> Val {
                Val::Int(v.0)
            }
        }
        impl From<Option<$t>> for Val {
            fn from(v: Option<$t>) -> Val {
                v.map_or(Val::Null, |v| Val::Int(v.0))
            }
        }
    )*};
}
id_vals!(UserId, ComplaintId, CaseId, ReportId, PenaltyId);

impl From<&Stream> for Val {
    fn from(v: &Stream) -> Val {
        Val::Text(v.to_string())
    }
}

/// `params![a, b]` for [`Val`]s.
macro_rules! vals {
    ($($v:expr),* $(,)?) => { &[$($crate::sql::Val::from($v)),*][..] };
}
pub(crate) use vals;

/// The statement as SQLite takes it: without PostgreSQL's row-lock clause (a trailing
/// `FOR UPDATE [OF …] [SKIP LOCKED]`), the single writer being the lock. The `$n` placeholders
/// stay: SQLite reads `$1` as a parameter *named* `$1`, bound by that name below, so the text is
/// never rewritten (nor copied) on the writer's hot path.
pub(crate) fn for_sqlite(sql: &str) -> &str {
    sql.find(" FOR UPDATE").map_or(sql, |at| &sql[..at])
}

pub(crate) mod sqlite {
    use super::Val;
    use rusqlite::types::{ToSqlOutput, Value, ValueRef};

    /// Text and bytes are bound borrowed: a filing's event data and its frozen order are not
    /// copied once more on their way into SQLite.
    impl rusqlite::ToSql for Val {
        fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
            Ok(match self {
                Val::Null | Val::NullText | Val::NullReal | Val::NullBytes => {
                    ToSqlOutput::Borrowed(ValueRef::Null)
                }
                Val::Int(i) => ToSqlOutput::Owned(Value::Integer(*i)),
                Val::Real(r) => ToSqlOutput::Owned(Value::Real(*r)),
                Val::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
                Val::Bool(b) => ToSqlOutput::Owned(Value::Integer(*b as i64)),
                Val::Bytes(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
            })
        }
    }

    /// Binds `$n` to `params[n - 1]`, by each parameter's name: SQLite numbers named parameters
    /// in order of first appearance, which need not be `$1, $2, …`.
    fn bind(stmt: &mut rusqlite::Statement<'_>, params: &[Val]) -> rusqlite::Result<()> {
        let count = stmt.parameter_count();
        let mut highest = 0;
        for i in 1..=count {
            let n = stmt
                .parameter_name(i)
                .and_then(|name| name.strip_prefix('$'))
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| (1..=params.len()).contains(n))
                .ok_or(rusqlite::Error::InvalidParameterCount(count, params.len()))?;
            highest = highest.max(n);
            stmt.raw_bind_parameter(i, &params[n - 1])?;
        }
        if highest != params.len() {
            return Err(rusqlite::Error::InvalidParameterCount(
                highest,
                params.len(),
            ));
        }
        Ok(())
    }

    pub fn rows(
        conn: &rusqlite::Connection,
        sql: &str,
        params: &[Val],
    ) -> rusqlite::Result<Vec<Vec<Val>>> {
        let mut stmt = conn.prepare_cached(super::for_sqlite(sql))?;
        let n = stmt.column_count();
        bind(&mut stmt, params)?;
        let mut rows = stmt.raw_query();
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut row = Vec::with_capacity(n);
            for i in 0..n {
                row.push(match r.get_ref(i)? {
                    ValueRef::Null => Val::Null,
                    ValueRef::Integer(i) => Val::Int(i),
                    ValueRef::Real(f) => Val::Real(f),
                    ValueRef::Text(t) => Val::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Val::Bytes(b.to_vec()),
                });
            }
            out.push(row);
        }
        Ok(out)
    }

    pub fn exec(conn: &rusqlite::Connection, sql: &str, params: &[Val]) -> rusqlite::Result<u64> {
        let mut stmt = conn.prepare_cached(super::for_sqlite(sql))?;
        bind(&mut stmt, params)?;
        Ok(stmt.raw_execute()? as u64)
    }
}

/// A statement and its values, held to be sent later with others (`db::Tx::defer`).
pub(crate) type Held = (String, Vec<Val>);

/// `$first, $first+1, …`: `n` placeholders for an `IN (…)` list.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The table a held write (`INSERT INTO t …`, `UPDATE t …`) writes to.
pub(crate) fn held_table(sql: &str) -> &str {
    sql.strip_prefix("INSERT INTO ")
        .or_else(|| sql.strip_prefix("UPDATE "))
        .and_then(|rest| rest.split([' ', '(']).next())
        .unwrap_or(sql)
}

pub(crate) mod postgres {
    use super::Val;
    use sqlx::postgres::{PgArguments, PgRow};
    use sqlx::{Column, Row, TypeInfo};

    pub fn query<'q>(
        sql: &str,
        params: &[Val],
    ) -> sqlx::query::Query<'q, sqlx::Postgres, PgArguments> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
        for p in params {
            q = match p {
                Val::Null => q.bind(None::<i64>),
                Val::NullText => q.bind(None::<String>),
                Val::NullReal => q.bind(None::<f64>),
                Val::Int(i) => q.bind(*i),
                Val::Real(r) => q.bind(*r),
                Val::Text(t) => q.bind(t.clone()),
                Val::Bool(b) => q.bind(*b),
                Val::Bytes(b) => q.bind(b.clone()),
                Val::NullBytes => q.bind(None::<Vec<u8>>),
            };
        }
        q
    }

    /// Held writes as few statements as keep their order: each statement sent is
    /// `WITH h0 AS (…), h1 AS (…) …`, its placeholders numbered on, one round trip. A `WITH`'s
    /// parts run in no set order, on one snapshot — they cannot see one another's rows, which
    /// blind writes need not — so a statement holds at most one part per table: inserts of one
    /// table go as one multi-row `VALUES` (whose rows, and so ids, keep their order), and a
    /// write that cannot join it (another shape, `INSERT … SELECT`, an update) starts the next
    /// statement.
    pub fn together(held: &[super::Held]) -> Vec<(String, Vec<Val>)> {
        struct Part<'a> {
            table: &'a str,
            sql: &'a str,
            /// `INSERT … VALUES (` … `)` … split around its one tuple, if it has that shape.
            shape: Option<(&'a str, &'a str, &'a str)>,
            rows: Vec<&'a [Val]>,
        }
        let mut statements: Vec<Vec<Part<'_>>> = vec![vec![]];
        for (sql, vals) in held {
            let table = super::held_table(sql);
            let parts = statements.last_mut().expect("one statement at least");
            match parts.iter_mut().find(|p| p.table == table) {
                Some(p) if p.sql == sql && p.shape.is_some() => p.rows.push(vals),
                found => {
                    let part = Part {
                        table,
                        sql,
                        shape: values_shape(sql),
                        rows: vec![vals],
                    };
                    if found.is_some() {
                        statements.push(vec![part]);
                    } else {
                        parts.push(part);
                    }
                }
            }
        }
        statements
            .into_iter()
            .map(|parts| {
                let mut sql = String::new();
                let mut params: Vec<Val> = vec![];
                let last = parts.len() - 1;
                for (i, part) in parts.iter().enumerate() {
                    if i < last {
                        sql.push_str(if i == 0 { "WITH " } else { ", " });
                        sql.push_str(&format!("h{i} AS ("));
                    } else if i > 0 {
                        sql.push(' ');
                    }
                    match part.shape {
                        Some((head, tuple, tail)) => {
                            sql.push_str(head);
                            for (r, vals) in part.rows.iter().enumerate() {
                                if r > 0 {
                                    sql.push_str(", ");
                                }
                                renumber(tuple, params.len(), &mut sql);
                                params.extend_from_slice(vals);
                            }
                            sql.push_str(tail);
                        }
                        None => {
                            renumber(part.sql, params.len(), &mut sql);
                            params.extend_from_slice(part.rows[0]);
                        }
                    }
                    if i < last {
                        sql.push(')');
                    }
                }
                (sql, params)
            })
            .collect()
    }

    /// `INSERT INTO t (…) VALUES (…) [tail]` as (`INSERT INTO t (…) VALUES `, `(…)`, tail).
    fn values_shape(sql: &str) -> Option<(&str, &str, &str)> {
        let at = sql.find(" VALUES (")? + " VALUES ".len();
        let mut depth = 0;
        let mut quoted = false;
        for (i, c) in sql[at..].char_indices() {
            match c {
                '\'' => quoted = !quoted,
                '(' if !quoted => depth += 1,
                ')' if !quoted => {
                    depth -= 1;
                    if depth == 0 {
                        let end = at + i + 1;
                        return Some((&sql[..at], &sql[at..end], &sql[end..]));
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Copies `stmt` with each placeholder `$n` (outside quoted text) made `$(n + offset)`.
    pub fn renumber(stmt: &str, offset: usize, out: &mut String) {
        let mut quoted = false;
        let mut chars = stmt.char_indices().peekable();
        while let Some((_, c)) = chars.next() {
            out.push(c);
            match c {
                '\'' => quoted = !quoted,
                '$' if !quoted => {
                    let mut n = 0usize;
                    let mut digits = false;
                    while let Some(&(_, d)) = chars.peek() {
                        let Some(v) = d.to_digit(10) else { break };
                        n = n * 10 + v as usize;
                        digits = true;
                        chars.next();
                    }
                    if digits {
                        out.push_str(&(n + offset).to_string());
                    }
                }
                _ => {}
            }
        }
    }

    pub fn row(r: &PgRow) -> Result<Vec<Val>, sqlx::Error> {
        let mut out = Vec::with_capacity(r.len());
        for (i, c) in r.columns().iter().enumerate() {
            let v = match c.type_info().name() {
                "INT8" => r.try_get::<Option<i64>, _>(i)?.map(Val::Int),
                "INT4" => r.try_get::<Option<i32>, _>(i)?.map(|v| Val::Int(v.into())),
                "INT2" => r.try_get::<Option<i16>, _>(i)?.map(|v| Val::Int(v.into())),
                "FLOAT8" => r.try_get::<Option<f64>, _>(i)?.map(Val::Real),
                "FLOAT4" => r.try_get::<Option<f32>, _>(i)?.map(|v| Val::Real(v.into())),
                "BOOL" => r.try_get::<Option<bool>, _>(i)?.map(Val::Bool),
                // No decoder reads NUMERIC here (sums of BIGINT are NUMERIC): the statement
                // casts, and one that forgot fails here instead of reading as NULL.
                "NUMERIC" => {
                    return Err(sqlx::Error::Decode(
                        format!(
                            "column {} is NUMERIC; cast it in the statement (::BIGINT or ::FLOAT8)",
                            c.name()
                        )
                        .into(),
                    ));
                }
                "BYTEA" => r.try_get::<Option<Vec<u8>>, _>(i)?.map(Val::Bytes),
                _ => r.try_get::<Option<String>, _>(i)?.map(Val::Text),
            };
            out.push(v.unwrap_or(Val::Null));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_binds_placeholders_by_number_whatever_their_order() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let rows = sqlite::rows(
            &conn,
            "SELECT $2 || '-' || $1, $1 + 0, $2 FOR UPDATE",
            vals!["a", "b"],
        );
        // `$1 + 0` on text is 0 in SQLite; what matters is which value each name got.
        assert_eq!(
            rows.unwrap(),
            vec![vec![
                Val::Text("b-a".into()),
                Val::Int(0),
                Val::Text("b".into())
            ]]
        );
        let n = sqlite::rows(&conn, "SELECT $1, $1", vals![7i64]).unwrap();
        assert_eq!(n, vec![vec![Val::Int(7), Val::Int(7)]]);
    }

    #[test]
    fn held_inserts_go_as_few_statements_as_keep_their_order() {
        let held = |sql: &str, vals: &[Val]| (sql.to_owned(), vals.to_vec());
        let values = "INSERT INTO a (x, y) VALUES ($1, $2)";
        let select = "INSERT INTO b (s) SELECT $1 WHERE 'it''s $1' <> $1";
        let (sql, params): (Vec<_>, Vec<_>) = postgres::together(&[
            held(values, vals![1i64, "p"]),
            held(select, vals!["q"]),
            held(values, vals![2i64, "r"]),
            held(
                "INSERT INTO c (z, w) VALUES ($2, $1) ON CONFLICT DO NOTHING",
                vals![3i64, 4i64],
            ),
            // Table b again, but not as rows to add to a VALUES: the next statement.
            held(select, vals!["s"]),
            held(values, vals![5i64, "t"]),
        ])
        .into_iter()
        .unzip();
        assert_eq!(
            sql,
            vec![
                "WITH h0 AS (INSERT INTO a (x, y) VALUES ($1, $2), ($3, $4)), \
                 h1 AS (INSERT INTO b (s) SELECT $5 WHERE 'it''s $1' <> $5) \
                 INSERT INTO c (z, w) VALUES ($7, $6) ON CONFLICT DO NOTHING"
                    .to_owned(),
                "WITH h0 AS (INSERT INTO b (s) SELECT $1 WHERE 'it''s $1' <> $1) \
                 INSERT INTO a (x, y) VALUES ($2, $3)"
                    .to_owned(),
            ]
        );
        let text = |s: &str| Val::Text(s.into());
        assert_eq!(
            params,
            vec![
                vec![
                    Val::Int(1),
                    text("p"),
                    Val::Int(2),
                    text("r"),
                    text("q"),
                    Val::Int(3),
                    Val::Int(4)
                ],
                vec![text("s"), Val::Int(5), text("t")],
            ]
        );
    }

    #[test]
    fn sqlite_refuses_too_few_or_too_many_values() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        assert!(sqlite::rows(&conn, "SELECT $1, $2", vals![1i64]).is_err());
        assert!(sqlite::rows(&conn, "SELECT $1", vals![1i64, 2i64]).is_err());
        assert!(sqlite::rows(&conn, "SELECT 1", vals![1i64]).is_err());
    }
}
