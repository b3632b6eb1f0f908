//! `creanta import <kind> FILE…`: all-or-nothing and idempotent.
//!
//! Every file is read and checked first; any problem rejects the whole command with every
//! error found (file, line or element, column). Only then does one transaction write, keyed by
//! natural keys, so importing the same files again changes nothing.

mod apply;
mod files;
mod ubl;

use std::fmt;
use std::str::FromStr;

use creanta_formats::table::RowError;
use creanta_store::StoreError;
use serde::Serialize;

pub use files::collect_files;

use crate::App;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Entities,
    Debtors,
    Contacts,
    Contracts,
    Invoices,
    Payments,
    Documents,
}

impl ImportKind {
    pub const ALL: [ImportKind; 7] = [
        ImportKind::Entities,
        ImportKind::Debtors,
        ImportKind::Contacts,
        ImportKind::Contracts,
        ImportKind::Invoices,
        ImportKind::Payments,
        ImportKind::Documents,
    ];
    pub fn name(self) -> &'static str {
        match self {
            ImportKind::Entities => "entities",
            ImportKind::Debtors => "debtors",
            ImportKind::Contacts => "contacts",
            ImportKind::Contracts => "contracts",
            ImportKind::Invoices => "invoices",
            ImportKind::Payments => "payments",
            ImportKind::Documents => "documents",
        }
    }
}

impl FromStr for ImportKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ImportKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = ImportKind::ALL.iter().map(|k| k.name()).collect();
                format!("unknown import kind {s:?}; use one of {}", names.join(", "))
            })
    }
}

impl fmt::Display for ImportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Create unknown sellers of e-invoices as entities even when the organization has some.
    pub add_entities: bool,
    /// Leave out invoices received from suppliers (an SPV archive holds both directions)
    /// instead of refusing the import; they are counted in the summary.
    pub skip_supplier_invoices: bool,
    /// Do not run the pre-flight check on what was written (the caller checks afterwards,
    /// once: the demo loader).
    pub defer_check: bool,
}

/// Reports progress of long imports; the CLI draws a bar, tests pass [`NoProgress`].
pub trait Progress: Send + Sync {
    fn start(&self, stage: &str, total: u64);
    fn advance(&self, n: u64);
    fn finish(&self);
}

