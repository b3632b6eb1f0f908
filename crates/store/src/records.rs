//! Rows as stored, one struct per table. Each knows its columns, so the generic functions of
//! [`crate::repo`] can load, insert in batches, update and diff any of them.

use jiff::civil::Date;
use serde::Serialize;

use crate::sql::{Row, Value};
use crate::{Result, StoreError};

/// A stored row type. `id` and `org_id` are not fields: every query supplies the org scope.
pub trait Record: Sized + Clone + PartialEq + Serialize {
    const TABLE: &'static str;
    const COLUMNS: &'static [&'static str];
    fn values(&self) -> Vec<Value>;
    /// Reads the record from `row`, starting at column `offset`.
    fn from_row(row: &Row, offset: usize) -> Result<Self>;
}

/// Reads one column of a record.
pub trait FromColumn: Sized {
    fn from_column(row: &Row, idx: usize) -> Result<Self>;
}

macro_rules! plain_column {
    ($($t:ty),*) => {$(
        impl FromColumn for $t {
            fn from_column(row: &Row, idx: usize) -> Result<Self> { row.get(idx) }
        }
    )*};
}
plain_column!(i64, Option<i64>, String, Option<String>, bool);

impl FromColumn for Date {
    fn from_column(row: &Row, idx: usize) -> Result<Self> {
        row.date(idx)
    }
}
impl FromColumn for Option<Date> {
    fn from_column(row: &Row, idx: usize) -> Result<Self> {
        row.opt_date(idx)
    }
}

macro_rules! record {
    ($(#[$meta:meta])* $name:ident in $table:literal { $($field:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Serialize)]
        pub struct $name { $(pub $field: $ty),* }

        impl Record for $name {
            const TABLE: &'static str = $table;
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),*];
            fn values(&self) -> Vec<Value> {
                vec![$(Value::from(self.$field.clone())),*]
            }
            fn from_row(row: &Row, offset: usize) -> Result<Self> {
                let mut idx = offset;
                let mut next = || { idx += 1; idx - 1 };
                Ok($name { $($field: <$ty as FromColumn>::from_column(row, next())?),* })
            }
        }
    };
}

record!(
    /// One of the organization's own companies.
    Entity in "entities" {
        tax_id: String,
        tax_id_valid: bool,
        name: String,
        registration_no: Option<String>,
        address: Option<String>,
        city: Option<String>,
        country: Option<String>,
        attrs: String,
    }
);

record!(EntityAccount in "entity_accounts" { entity_id: i64, iban: String });

record!(DebtorGroup in "debtor_groups" { name: String });

record!(
    Debtor in "debtors" {
        code: String,
        name: String,
        tax_id: String,
        tax_id_valid: bool,
        registration_no: Option<String>,
        group_id: Option<i64>,
        country: Option<String>,
        city: Option<String>,
        address: Option<String>,
        language: String,
        owner_email: Option<String>,
        policy: Option<String>,
        payment_terms_days: Option<i64>,
        requires_po: bool,
        required_mention: Option<String>,
        required_documents: String,
        requires_confirmation: bool,
        attrs: String,
    }
);

record!(
    Contact in "contacts" {
        debtor_id: i64,
        name: String,
        email: Option<String>,
        phone: Option<String>,
        role: String,
        is_primary: bool,
        attrs: String,
    }
);

record!(
    Contract in "contracts" {
        debtor_id: i64,
        entity_id: i64,
        number: String,
        signed_on: Option<Date>,
        valid_from: Option<Date>,
        valid_until: Option<Date>,
        payment_terms_days: Option<i64>,
        currency: Option<String>,
        penalty_rate_per_day: Option<String>,
        policy: Option<String>,
        requires_po: bool,
        required_mention: Option<String>,
        required_documents: String,
        requires_confirmation: bool,
        attrs: String,
    }
);

record!(
    /// An invoice or credit note (negative total). `paid` is kept beside it, not here: it
    /// changes with allocations, not with imports of the invoice.
    Invoice in "invoices" {
        entity_id: i64,
        debtor_id: i64,
        contract_id: Option<i64>,
        series: String,
        number: String,
        match_key: String,
        doc_key: String,
        kind: String,
        issue_date: Date,
        due_date: Date,
        currency: String,
        total: i64,
        buyer_tax_id: String,
        buyer_name: Option<String>,
        po_number: Option<String>,
        contract_number: Option<String>,
        mentions: Option<String>,
        iban: Option<String>,
        sent_to: Option<String>,
        sent_on: Option<Date>,
        source: String,
        injected_errors: String,
        attrs: String,
        // The e-invoice totals (JSON of the check's `UblTotals`); `None` for table rows.
        ubl_totals: Option<String>,
        policy: Option<String>,
        // A credit note's corrected invoice, as written (series and number).
        corrects: Option<String>,
    }
);

record!(
    Payment in "payments" {
        transaction_id: String,
        date: Date,
        amount: i64,
        currency: String,
        payer_name: Option<String>,
        payer_tax_id: Option<String>,
        payer_iban: Option<String>,
        reference: Option<String>,
        invoice_number: Option<String>,
        debtor_id: Option<i64>,
        attrs: String,
    }
);

record!(Allocation in "allocations" { payment_id: i64, invoice_id: i64, amount: i64 });

record!(
    /// A credit note applied to the invoice it corrects, on the credit note's issue date.
    CreditAllocation in "credit_allocations" {
        credit_note_id: i64,
        invoice_id: i64,
        amount: i64,
        date: Date,
    }
);

record!(
    Document in "documents" {
        sha256: String,
        doc_type: String,
        file_name: String,
        media_type: String,
        size: i64,
        debtor_id: Option<i64>,
        invoice_id: Option<i64>,
        contract_id: Option<i64>,
        link_key: String,
    }
);

impl Document {
    /// The link part of a document's natural key: the same file attached to the same things
    /// is the same document.
    pub fn link_key_for(
        debtor_id: Option<i64>,
        invoice_id: Option<i64>,
        contract_id: Option<i64>,
    ) -> String {
        let f = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        format!("d{}/i{}/c{}", f(debtor_id), f(invoice_id), f(contract_id))
    }
}

/// Fields of `new` that differ from `old`, as `{field: [old, new]}`: the body of an update event.
pub fn diff<R: Record>(old: &R, new: &R) -> Result<serde_json::Map<String, serde_json::Value>> {
    let to_map = |r: &R| match serde_json::to_value(r) {
        Ok(serde_json::Value::Object(m)) => Ok(m),
        other => Err(StoreError::Corrupt(format!(
            "record did not serialize to an object: {other:?}"
        ))),
    };
    let (old, new) = (to_map(old)?, to_map(new)?);
    Ok(new
        .into_iter()
        .filter_map(|(k, v)| {
            let before = old.get(&k).cloned().unwrap_or(serde_json::Value::Null);
            (before != v).then(|| (k, serde_json::Value::Array(vec![before, v])))
        })
        .collect())
}
