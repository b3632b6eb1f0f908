//! One small value/row layer over both backends, so that every query is written once.
//!
//! sqlx's `Any` driver cannot carry dates, so we keep typed values of our own and bind them
//! to the concrete driver. Queries use `$1` placeholders, which both SQLite and PostgreSQL read.

use jiff::civil::Date;
use jiff_sqlx::ToSqlx;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Decode, Postgres, Row as _, Sqlite, Type};

use crate::StoreError;

/// A bind parameter. Every variant carries its type even when NULL, because PostgreSQL
/// needs the parameter type to compare or assign it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(Option<bool>),
    Date(Option<Date>),
    Timestamp(Option<jiff::Timestamp>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(Some(v))
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::Int(v)
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int(Some(v.into()))
    }
}
impl From<Option<i32>> for Value {
    fn from(v: Option<i32>) -> Self {
        Value::Int(v.map(Into::into))
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(Some(v.to_owned()))
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(Some(v))
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(Some(v.clone()))
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        Value::Text(v)
    }
}
impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        Value::Text(v.map(str::to_owned))
    }
}
impl From<&Option<String>> for Value {
    fn from(v: &Option<String>) -> Self {
        Value::Text(v.clone())
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(Some(v))
    }
}
impl From<Date> for Value {
    fn from(v: Date) -> Self {
        Value::Date(Some(v))
    }
}
impl From<Option<Date>> for Value {
    fn from(v: Option<Date>) -> Self {
        Value::Date(v)
    }
}
impl From<jiff::Timestamp> for Value {
    fn from(v: jiff::Timestamp) -> Self {
        Value::Timestamp(Some(v))
    }
}

/// Builds an argument list: `args![a, b, c]`.
#[macro_export]
macro_rules! args {
    ($($v:expr),* $(,)?) => { [$($crate::sql::Value::from($v)),*] };
}

/// A row from either backend; columns are read by position with [`Row::get`].
pub enum Row {
    Sqlite(SqliteRow),
    Pg(PgRow),
}

/// A type that both drivers can decode.
pub trait Column:
    for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}
impl<T> Column for T where
    T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}

impl Row {
    pub fn get<T: Column>(&self, idx: usize) -> Result<T, StoreError> {
        Ok(match self {
            Row::Sqlite(r) => r.try_get(idx)?,
            Row::Pg(r) => r.try_get(idx)?,
        })
    }
    pub fn date(&self, idx: usize) -> Result<Date, StoreError> {
        Ok(self.get::<jiff_sqlx::Date>(idx)?.to_jiff())
    }
    pub fn opt_date(&self, idx: usize) -> Result<Option<Date>, StoreError> {
        Ok(self
            .get::<Option<jiff_sqlx::Date>>(idx)?
            .map(|d| d.to_jiff()))
    }
    pub fn timestamp(&self, idx: usize) -> Result<jiff::Timestamp, StoreError> {
        Ok(self.get::<jiff_sqlx::Timestamp>(idx)?.to_jiff())
    }
    pub fn opt_timestamp(&self, idx: usize) -> Result<Option<jiff::Timestamp>, StoreError> {
        Ok(self
            .get::<Option<jiff_sqlx::Timestamp>>(idx)?
            .map(|t| t.to_jiff()))
    }
}

type SqliteQuery<'q> = sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments>;
type PgQuery<'q> = sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>;

/// SQLite looks a named parameter (`$7`) up by walking a list, so a statement with thousands
/// of them (our multi-row inserts) costs quadratic time to bind. When the placeholders are
/// exactly `$1, $2, … $n` in order, each once, anonymous `?` means the same and binds in
/// constant time; otherwise the text is kept.
fn positional(sql: &str) -> Option<String> {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let (mut expected, mut last) = (1u64, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            let digits = bytes[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits > 0 {
                let n: u64 = sql[i + 1..i + 1 + digits].parse().ok()?;
                if n != expected {
                    return None;
                }
                expected += 1;
                out.push_str(&sql[last..i]);
                out.push('?');
                i += 1 + digits;
                last = i;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&sql[last..]);
    Some(out)
}

pub(crate) fn sqlite_query(sql: &str, args: &[Value]) -> SqliteQuery<'static> {
    let sql = positional(sql).unwrap_or_else(|| sql.to_owned());
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for a in args {
        q = match a.clone() {
            Value::Int(v) => q.bind(v),
            Value::Text(v) => q.bind(v),
            Value::Bool(v) => q.bind(v),
            Value::Date(v) => q.bind(v.map(|d| d.to_sqlx())),
            Value::Timestamp(v) => q.bind(v.map(|t| t.to_sqlx())),
        };
    }
    q
}

pub(crate) fn pg_query(sql: &str, args: &[Value]) -> PgQuery<'static> {
    let mut q = sqlx::query(AssertSqlSafe(sql.to_owned()));
    for a in args {
        q = match a.clone() {
            Value::Int(v) => q.bind(v),
            Value::Text(v) => q.bind(v),
            Value::Bool(v) => q.bind(v),
            Value::Date(v) => q.bind(v.map(|d| d.to_sqlx())),
            Value::Timestamp(v) => q.bind(v.map(|t| t.to_sqlx())),
        };
    }
    q
}

/// `$first, $first+1, …` for the ids, with their values: the inside of an `IN (…)` list.
pub fn id_list(ids: &[i64], first: usize) -> (String, Vec<Value>) {
    let list = (0..ids.len())
        .map(|i| format!("${}", first + i))
        .collect::<Vec<_>>()
        .join(", ");
    (list, ids.iter().map(|&i| Value::from(i)).collect())
}

/// `($1, …, $width), ($width+1, …), …` for `rows` rows: the rows of a multi-row
/// `INSERT … VALUES`, numbered in order (so that SQLite binds them positionally).
pub(crate) fn value_rows(rows: usize, width: usize) -> String {
    let mut out = String::with_capacity(rows * width * 5);
    for r in 0..rows {
        if r > 0 {
            out.push(',');
        }
        out.push('(');
        for c in 1..=width {
            if c > 1 {
                out.push(',');
            }
            out.push_str(&format!("${}", r * width + c));
        }
        out.push(')');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::positional;

    #[test]
    fn only_strictly_sequential_placeholders_become_anonymous() {
        assert_eq!(
            positional("INSERT INTO t VALUES ($1,$2),($3,$4)").as_deref(),
            Some("INSERT INTO t VALUES (?,?),(?,?)")
        );
        assert_eq!(positional("SELECT $1 WHERE a = $1"), None);
        assert_eq!(positional("SELECT $2, $1"), None);
        assert_eq!(positional("SELECT 1").as_deref(), Some("SELECT 1"));
    }
}