pub struct NoProgress;
impl Progress for NoProgress {
    fn start(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ImportSummary {
    pub kind: String,
    pub files: usize,
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Master data created from e-invoice parties.
    pub entities_created: usize,
    pub debtors_created: usize,
    /// Document files stored (originals of e-invoices, SPV signatures, supporting documents).
    pub documents_stored: usize,
    pub payments_allocated: usize,
    pub payments_unallocated: usize,
    /// Credit notes applied to the invoice they correct.
    pub credit_notes_applied: usize,
    pub supplier_invoices_skipped: usize,
    /// The pre-flight check run on what the import wrote.
    pub findings_opened: usize,
    pub findings_closed: usize,
    /// Pending calendar actions (and their unsent messages) that the payments or credit
    /// notes made pointless.
    pub actions_cancelled: usize,
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} new, {} updated, {} unchanged",
            self.kind, self.new, self.updated, self.unchanged
        )?;
        let extras = [
            (self.entities_created, "entities created"),
            (self.debtors_created, "debtors created"),
            (self.documents_stored, "documents stored"),
            (self.payments_allocated, "payments allocated to invoices"),
            (self.payments_unallocated, "payments not allocated"),
            (
                self.credit_notes_applied,
                "credit notes applied to their invoices",
            ),
            (self.supplier_invoices_skipped, "supplier invoices skipped"),
            (self.findings_opened, "findings opened"),
            (self.findings_closed, "findings closed"),
        ];
        for (n, what) in extras.into_iter().filter(|(n, _)| *n > 0) {
            write!(f, "; {n} {what}")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Bad input: nothing was written.
    #[error("{} — nothing was imported", describe(errors, *truncated))]
    Rejected {
        errors: Vec<RowError>,
        truncated: bool,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn describe(errors: &[RowError], truncated: bool) -> String {
    let more = if truncated { " (and more)" } else { "" };
    match errors.len() {
        1 => format!("1 error{more}"),
        n => format!("{n} errors{more}"),
    }
}

impl ImportError {
    pub(crate) fn rejected(mut errors: Vec<RowError>) -> ImportError {
        let truncated = errors.len() > creanta_formats::rows::MAX_ERRORS;
        errors.truncate(creanta_formats::rows::MAX_ERRORS);
        ImportError::Rejected { errors, truncated }
    }
}

/// Imports `paths` (files or folders, searched recursively) as `kind`.
pub async fn import_paths(
    app: &App,
    kind: ImportKind,
    paths: &[std::path::PathBuf],
    options: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportSummary, ImportError> {
    let files = collect_files(kind, paths).map_err(|e| ImportError::rejected(vec![e]))?;
    let input = files::read_all(kind, &files, progress)?;
    apply::apply(app, kind, input, options, progress).await
}

pub use apply::{Incoming, Input, invoice_record, match_key};

/// Imports records given as a table in memory (the JSON API's objects, one row each), with
/// exactly the checks and writes of a file import; errors name `source`, the row and field.
pub async fn import_table(
    app: &App,
    kind: ImportKind,
    table: &creanta_formats::table::Table,
) -> Result<ImportSummary, ImportError> {
    if kind == ImportKind::Documents {
        return Err(ImportError::rejected(vec![RowError::new(
            &table.file,
            0,
            None,
            "documents carry files: upload them with the files import",
        )]));
    }
    let mut input = Input::new(kind);
    files::read_table_rows(kind, table, std::path::Path::new(""), &mut input)
        .map_err(ImportError::rejected)?;
    apply::apply(app, kind, input, &ImportOptions::default(), &NoProgress).await
}

/// Stores uploaded files as documents, described by a table in memory (the API's metadata
/// fields: `file`, `type`, `invoice_number`, `debtor_code`, `contract_number`; one row per
/// file), with exactly the checks, links and all-or-nothing rule of a documents import.
/// `files` holds the bytes under the name the `file` column gives. Returns the summary and
/// the id of the document of each row (an identical document stored before keeps its id).
pub async fn import_documents(
    app: &App,
    table: &creanta_formats::table::Table,
    files: &std::collections::HashMap<String, Vec<u8>>,
) -> Result<(ImportSummary, Vec<i64>), ImportError> {
    let rows = creanta_formats::rows::read_documents(table).map_err(ImportError::rejected)?;
    let mut input = Input::new(ImportKind::Documents);
    let mut errors = Vec::new();
    for row in rows {
        match files.get(&row.row.file) {
            Some(bytes) => input.documents.push((row, bytes.clone())),
            None => errors.push(row.error(
                Some("file"),
                format!("no uploaded file is named {:?}", row.row.file),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(ImportError::rejected(errors));
    }
    apply::apply_with_ids(
        app,
        ImportKind::Documents,
        input,
        &ImportOptions::default(),
        &NoProgress,
    )
    .await
}

/// The reading half of an import alone: files found, read and checked, nothing written.
pub fn read_paths(
    kind: ImportKind,
    paths: &[std::path::PathBuf],
    progress: &dyn Progress,
) -> Result<Input, ImportError> {
    let files = collect_files(kind, paths).map_err(|e| ImportError::rejected(vec![e]))?;
    files::read_all(kind, &files, progress)
}

/// Loads generated demo data through the same checks and writes as file imports, kind by
/// kind in dependency order.
pub async fn import_demo(
    app: &App,
    data: crate::demo::DemoData,
    progress: &dyn Progress,
) -> Result<DemoImport, ImportError> {
    use creanta_formats::rows::Located;
    fn located<T>(file: &str, rows: Vec<T>) -> Vec<Located<T>> {
        rows.into_iter()
            .enumerate()
            .map(|(i, row)| Located {
                file: file.to_owned(),
                line: i as u64 + 2,
                row,
            })
            .collect()
    }
    // One check at the end, rather than one per kind: the invoices are loaded before the
    // documents that make most of them complete.
    let options = ImportOptions {
        defer_check: true,
        ..ImportOptions::default()
    };
    let mut summaries = Vec::new();
    for kind in ImportKind::ALL {
        let mut input = Input::new(kind);
        let file = format!("demo/{}.csv", kind.name());
        match kind {
            ImportKind::Entities => input.entities = located(&file, data.entities.clone()),
            ImportKind::Debtors => input.debtors = located(&file, data.debtors.clone()),
            ImportKind::Contacts => input.contacts = located(&file, data.contacts.clone()),
            ImportKind::Contracts => input.contracts = located(&file, data.contracts.clone()),
            ImportKind::Invoices => {
                input.invoices = located(&file, data.invoices.clone())
                    .into_iter()
                    .map(apply::Incoming::from_row)
                    .collect()
            }
            ImportKind::Payments => input.payments = located(&file, data.payments.clone()),
            ImportKind::Documents => {
                // Shared files (placeholders) carry their bytes on their first row only.
                let mut bytes_of: std::collections::HashMap<&str, &[u8]> =
                    std::collections::HashMap::new();
                for d in data.documents.iter().filter(|d| !d.bytes.is_empty()) {
                    bytes_of.entry(d.file_name.as_str()).or_insert(&d.bytes);
                }
                input.documents = data
                    .documents
                    .iter()
                    .enumerate()
                    .map(|(i, d)| {
                        let row = Located {
                            file: file.clone(),
                            line: i as u64 + 2,
                            row: d.row.clone(),
                        };
                        let bytes = bytes_of
                            .get(d.file_name.as_str())
                            .map(|b| b.to_vec())
                            .unwrap_or_default();
                        (row, bytes)
                    })
                    .collect()
            }
        }
        summaries.push(apply::apply(app, kind, input, &options, progress).await?);
    }
    let check = crate::check::check(app, &crate::check::Scope::All, "demo")
        .await
        .map_err(|e| match e {
            crate::AppError::Store(e) => ImportError::Store(e),
            other => ImportError::Store(StoreError::Corrupt(other.to_string())),
        })?;
    Ok(DemoImport { summaries, check })
}

/// What loading the demo did: one summary per kind, and the check of every invoice.
#[derive(Debug, Clone)]
pub struct DemoImport {
    pub summaries: Vec<ImportSummary>,
    pub check: crate::check::CheckReport,
}
