//! Read models for the web pages: one debtor, one invoice, and what hangs off them. Every
//! function takes the organization and finds nothing outside it.

use jiff::civil::Date;
use serde::Serialize;

use crate::records::{Contact, Contract, Debtor, Document, Record};
use crate::{Result, Store, args};

#[cfg(test)]
mod tests {
    #[test]
    fn search_ignores_case_and_diacritics() {
        assert_eq!(super::fold(" ȚESĂTURI Ştefănescu "), "tesaturi stefanescu");
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DebtorSummary {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub tax_id: String,
    pub tax_id_valid: bool,
    pub group: Option<String>,
    pub owner_email: Option<String>,
    pub city: Option<String>,
}

/// Debtors matching a search (name, code or tax id, case-insensitive) and filters.
pub async fn debtors(
    store: &Store,
    org: i64,
    search: Option<&str>,
    owner: Option<&str>,
    group: Option<&str>,
) -> Result<Vec<DebtorSummary>> {
    let mut sql = String::from(
        "SELECT d.id, d.code, d.name, d.tax_id, d.tax_id_valid, g.name, d.owner_email, d.city \
         FROM debtors d LEFT JOIN debtor_groups g ON g.id = d.group_id AND g.org_id = d.org_id \
         WHERE d.org_id = $1",
    );
    let mut params = vec![crate::Value::from(org)];
    if let Some(o) = owner.filter(|o| !o.is_empty()) {
        params.push(o.into());
        sql.push_str(&format!(" AND d.owner_email = ${}", params.len()));
    }
    if let Some(g) = group.filter(|g| !g.is_empty()) {
        params.push(g.into());
        sql.push_str(&format!(" AND g.name = ${}", params.len()));
    }
    let mut list: Vec<DebtorSummary> = store
        .fetch_all(&sql, &params)
        .await?
        .iter()
        .map(|r| {
            Ok(DebtorSummary {
                id: r.get(0)?,
                code: r.get(1)?,
                name: r.get(2)?,
                tax_id: r.get(3)?,
                tax_id_valid: r.get(4)?,
                group: r.get(5)?,
                owner_email: r.get(6)?,
                city: r.get(7)?,
            })
        })
        .collect::<Result<_>>()?;
    // Searched here rather than with SQL LIKE: SQLite folds only ASCII case, and people type
    // "tesaturi" for "Țesături".
    if let Some(q) = search.map(fold).filter(|q| !q.is_empty()) {
        list.retain(|d| {
            [&d.name, &d.code, &d.tax_id]
                .iter()
                .any(|f| fold(f).contains(&q))
        });
    }
    list.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(list)
}

/// Lower case without Romanian diacritics (both the comma-below and the cedilla forms).
pub fn fold(text: &str) -> String {
    text.trim()
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'ă' | 'â' | 'á' | 'à' | 'ä' => 'a',
            'î' | 'í' => 'i',
            'ș' | 'ş' => 's',
            'ț' | 'ţ' => 't',
            'é' | 'è' | 'ë' => 'e',
            'ö' | 'ó' => 'o',
            'ü' | 'ú' => 'u',
            c => c,
        })
        .collect()
}

