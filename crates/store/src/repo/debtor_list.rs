//! The debtors list: search, filters, sort, paging and aging totals, answered from two derived
//! tables (`debtor_list`, one row per debtor, and `debtor_aging`, its open amounts per
//! currency and bucket) so that a page costs a few index lookups, not a pass over every open
//! invoice.
//!
//! The aging depends on the day, so the tables hold a snapshot aged for one day per
//! organization. [`ensure_current`] rebuilds it when the day has changed; every write that
//! touches debtors, invoices or payments calls [`refresh`] in its own transaction, so a page
//! never shows amounts older than the last commit.

use std::collections::HashMap;

use creanta_domain::aging::AgingBucket;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::repo::views::{DebtorSummary, fold};
use crate::sql::{Value, id_list};
use crate::{Backend, Result, Store, StoreError, Tx, args};

/// Beyond this many debtors, one refresh rebuilds the whole organization: cheaper than
/// statements with thousands of ids.
const INCREMENTAL_LIMIT: usize = 2_000;

/// The aging buckets in the order of [`AgingLine::amounts`]; the sixth amount is the total.
pub const BUCKETS: [&str; 5] = ["not_due", "1_30", "31_60", "61_90", "over_90"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Code,
    Name,
    /// Largest open amount first.
    Open,
    /// Largest amount over 90 days first.
    Over90,
}

