//! Read models for the JSON API: lists filtered in SQL and paged by id (the API's cursor),
//! and single records by id. Every function takes the organization and finds nothing
//! outside it.

use jiff::civil::Date;

use crate::records::{Contact, Contract, Document, Payment, Record};
use crate::sql::Value;
use crate::{Result, Row, Store, Tx, args};

/// A page of a list: the rows with an id above `after`, at most `limit` of them (all when
/// `None`).
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub after: i64,
    pub limit: Option<usize>,
}

impl Page {
    pub const ALL: Page = Page {
        after: 0,
        limit: None,
    };
}

/// Rows of one page and the cursor of the next (the last id shown), absent on the last page.
#[derive(Debug, Clone)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub next_after: Option<i64>,
}

/// A `WHERE` clause grown one condition at a time, with its parameters numbered in order.
struct Query {
    sql: String,
    params: Vec<Value>,
}

impl Query {
    /// `select` must end in a `WHERE` that scopes by organization as `$1`.
    fn new(select: String, org: i64) -> Query {
        Query {
            sql: select,
            params: vec![org.into()],
        }
    }
    fn cond(&mut self, template: &str, value: impl Into<Value>) {
        self.params.push(value.into());
        let n = self.params.len();
        self.sql
            .push_str(&format!(" AND {}", template.replace('?', &format!("${n}"))));
    }
    fn opt(&mut self, template: &str, value: Option<impl Into<Value>>) {
        if let Some(v) = value {
            self.cond(template, v);
        }
    }
    /// Runs the query for one page, ordered by `id_column`; `read` gets each row.
    async fn paged<T>(
        mut self,
        store: &Store,
        id_column: &str,
        page: Page,
        read: impl Fn(&Row) -> Result<(i64, T)>,
    ) -> Result<Paged<T>> {
        self.cond(&format!("{id_column} > ?"), page.after);
        self.sql.push_str(&format!(" ORDER BY {id_column}"));
        if let Some(limit) = page.limit {
            self.params.push(Value::from(limit as i64 + 1));
            self.sql.push_str(&format!(" LIMIT ${}", self.params.len()));
        }
        let mut rows: Vec<(i64, T)> = store
            .fetch_all(&self.sql, &self.params)
            .await?
            .iter()
            .map(read)
            .collect::<Result<_>>()?;
        let mut next_after = None;
        if let Some(limit) = page.limit
            && rows.len() > limit
        {
            rows.truncate(limit);
            next_after = rows.last().map(|(id, _)| *id);
        }
        Ok(Paged {
            items: rows.into_iter().map(|(_, t)| t).collect(),
            next_after,
        })
    }
}

