//! The benchmark floor: the plainest way each backend can load rows — one prepared INSERT
//! executed per row in one transaction on SQLite, `COPY … FROM STDIN` on PostgreSQL. The
//! import is measured against this, so it must stay as simple as the database allows.

use crate::records::Record;
use crate::sql::Value;
use crate::{Result, Store, Tx};

pub async fn bare_insert<R: Record>(store: &Store, org: i64, records: &[R]) -> Result<()> {
    let mut tx = store.begin().await?;
    let columns = format!("org_id, {}", R::COLUMNS.join(", "));
    match &mut tx {
        Tx::Sqlite(_) => {
            let params: Vec<String> = (1..=R::COLUMNS.len() + 1)
                .map(|i| format!("${i}"))
                .collect();
            let sql = format!(
                "INSERT INTO {} ({columns}) VALUES ({})",
                R::TABLE,
                params.join(", ")
            );
            for r in records {
                let mut values = vec![Value::from(org)];
                values.extend(r.values());
                tx.execute(&sql, &values).await?;
            }
        }
        Tx::Pg(t) => {
            let statement = format!("COPY {} ({columns}) FROM STDIN (FORMAT text)", R::TABLE);
            let mut copy = t.copy_in_raw(&statement).await?;
            let mut buf = String::with_capacity(1 << 20);
            for r in records {
                buf.push_str(&org.to_string());
                for v in r.values() {
                    buf.push('\t');
                    copy_text(&mut buf, &v);
                }
                buf.push('\n');
                if buf.len() > (1 << 20) {
                    copy.send(std::mem::take(&mut buf).into_bytes()).await?;
                }
            }
            copy.send(buf.into_bytes()).await?;
            copy.finish().await?;
        }
    }
    tx.commit().await
}

/// A value in COPY's text format.
fn copy_text(buf: &mut String, v: &Value) {
    match v {
        Value::Int(Some(i)) => buf.push_str(&i.to_string()),
        Value::Bool(Some(b)) => buf.push(if *b { 't' } else { 'f' }),
        Value::Date(Some(d)) => buf.push_str(&d.to_string()),
        Value::Timestamp(Some(t)) => buf.push_str(&t.to_string()),
        Value::Text(Some(s)) => {
            for c in s.chars() {
                match c {
                    '\\' => buf.push_str("\\\\"),
                    '\t' => buf.push_str("\\t"),
                    '\n' => buf.push_str("\\n"),
                    '\r' => buf.push_str("\\r"),
                    c => buf.push(c),
                }
            }
        }
        Value::Int(None)
        | Value::Bool(None)
        | Value::Date(None)
        | Value::Timestamp(None)
        | Value::Text(None) => buf.push_str("\\N"),
    }
}