/// The debtor groups' names, for suggestions in the group filter of the debtors list; none
/// when there are more than `limit`.
pub async fn group_names(store: &Store, org: i64, limit: usize) -> Result<Vec<String>> {
    let mut groups: Vec<String> = store
        .fetch_all(
            "SELECT name FROM debtor_groups WHERE org_id = $1 LIMIT $2",
            &args![org, limit as i64 + 1],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect::<Result<_>>()?;
    if groups.len() > limit {
        return Ok(Vec::new());
    }
    groups.sort();
    Ok(groups)
}

pub async fn debtor(store: &Store, org: i64, id: i64) -> Result<Option<(Debtor, Option<String>)>> {
    let sql = format!(
        "SELECT {}, g.name FROM debtors d LEFT JOIN debtor_groups g ON g.id = d.group_id AND g.org_id = d.org_id \
         WHERE d.org_id = $1 AND d.id = $2",
        Debtor::COLUMNS
            .iter()
            .map(|c| format!("d.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let Some(r) = store.fetch_optional(&sql, &args![org, id]).await? else {
        return Ok(None);
    };
    let group: Option<String> = r.get(Debtor::COLUMNS.len())?;
    Ok(Some((Debtor::from_row(&r, 0)?, group)))
}

async fn by_column<R: Record>(
    store: &Store,
    org: i64,
    column: &str,
    value: i64,
) -> Result<Vec<(i64, R)>> {
    let sql = format!(
        "SELECT id, {} FROM {} WHERE org_id = $1 AND {column} = $2 ORDER BY id",
        R::COLUMNS.join(", "),
        R::TABLE
    );
    store
        .fetch_all(&sql, &args![org, value])
        .await?
        .iter()
        .map(|r| Ok((r.get(0)?, R::from_row(r, 1)?)))
        .collect()
}

pub async fn contacts(store: &Store, org: i64, debtor_id: i64) -> Result<Vec<Contact>> {
    Ok(by_column::<Contact>(store, org, "debtor_id", debtor_id)
        .await?
        .into_iter()
        .map(|(_, c)| c)
        .collect())
}

/// Contracts of a debtor, with the name of the issuing entity.
pub async fn contracts(store: &Store, org: i64, debtor_id: i64) -> Result<Vec<(Contract, String)>> {
    let sql = format!(
        "SELECT {}, e.name FROM contracts c JOIN entities e ON e.id = c.entity_id AND e.org_id = c.org_id \
         WHERE c.org_id = $1 AND c.debtor_id = $2 ORDER BY c.id",
        Contract::COLUMNS
            .iter()
            .map(|col| format!("c.{col}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    store
        .fetch_all(&sql, &args![org, debtor_id])
        .await?
        .iter()
        .map(|r| Ok((Contract::from_row(r, 0)?, r.get(Contract::COLUMNS.len())?)))
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct InvoiceLine {
    pub id: i64,
    pub entity_name: String,
    pub entity_tax_id: String,
    pub series: String,
    pub number: String,
    pub kind: String,
    pub debtor_id: i64,
    pub debtor_code: String,
    pub debtor_name: String,
    pub issue_date: Date,
    pub due_date: Date,
    pub currency: String,
    pub total: i64,
    pub paid: i64,
    pub po_number: Option<String>,
    pub contract_number: Option<String>,
    pub mentions: Option<String>,
    pub iban: Option<String>,
    pub buyer_tax_id: String,
    pub buyer_name: Option<String>,
    pub sent_to: Option<String>,
    pub sent_on: Option<Date>,
}

impl InvoiceLine {
    pub fn open(&self) -> i64 {
        self.total - self.paid
    }
}

const INVOICE_SELECT: &str = "SELECT i.id, e.name, e.tax_id, i.series, i.number, i.kind, d.id, d.code, d.name, \
     i.issue_date, i.due_date, i.currency, i.total, i.paid, i.po_number, i.contract_number, i.mentions, \
     i.iban, i.buyer_tax_id, i.buyer_name, i.sent_to, i.sent_on \
     FROM invoices i JOIN entities e ON e.id = i.entity_id AND e.org_id = i.org_id \
     JOIN debtors d ON d.id = i.debtor_id AND d.org_id = i.org_id";

fn invoice_line(r: &crate::Row) -> Result<InvoiceLine> {
    Ok(InvoiceLine {
        id: r.get(0)?,
        entity_name: r.get(1)?,
        entity_tax_id: r.get(2)?,
        series: r.get(3)?,
        number: r.get(4)?,
        kind: r.get(5)?,
        debtor_id: r.get(6)?,
        debtor_code: r.get(7)?,
        debtor_name: r.get(8)?,
        issue_date: r.date(9)?,
        due_date: r.date(10)?,
        currency: r.get(11)?,
        total: r.get(12)?,
        paid: r.get(13)?,
        po_number: r.get(14)?,
        contract_number: r.get(15)?,
        mentions: r.get(16)?,
        iban: r.get(17)?,
        buyer_tax_id: r.get(18)?,
        buyer_name: r.get(19)?,
        sent_to: r.get(20)?,
        sent_on: r.opt_date(21)?,
    })
}

pub async fn invoices_of(store: &Store, org: i64, debtor_id: i64) -> Result<Vec<InvoiceLine>> {
    let sql = format!("{INVOICE_SELECT} WHERE i.org_id = $1 AND i.debtor_id = $2");
    let mut list: Vec<InvoiceLine> = store
        .fetch_all(&sql, &args![org, debtor_id])
        .await?
        .iter()
        .map(invoice_line)
        .collect::<Result<_>>()?;
    list.sort_by(|a, b| (b.due_date, &b.number).cmp(&(a.due_date, &a.number)));
    Ok(list)
}

pub async fn invoice(store: &Store, org: i64, id: i64) -> Result<Option<InvoiceLine>> {
    let sql = format!("{INVOICE_SELECT} WHERE i.org_id = $1 AND i.id = $2");
    store
        .fetch_optional(&sql, &args![org, id])
        .await?
        .as_ref()
        .map(invoice_line)
        .transpose()
}

pub async fn documents_of_invoice(
    store: &Store,
    org: i64,
    invoice_id: i64,
) -> Result<Vec<Document>> {
    Ok(by_column::<Document>(store, org, "invoice_id", invoice_id)
        .await?
        .into_iter()
        .map(|(_, d)| d)
        .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct PaymentLine {
    pub date: Date,
    pub amount: i64,
    pub currency: String,
    pub reference: Option<String>,
    pub invoice_number: Option<String>,
    /// The part of it allocated to the invoice being shown (invoice page only).
    pub allocated: Option<i64>,
}

pub async fn payments_of_debtor(
    store: &Store,
    org: i64,
    debtor_id: i64,
) -> Result<Vec<PaymentLine>> {
    let mut list: Vec<PaymentLine> = store
        .fetch_all(
            "SELECT date, amount, currency, reference, invoice_number FROM payments WHERE org_id = $1 AND debtor_id = $2",
            &args![org, debtor_id],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(PaymentLine {
                date: r.date(0)?,
                amount: r.get(1)?,
                currency: r.get(2)?,
                reference: r.get(3)?,
                invoice_number: r.get(4)?,
                allocated: None,
            })
        })
        .collect::<Result<_>>()?;
    list.sort_by_key(|p| std::cmp::Reverse(p.date));
    Ok(list)
}

pub async fn payments_of_invoice(
    store: &Store,
    org: i64,
    invoice_id: i64,
) -> Result<Vec<PaymentLine>> {
    store
        .fetch_all(
            "SELECT p.date, p.amount, p.currency, p.reference, p.invoice_number, a.amount \
             FROM allocations a JOIN payments p ON p.id = a.payment_id AND p.org_id = a.org_id \
             WHERE a.org_id = $1 AND a.invoice_id = $2",
            &args![org, invoice_id],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(PaymentLine {
                date: r.date(0)?,
                amount: r.get(1)?,
                currency: r.get(2)?,
                reference: r.get(3)?,
                invoice_number: r.get(4)?,
                allocated: Some(r.get(5)?),
            })
        })
        .collect()
}

/// The organization's entities with their bank accounts.
pub async fn entities(
    store: &Store,
    org: i64,
) -> Result<Vec<(crate::records::Entity, Vec<String>)>> {
    let entities = store
        .fetch_all(
            &format!(
                "SELECT id, {} FROM entities WHERE org_id = $1",
                crate::records::Entity::COLUMNS.join(", ")
            ),
            &args![org],
        )
        .await?;
    let accounts = store
        .fetch_all(
            "SELECT entity_id, iban FROM entity_accounts WHERE org_id = $1",
            &args![org],
        )
        .await?;
    let mut out = Vec::new();
    for r in &entities {
        let id: i64 = r.get(0)?;
        let mut ibans: Vec<String> = accounts
            .iter()
            .filter(|a| a.get::<i64>(0).is_ok_and(|e| e == id))
            .map(|a| a.get(1))
            .collect::<Result<_>>()?;
        ibans.sort();
        out.push((crate::records::Entity::from_row(r, 1)?, ibans));
    }
    out.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    Ok(out)
}