/// `c.a, c.b, …` for the columns of a record under a table alias.
fn columns<R: Record>(alias: &str) -> String {
    R::COLUMNS
        .iter()
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One record by id, in a transaction about to change it (locked on PostgreSQL, where two
/// writers could otherwise both read the old values; SQLite's write lock is already held).
pub async fn load_one<R: Record>(tx: &mut Tx, org: i64, id: i64) -> Result<Option<R>> {
    let lock = match tx.backend() {
        crate::Backend::Postgres => " FOR UPDATE",
        crate::Backend::Sqlite => "",
    };
    let sql = format!(
        "SELECT {} FROM {} WHERE org_id = $1 AND id = $2{lock}",
        R::COLUMNS.join(", "),
        R::TABLE
    );
    tx.fetch_optional(&sql, &args![org, id])
        .await?
        .map(|r| R::from_row(&r, 0))
        .transpose()
}

/// The id of a debtor group by name, if it exists.
pub async fn group_id(tx: &mut Tx, org: i64, name: &str) -> Result<Option<i64>> {
    tx.fetch_optional(
        "SELECT id FROM debtor_groups WHERE org_id = $1 AND name = $2",
        &args![org, name],
    )
    .await?
    .map(|r| r.get(0))
    .transpose()
}

/// The name of a debtor group by id.
pub async fn group_name(tx: &mut Tx, org: i64, id: i64) -> Result<Option<String>> {
    tx.fetch_optional(
        "SELECT name FROM debtor_groups WHERE org_id = $1 AND id = $2",
        &args![org, id],
    )
    .await?
    .map(|r| r.get(0))
    .transpose()
}

/// The code of a debtor by id.
pub async fn debtor_code(tx: &mut Tx, org: i64, id: i64) -> Result<Option<String>> {
    tx.fetch_optional(
        "SELECT code FROM debtors WHERE org_id = $1 AND id = $2",
        &args![org, id],
    )
    .await?
    .map(|r| r.get(0))
    .transpose()
}

/// What was paid on an invoice (its allocations), in minor units.
pub async fn invoice_paid(tx: &mut Tx, org: i64, id: i64) -> Result<i64> {
    tx.fetch_one(
        "SELECT paid FROM invoices WHERE org_id = $1 AND id = $2",
        &args![org, id],
    )
    .await?
    .get(0)
}

/// The tax id of an entity by id.
pub async fn entity_tax_id(tx: &mut Tx, org: i64, id: i64) -> Result<Option<String>> {
    tx.fetch_optional(
        "SELECT tax_id FROM entities WHERE org_id = $1 AND id = $2",
        &args![org, id],
    )
    .await?
    .map(|r| r.get(0))
    .transpose()
}

/// The contract with this number issued by this entity.
pub async fn contract_id(
    tx: &mut Tx,
    org: i64,
    entity_id: i64,
    number: &str,
) -> Result<Option<i64>> {
    tx.fetch_optional(
        "SELECT id FROM contracts WHERE org_id = $1 AND entity_id = $2 AND number = $3",
        &args![org, entity_id, number],
    )
    .await?
    .map(|r| r.get(0))
    .transpose()
}

#[derive(Debug, Clone)]
pub struct ContactItem {
    pub id: i64,
    pub debtor_code: String,
    pub contact: Contact,
}

#[derive(Debug, Clone, Default)]
pub struct ContactFilter<'a> {
    pub id: Option<i64>,
    pub debtor_id: Option<i64>,
    pub role: Option<&'a str>,
}

pub async fn contacts(
    store: &Store,
    org: i64,
    filter: &ContactFilter<'_>,
    page: Page,
) -> Result<Paged<ContactItem>> {
    let mut q = Query::new(
        format!(
            "SELECT c.id, d.code, {} FROM contacts c \
             JOIN debtors d ON d.id = c.debtor_id AND d.org_id = c.org_id WHERE c.org_id = $1",
            columns::<Contact>("c")
        ),
        org,
    );
    q.opt("c.id = ?", filter.id);
    q.opt("c.debtor_id = ?", filter.debtor_id);
    q.opt("c.role = ?", filter.role);
    q.paged(store, "c.id", page, |r| {
        let id = r.get(0)?;
        Ok((
            id,
            ContactItem {
                id,
                debtor_code: r.get(1)?,
                contact: Contact::from_row(r, 2)?,
            },
        ))
    })
    .await
}

pub async fn contact(store: &Store, org: i64, id: i64) -> Result<Option<ContactItem>> {
    let filter = ContactFilter {
        id: Some(id),
        ..Default::default()
    };
    Ok(contacts(store, org, &filter, Page::ALL).await?.items.pop())
}

#[derive(Debug, Clone)]
pub struct ContractItem {
    pub id: i64,
    pub debtor_code: String,
    pub entity_name: String,
    pub entity_tax_id: String,
    pub contract: Contract,
}

#[derive(Debug, Clone, Default)]
pub struct ContractFilter<'a> {
    pub id: Option<i64>,
    pub debtor_id: Option<i64>,
    /// The issuing entity's tax id.
    pub entity_tax_id: Option<&'a str>,
}

pub async fn contracts(
    store: &Store,
    org: i64,
    filter: &ContractFilter<'_>,
    page: Page,
) -> Result<Paged<ContractItem>> {
    let mut q = Query::new(
        format!(
            "SELECT c.id, d.code, e.name, e.tax_id, {} FROM contracts c \
             JOIN debtors d ON d.id = c.debtor_id AND d.org_id = c.org_id \
             JOIN entities e ON e.id = c.entity_id AND e.org_id = c.org_id WHERE c.org_id = $1",
            columns::<Contract>("c")
        ),
        org,
    );
    q.opt("c.id = ?", filter.id);
    q.opt("c.debtor_id = ?", filter.debtor_id);
    q.opt("e.tax_id = ?", filter.entity_tax_id);
    q.paged(store, "c.id", page, |r| {
        let id = r.get(0)?;
        Ok((
            id,
            ContractItem {
                id,
                debtor_code: r.get(1)?,
                entity_name: r.get(2)?,
                entity_tax_id: r.get(3)?,
                contract: Contract::from_row(r, 4)?,
            },
        ))
    })
    .await
}