impl Sort {
    pub fn parse(text: &str) -> Sort {
        match text {
            "name" => Sort::Name,
            "open" => Sort::Open,
            "over_90" => Sort::Over90,
            _ => Sort::Code,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ListQuery<'a> {
    pub search: Option<&'a str>,
    pub owner: Option<&'a str>,
    pub group: Option<&'a str>,
    /// Index into [`BUCKETS`]: only debtors with money in that bucket.
    pub bucket: Option<usize>,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
}

/// Open amounts of one currency: the five buckets, then the total.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AgingLine {
    pub currency: String,
    pub amounts: [i64; 6],
}

#[derive(Debug, Clone)]
pub struct ListedDebtor {
    pub debtor: DebtorSummary,
    pub aging: Vec<AgingLine>,
}

#[derive(Debug, Clone)]
pub struct ListPage {
    /// How many debtors match, over all pages.
    pub count: usize,
    pub rows: Vec<ListedDebtor>,
    /// Sum over every matching debtor, per currency.
    pub totals: Vec<AgingLine>,
    /// The day the amounts were aged for.
    pub as_of: Date,
}

/// The day the organization's snapshot was aged for, if it has one.
async fn snapshot_day(store: &Store, org: i64) -> Result<Option<Date>> {
    match store
        .fetch_optional(
            "SELECT as_of FROM debtor_list_state WHERE org_id = $1",
            &args![org],
        )
        .await?
    {
        Some(r) => Ok(Some(r.date(0)?)),
        None => Ok(None),
    }
}

/// Locks the organization's snapshot for this transaction (PostgreSQL: the state row;
/// SQLite: the write lock every transaction already holds) and returns its day.
async fn lock_snapshot(tx: &mut Tx, org: i64) -> Result<Option<Date>> {
    match tx
        .fetch_optional(
            "UPDATE debtor_list_state SET as_of = as_of WHERE org_id = $1 RETURNING as_of",
            &args![org],
        )
        .await?
    {
        Some(r) => Ok(Some(r.date(0)?)),
        None => Ok(None),
    }
}

/// Makes the snapshot answer for `today`, rebuilding it when it was aged for another day
/// (the first page of the morning pays for it, or the daily run does).
pub async fn ensure_current(store: &Store, org: i64, today: Date) -> Result<()> {
    if snapshot_day(store, org).await? == Some(today) {
        return Ok(());
    }
    let mut tx = store.begin().await?;
    tx.execute(
        "INSERT INTO debtor_list_state (org_id, as_of) VALUES ($1, $2) ON CONFLICT (org_id) DO NOTHING",
        &args![org, today],
    )
    .await?;
    // Someone else may have rebuilt it while this one waited for the lock.
    if lock_snapshot(&mut tx, org).await? == Some(today) && has_rows(&mut tx, org).await? {
        return tx.commit().await;
    }
    rebuild(&mut tx, org, today).await?;
    tx.commit().await
}

async fn has_rows(tx: &mut Tx, org: i64) -> Result<bool> {
    let n: i64 = tx
        .fetch_one(
            "SELECT COUNT(*) FROM (SELECT 1 FROM debtor_list WHERE org_id = $1 LIMIT 1) x",
            &args![org],
        )
        .await?
        .get(0)?;
    let debtors: i64 = tx
        .fetch_one(
            "SELECT COUNT(*) FROM (SELECT 1 FROM debtors WHERE org_id = $1 LIMIT 1) x",
            &args![org],
        )
        .await?
        .get(0)?;
    Ok(n > 0 || debtors == 0)
}

/// Brings the snapshot up to date for these debtors after a write in `tx`. Does nothing when
/// the organization has no snapshot yet: the first read builds it.
pub async fn refresh(tx: &mut Tx, org: i64, debtors: &[i64]) -> Result<()> {
    if debtors.is_empty() {
        return Ok(());
    }
    let Some(day) = lock_snapshot(tx, org).await? else {
        return Ok(());
    };
    if debtors.len() > INCREMENTAL_LIMIT {
        return rebuild(tx, org, day).await;
    }
    let mut ids = debtors.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let (list, params) = id_list(&ids, 2);
    let mut scoped = vec![Value::from(org)];
    scoped.extend(params);
    tx.execute(
        &format!("DELETE FROM debtor_aging WHERE org_id = $1 AND debtor_id IN ({list})"),
        &scoped,
    )
    .await?;
    if tx.backend() == Backend::Sqlite {
        tx.execute(
            &format!(
                "DELETE FROM debtor_search WHERE rowid IN \
                 (SELECT debtor_id FROM debtor_list WHERE org_id = $1 AND debtor_id IN ({list}))"
            ),
            &scoped,
        )
        .await?;
    }
    tx.execute(
        &format!("DELETE FROM debtor_list WHERE org_id = $1 AND debtor_id IN ({list})"),
        &scoped,
    )
    .await?;
    let filter = format!(" AND id IN ({list})");
    let aging_filter = format!(" AND debtor_id IN ({list})");
    fill(tx, org, day, &filter, &aging_filter, &scoped[1..]).await?;
    write_cache(tx, org).await
}

async fn rebuild(tx: &mut Tx, org: i64, day: Date) -> Result<()> {
    if tx.backend() == Backend::Sqlite {
        tx.execute(
            "DELETE FROM debtor_search WHERE rowid IN (SELECT debtor_id FROM debtor_list WHERE org_id = $1)",
            &args![org],
        )
        .await?;
    }
    tx.execute("DELETE FROM debtor_aging WHERE org_id = $1", &args![org])
        .await?;
    tx.execute("DELETE FROM debtor_list WHERE org_id = $1", &args![org])
        .await?;
    tx.execute(
        "UPDATE debtor_list_state SET as_of = $2 WHERE org_id = $1",
        &args![org, day],
    )
    .await?;
    fill(tx, org, day, "", "", &[]).await?;
    write_cache(tx, org).await
}

/// Recomputes [`debtor_list_cache`]: four grouped passes (count and totals by owner, and by
/// bucket set) from which every cached view is added up here.
async fn write_cache(tx: &mut Tx, org: i64) -> Result<()> {
    // key -> (debtors, totals); the unfiltered and the per-bucket views exist even when empty.
    let mut views: HashMap<String, (i64, Vec<AgingLine>)> = HashMap::new();
    for b in std::iter::once(None).chain((0..BUCKETS.len()).map(Some)) {
        views.insert(view_key(None, b), (0, Vec::new()));
    }
    // Every view that one group of debtors (same owner, same set of buckets) belongs to.
    let keys_of = |owner: &Option<String>, mask: i64| -> Vec<String> {
        let buckets: Vec<Option<usize>> = std::iter::once(None)
            .chain(
                (0..BUCKETS.len())
                    .filter(|b| mask & (1 << b) != 0)
                    .map(Some),
            )
            .collect();
        let mut keys: Vec<String> = buckets.iter().map(|b| view_key(None, *b)).collect();
        if let Some(o) = owner {
            keys.extend(buckets.iter().map(|b| view_key(Some(o), *b)));
        }
        keys
    };
    for r in tx
        .fetch_all(
            "SELECT owner_email, buckets, COUNT(*) FROM debtor_list WHERE org_id = $1 \
             GROUP BY owner_email, buckets",
            &args![org],
        )
        .await?
    {
        let n: i64 = r.get(2)?;
        for k in keys_of(&r.get(0)?, r.get(1)?) {
            views.entry(k).or_default().0 += n;
        }
    }
    let rows = tx
        .fetch_all(
            &format!(
                "SELECT a.currency, {SUMS}, l.owner_email, l.buckets FROM debtor_aging a \
                 JOIN debtor_list l ON l.debtor_id = a.debtor_id \
                 WHERE l.org_id = $1 GROUP BY l.owner_email, l.buckets, a.currency"
            ),
            &args![org],
        )
        .await?;
    for r in &rows {
        let line = aging_line(r)?;
        for key in keys_of(&r.get(7)?, r.get(8)?) {
            add_line(&mut views.entry(key).or_default().1, &line);
        }
    }
    tx.execute(
        "DELETE FROM debtor_list_cache WHERE org_id = $1",
        &args![org],
    )
    .await?;
    let mut rows = Vec::with_capacity(views.len());
    for (key, (n, mut totals)) in views {
        totals.sort_by(|a, b| a.currency.cmp(&b.currency));
        let json = serde_json::to_string(&totals)
            .map_err(|e| StoreError::Corrupt(format!("totals: {e}")))?;
        rows.push(vec![org.into(), key.into(), n.into(), json.into()]);
    }
    super::insert_rows(
        tx,
        "debtor_list_cache",
        &["org_id", "filter_key", "debtors", "totals"],
        &rows,
    )
    .await
}

fn aging_line(r: &crate::sql::Row) -> Result<AgingLine> {
    let mut amounts = [0i64; 6];
    for (i, a) in amounts.iter_mut().enumerate() {
        *a = r.get(i + 1)?;
    }
    Ok(AgingLine {
        currency: r.get(0)?,
        amounts,
    })
}

/// The name of a cached view: all debtors, one owner's, those with money in one bucket, or
/// one owner's with money in one bucket.
fn view_key(owner: Option<&str>, bucket: Option<usize>) -> String {
    match (owner, bucket) {
        (None, None) => String::new(),
        (Some(o), None) => format!("owner:{o}"),
        (None, Some(b)) => format!("bucket:{b}"),
        (Some(o), Some(b)) => format!("bucket:{b}|owner:{o}"),
    }
}

/// The key of the cached view that answers `q`'s count and totals, if one does.
fn cache_key(q: &ListQuery<'_>) -> Option<String> {
    fn given(v: Option<&str>) -> Option<&str> {
        v.map(str::trim).filter(|v| !v.is_empty())
    }
    if given(q.search).is_some() || given(q.group).is_some() {
        return None;
    }
    Some(view_key(
        given(q.owner),
        q.bucket.filter(|b| *b < BUCKETS.len()),
    ))
}

/// The owners that have debtors, for the owner filter.
pub async fn owners(store: &Store, org: i64) -> Result<Vec<String>> {
    let mut owners: Vec<String> = store
        .fetch_all(
            "SELECT filter_key FROM debtor_list_cache WHERE org_id = $1",
            &args![org],
        )
        .await?
        .iter()
        .map(|r| r.get::<String>(0))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .filter_map(|k| k.strip_prefix("owner:").map(str::to_owned))
        .collect();
    owners.sort();
    Ok(owners)
}

/// Open amounts of one debtor, per currency, aged on `day` by the domain's bucket rule.
fn age(open: &[(String, Date, i64)], day: Date) -> Vec<AgingLine> {
    let mut lines: Vec<AgingLine> = Vec::new();
    for (currency, due, amount) in open {
        let bucket = AgingBucket::of(*due, day) as usize;
        let line = match lines.iter_mut().position(|l| &l.currency == currency) {
            Some(i) => &mut lines[i],
            None => {
                lines.push(AgingLine {
                    currency: currency.clone(),
                    amounts: [0; 6],
                });
                lines.last_mut().expect("just pushed")
            }
        };
        line.amounts[bucket] += amount;
        line.amounts[5] += amount;
    }
    lines.sort_by(|a, b| a.currency.cmp(&b.currency));
    lines
}

/// Writes the list rows (with their aging lines inline) and the `debtor_aging` lines of the
/// debtors selected by `filter` (a condition on `debtors.id`) and `aging_filter` (the same on
/// `invoices.debtor_id`), whose parameters follow the organization's.
async fn fill(
    tx: &mut Tx,
    org: i64,
    day: Date,
    filter: &str,
    aging_filter: &str,
    extra: &[Value],
) -> Result<()> {
    let mut params = vec![Value::from(org)];
    params.extend_from_slice(extra);
    let mut open: HashMap<i64, Vec<(String, Date, i64)>> = HashMap::new();
    for r in tx
        .fetch_all(
            &format!(
                "SELECT debtor_id, currency, due_date, total - paid FROM invoices \
                 WHERE org_id = $1 AND total <> paid{aging_filter}"
            ),
            &params,
        )
        .await?
    {
        open.entry(r.get(0)?)
            .or_default()
            .push((r.get(1)?, r.date(2)?, r.get(3)?));
    }
    let debtors = tx
        .fetch_all(
            &format!(
                "SELECT id, code, name, tax_id, owner_email, group_id FROM debtors \
                 WHERE org_id = $1{filter}"
            ),
            &params,
        )
        .await?;
    let mut list_rows = Vec::with_capacity(debtors.len());
    let mut aging_rows = Vec::new();
    for r in &debtors {
        let (id, code, name, tax_id): (i64, String, String, String) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        let owner: Option<String> = r.get(4)?;
        let group: Option<i64> = r.get(5)?;
        let lines = open.get(&id).map(|o| age(o, day)).unwrap_or_default();
        // Amounts in different currencies are never added: sorting takes the largest.
        let key = |i: usize| lines.iter().map(|l| l.amounts[i]).max().unwrap_or(0);
        let buckets: i64 = (0..BUCKETS.len())
            .filter(|&b| lines.iter().any(|l| l.amounts[b] > 0))
            .map(|b| 1 << b)
            .sum();
        for l in &lines {
            let mut row: Vec<Value> = vec![id.into(), l.currency.as_str().into(), org.into()];
            row.extend(l.amounts.iter().map(|&a| Value::from(a)));
            aging_rows.push(row);
        }
        let json = serde_json::to_string(&lines)
            .map_err(|e| StoreError::Corrupt(format!("aging lines: {e}")))?;
        list_rows.push(vec![
            id.into(),
            org.into(),
            code.as_str().into(),
            format!("{} {} {}", fold(&name), fold(&code), fold(&tax_id)).into(),
            fold(&name).into(),
            owner.into(),
            group.into(),
            buckets.into(),
            key(5).into(),
            key(4).into(),
            json.into(),
        ]);
    }
    super::insert_rows(
        tx,
        "debtor_list",
        &[
            "debtor_id",
            "org_id",
            "code",
            "search_key",
            "sort_name",
            "owner_email",
            "group_id",
            "buckets",
            "open_key",
            "over_90_key",
            "lines",
        ],
        &list_rows,
    )
    .await?;
    super::insert_rows(
        tx,
        "debtor_aging",
        &[
            "debtor_id",
            "currency",
            "org_id",
            "not_due",
            "d1_30",
            "d31_60",
            "d61_90",
            "over_90",
            "total",
        ],
        &aging_rows,
    )
    .await?;
    if tx.backend() == Backend::Sqlite {
        let search: Vec<Vec<Value>> = list_rows
            .iter()
            .map(|r| vec![r[0].clone(), r[3].clone()])
            .collect();
        super::insert_rows(tx, "debtor_search", &["rowid", "search_key"], &search).await?;
    }
    Ok(())
}

/// One page of the debtors list, its count and its totals, aged on `today` (the snapshot is
/// rebuilt first when it was aged for another day).
pub async fn page(store: &Store, org: i64, today: Date, q: &ListQuery<'_>) -> Result<ListPage> {
    ensure_current(store, org, today).await?;
    let as_of = today;
    let mut params = vec![Value::from(org)];
    let mut filter = String::new();
    let mut scope = "l.org_id = $1";
    // PostgreSQL text cannot hold NUL, and no stored name, code or e-mail has one: a NUL
    // typed into a filter is dropped rather than sent to the database as an error.
    let clean = |s: &str| s.replace('\0', "");
    if let Some(s) = q
        .search
        .map(clean)
        .as_deref()
        .map(fold)
        .filter(|s| !s.is_empty())
    {
        let escaped = s
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        if store.backend() == Backend::Sqlite && s.chars().count() >= 3 {
            // The trigram index finds the substring; quoted, so it is one phrase.
            params.push(format!("\"{}\"", s.replace('"', "\"\"")).into());
            // `+` keeps SQLite from walking an index on org_id (every debtor, with one
            // organization) instead of looking up the few matches by primary key.
            scope = "+l.org_id = $1";
            filter.push_str(&format!(
                " AND l.debtor_id IN (SELECT rowid FROM debtor_search WHERE debtor_search MATCH ${})",
                params.len()
            ));
        } else {
            params.push(format!("%{escaped}%").into());
            filter.push_str(&format!(
                " AND l.search_key LIKE ${} ESCAPE '\\'",
                params.len()
            ));
        }
    }
    if let Some(o) = q.owner.map(clean).filter(|o| !o.is_empty()) {
        params.push(o.into());
        filter.push_str(&format!(" AND l.owner_email = ${}", params.len()));
    }
    if let Some(g) = q.group.map(clean).filter(|g| !g.is_empty()) {
        params.push(g.into());
        filter.push_str(&format!(
            " AND l.group_id = (SELECT id FROM debtor_groups WHERE org_id = $1 AND name = ${})",
            params.len()
        ));
    }
    if let Some(b) = q.bucket.filter(|b| *b < BUCKETS.len()) {
        params.push(Value::from(1i64 << b));
        filter.push_str(&format!(" AND (l.buckets & ${}) <> 0", params.len()));
    }
    let order = match q.sort {
        Sort::Code => "l.code",
        Sort::Name => "l.sort_name, l.debtor_id",
        Sort::Open => "l.open_key DESC, l.debtor_id DESC",
        Sort::Over90 => "l.over_90_key DESC, l.debtor_id DESC",
    };
    let cached = match cache_key(q) {
        Some(key) => store
            .fetch_optional(
                "SELECT debtors, totals FROM debtor_list_cache WHERE org_id = $1 AND filter_key = $2",
                &args![org, key],
            )
            .await?
            .map(|r| -> Result<(i64, Vec<AgingLine>)> {
                let json: String = r.get(1)?;
                let totals = serde_json::from_str(&json)
                    .map_err(|e| StoreError::Corrupt(format!("cached totals: {e}")))?;
                Ok((r.get(0)?, totals))
            })
            .transpose()?
            // An owner nobody has: nothing matches.
            .or(Some((0, Vec::new()))),
        None => None,
    };
    let (count, totals) = match cached {
        Some(c) => c,
        None => live_totals(store, scope, &filter, &params).await?,
    };

    let n = params.len();
    let mut page_params = params.clone();
    page_params.push(Value::from(q.limit as i64));
    page_params.push(Value::from(q.offset as i64));
    let rows = store
        .fetch_all(
            &format!(
                "SELECT d.id, d.code, d.name, d.tax_id, d.tax_id_valid, g.name, d.owner_email, d.city, l.lines \
                 FROM debtor_list l JOIN debtors d ON d.id = l.debtor_id \
                 LEFT JOIN debtor_groups g ON g.id = d.group_id AND g.org_id = d.org_id \
                 WHERE {scope}{filter} ORDER BY {order} LIMIT ${} OFFSET ${}",
                n + 1,
                n + 2
            ),
            &page_params,
        )
        .await?
        .iter()
        .map(|r| {
            Ok(ListedDebtor {
                debtor: DebtorSummary {
                    id: r.get(0)?,
                    code: r.get(1)?,
                    name: r.get(2)?,
                    tax_id: r.get(3)?,
                    tax_id_valid: r.get(4)?,
                    group: r.get(5)?,
                    owner_email: r.get(6)?,
                    city: r.get(7)?,
                },
                aging: parse_lines(&r.get::<String>(8)?)?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(ListPage {
        count: count as usize,
        rows,
        totals,
        as_of,
    })
}

fn parse_lines(json: &str) -> Result<Vec<AgingLine>> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("aging lines: {e}")))
}

/// Adds `line` into the totals of its currency.
fn add_line(totals: &mut Vec<AgingLine>, line: &AgingLine) {
    match totals.iter_mut().find(|t| t.currency == line.currency) {
        Some(t) => {
            for (a, b) in t.amounts.iter_mut().zip(line.amounts) {
                *a += b;
            }
        }
        None => totals.push(line.clone()),
    }
}

/// Count and totals of a filtered view, added up on request from the matching rows' lines.
async fn live_totals(
    store: &Store,
    scope: &str,
    filter: &str,
    params: &[Value],
) -> Result<(i64, Vec<AgingLine>)> {
    let rows = store
        .fetch_all(
            &format!("SELECT l.lines FROM debtor_list l WHERE {scope}{filter}"),
            params,
        )
        .await?;
    let mut totals = Vec::new();
    for r in &rows {
        let json: String = r.get(0)?;
        // Most debtors owe nothing: skip the parse.
        if json != "[]" {
            for line in parse_lines(&json)? {
                add_line(&mut totals, &line);
            }
        }
    }
    totals.sort_by(|a, b| a.currency.cmp(&b.currency));
    Ok((rows.len() as i64, totals))
}

const SUMS: &str = "CAST(SUM(a.not_due) AS BIGINT), CAST(SUM(a.d1_30) AS BIGINT), \
    CAST(SUM(a.d31_60) AS BIGINT), CAST(SUM(a.d61_90) AS BIGINT), \
    CAST(SUM(a.over_90) AS BIGINT), CAST(SUM(a.total) AS BIGINT)";