pub async fn contract(store: &Store, org: i64, id: i64) -> Result<Option<ContractItem>> {
    let filter = ContractFilter {
        id: Some(id),
        ..Default::default()
    };
    Ok(contracts(store, org, &filter, Page::ALL).await?.items.pop())
}

#[derive(Debug, Clone)]
pub struct PaymentItem {
    pub id: i64,
    pub payment: Payment,
    /// The sum of its allocations to invoices, in minor units.
    pub allocated: i64,
}

#[derive(Debug, Clone, Default)]
pub struct PaymentFilter {
    pub id: Option<i64>,
    pub debtor_id: Option<i64>,
    /// Inclusive bounds on the payment date.
    pub from: Option<Date>,
    pub to: Option<Date>,
}

pub async fn payments(
    store: &Store,
    org: i64,
    filter: &PaymentFilter,
    page: Page,
) -> Result<Paged<PaymentItem>> {
    let mut q = Query::new(
        format!(
            "SELECT p.id, CAST(COALESCE((SELECT SUM(a.amount) FROM allocations a \
             WHERE a.org_id = p.org_id AND a.payment_id = p.id), 0) AS BIGINT), {} \
             FROM payments p WHERE p.org_id = $1",
            columns::<Payment>("p")
        ),
        org,
    );
    q.opt("p.id = ?", filter.id);
    q.opt("p.debtor_id = ?", filter.debtor_id);
    q.opt("p.date >= ?", filter.from);
    q.opt("p.date <= ?", filter.to);
    q.paged(store, "p.id", page, |r| {
        let id = r.get(0)?;
        Ok((
            id,
            PaymentItem {
                id,
                allocated: r.get(1)?,
                payment: Payment::from_row(r, 2)?,
            },
        ))
    })
    .await
}

pub async fn payment(store: &Store, org: i64, id: i64) -> Result<Option<PaymentItem>> {
    let filter = PaymentFilter {
        id: Some(id),
        ..Default::default()
    };
    Ok(payments(store, org, &filter, Page::ALL).await?.items.pop())
}

/// The part of a payment allocated to one invoice.
#[derive(Debug, Clone)]
pub struct AllocationItem {
    pub invoice_id: i64,
    pub series: String,
    pub number: String,
    pub currency: String,
    pub amount: i64,
}

pub async fn allocations_of_payment(
    store: &Store,
    org: i64,
    payment_id: i64,
) -> Result<Vec<AllocationItem>> {
    store
        .fetch_all(
            "SELECT a.invoice_id, i.series, i.number, i.currency, a.amount FROM allocations a \
             JOIN invoices i ON i.id = a.invoice_id AND i.org_id = a.org_id \
             WHERE a.org_id = $1 AND a.payment_id = $2 ORDER BY a.id",
            &args![org, payment_id],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(AllocationItem {
                invoice_id: r.get(0)?,
                series: r.get(1)?,
                number: r.get(2)?,
                currency: r.get(3)?,
                amount: r.get(4)?,
            })
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct DocumentItem {
    pub id: i64,
    pub created_at: jiff::Timestamp,
    pub document: Document,
}

#[derive(Debug, Clone, Default)]
pub struct DocumentFilter<'a> {
    pub id: Option<i64>,
    pub invoice_id: Option<i64>,
    pub debtor_id: Option<i64>,
    pub doc_type: Option<&'a str>,
}

pub async fn documents(
    store: &Store,
    org: i64,
    filter: &DocumentFilter<'_>,
    page: Page,
) -> Result<Paged<DocumentItem>> {
    let mut q = Query::new(
        format!(
            "SELECT d.id, d.created_at, {} FROM documents d WHERE d.org_id = $1",
            columns::<Document>("d")
        ),
        org,
    );
    q.opt("d.id = ?", filter.id);
    q.opt("d.invoice_id = ?", filter.invoice_id);
    q.opt("d.debtor_id = ?", filter.debtor_id);
    q.opt("d.doc_type = ?", filter.doc_type);
    q.paged(store, "d.id", page, |r| {
        let id = r.get(0)?;
        Ok((
            id,
            DocumentItem {
                id,
                created_at: r.timestamp(1)?,
                document: Document::from_row(r, 2)?,
            },
        ))
    })
    .await
}

pub async fn document(store: &Store, org: i64, id: i64) -> Result<Option<DocumentItem>> {
    let filter = DocumentFilter {
        id: Some(id),
        ..Default::default()
    };
    Ok(documents(store, org, &filter, Page::ALL).await?.items.pop())
}
