//! Finding the files of an import and reading them into typed rows.

use std::path::{Path, PathBuf};

use creanta_domain::model::DocType;
use creanta_formats::rows;
use creanta_formats::table::{RowError, TableFormat, read_table};
use creanta_formats::{anaf_zip, ubl as ublfmt};

use super::apply::{Attachment, Incoming, Input, SourceFile};
use super::{ImportError, ImportKind, Progress, ubl};

/// One input file, with the name the user will see in messages.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub path: PathBuf,
    pub label: String,
}

fn accepted(kind: ImportKind, path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "xlsx" => true,
        "xml" | "zip" => kind == ImportKind::Invoices,
        _ => false,
    }
}

/// Expands folders (recursively, in name order) into the files this kind of import reads.
/// A file named explicitly must be readable by this kind; inside folders, others are skipped.
pub fn collect_files(kind: ImportKind, paths: &[PathBuf]) -> Result<Vec<InputFile>, RowError> {
    let mut out = Vec::new();
    for p in paths {
        let label = p.display().to_string();
        let meta = std::fs::metadata(p)
            .map_err(|e| RowError::new(&label, 0, None, format!("cannot open: {e}")))?;
        if meta.is_dir() {
            walk(kind, p, &mut out)
                .map_err(|e| RowError::new(&label, 0, None, format!("cannot read folder: {e}")))?;
        } else if accepted(kind, p) {
            out.push(InputFile {
                path: p.clone(),
                label,
            });
        } else {
            let what = if kind == ImportKind::Invoices {
                "CSV, XLSX, e-Factura XML or ANAF ZIP"
            } else {
                "CSV or XLSX"
            };
            return Err(RowError::new(
                &label,
                0,
                None,
                format!("cannot import {kind} from this file: expected {what}"),
            ));
        }
    }
    if out.is_empty() {
        let label = paths
            .first()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "(no files)".into());
        return Err(RowError::new(&label, 0, None, "no file to import"));
    }
    Ok(out)
}

fn walk(kind: ImportKind, dir: &Path, out: &mut Vec<InputFile>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        if e.file_type()?.is_dir() {
            walk(kind, &path, out)?;
        } else if accepted(kind, &path) {
            out.push(InputFile {
                label: path.display().to_string(),
                path,
            });
        }
    }
    Ok(())
}

use creanta_store::blobs::sha256_hex;

/// Reads and checks every file; returns all errors of all files together.
pub fn read_all(
    kind: ImportKind,
    files: &[InputFile],
    progress: &dyn Progress,
) -> Result<Input, ImportError> {
    let mut input = Input::new(kind);
    let mut errors: Vec<RowError> = Vec::new();
    progress.start("reading", files.len() as u64);
    for f in files {
        let bytes = match std::fs::read(&f.path) {
            Ok(b) => b,
            Err(e) => {
                errors.push(RowError::new(
                    &f.label,
                    0,
                    None,
                    format!("cannot read: {e}"),
                ));
                continue;
            }
        };
        input.sources.push(SourceFile {
            label: f.label.clone(),
            sha256: sha256_hex(&bytes),
        });
        if let Err(mut e) = read_one(kind, f, &bytes, &mut input) {
            errors.append(&mut e);
        }
        progress.advance(1);
        if errors.len() > rows::MAX_ERRORS {
            break;
        }
    }
    progress.finish();
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(ImportError::rejected(errors))
    }
}

fn read_one(
    kind: ImportKind,
    f: &InputFile,
    bytes: &[u8],
    input: &mut Input,
) -> Result<(), Vec<RowError>> {
    let ext = f
        .path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "xml" => {
            let doc = ublfmt::parse_ubl(bytes).map_err(|e| vec![ubl_error(&f.label, &e)])?;
            let attachments = vec![Attachment {
                doc_type: DocType::InvoiceXml,
                file_name: file_name(&f.path),
                bytes: bytes.to_vec(),
                dated: None,
            }];
            input.invoices.push(
                ubl::incoming(&f.label, &doc, &sha256_hex(bytes), attachments)
                    .map_err(|e| vec![e])?,
            );
            Ok(())
        }
        "zip" => {
            let archive = anaf_zip::read_anaf_zip(bytes)
                .map_err(|e| vec![RowError::new(&f.label, 0, None, e.to_string())])?;
            let label = format!("{}!{}", f.label, archive.invoice_name);
            let doc =
                ublfmt::parse_ubl(&archive.invoice_xml).map_err(|e| vec![ubl_error(&label, &e)])?;
            let mut attachments = vec![Attachment {
                doc_type: DocType::InvoiceXml,
                file_name: archive.invoice_name.clone(),
                bytes: archive.invoice_xml.clone(),
                dated: None,
            }];
            if let Some((name, sig)) = archive.signature {
                attachments.push(Attachment {
                    doc_type: DocType::SpvSignature,
                    file_name: name,
                    bytes: sig,
                    dated: None,
                });
            }
            input.invoices.push(
                ubl::incoming(&label, &doc, &sha256_hex(&archive.invoice_xml), attachments)
                    .map_err(|e| vec![e])?,
            );
            Ok(())
        }
        _ => {
            let format = TableFormat::from_path(&f.path).unwrap_or(TableFormat::Csv);
            let table = read_table(&f.label, bytes, format).map_err(|e| vec![e])?;
            let base = f.path.parent().map(Path::to_path_buf).unwrap_or_default();
            read_table_rows(kind, &table, &base, input)
        }
    }
}

/// The typed rows of one table, added to `input`; documents are read relative to `base`.
pub(crate) fn read_table_rows(
    kind: ImportKind,
    table: &creanta_formats::table::Table,
    base: &Path,
    input: &mut Input,
) -> Result<(), Vec<RowError>> {
    match kind {
        ImportKind::Entities => input.entities.extend(rows::read_entities(table)?),
        ImportKind::Debtors => input.debtors.extend(rows::read_debtors(table)?),
        ImportKind::Contacts => input.contacts.extend(rows::read_contacts(table)?),
        ImportKind::Contracts => input.contracts.extend(rows::read_contracts(table)?),
        ImportKind::Payments => input.payments.extend(rows::read_payments(table)?),
        ImportKind::Invoices => input.invoices.extend(
            rows::read_invoices(table)?
                .into_iter()
                .map(Incoming::from_row),
        ),
        ImportKind::Documents => {
            let docs = rows::read_documents(table)?;
            let mut errors = Vec::new();
            for d in docs {
                match std::fs::read(base.join(&d.row.file)) {
                    Ok(bytes) => input.documents.push((d, bytes)),
                    Err(e) => errors.push(d.error(
                        Some("file"),
                        format!(
                            "cannot read {:?} (relative to the CSV's folder): {e}",
                            d.row.file
                        ),
                    )),
                }
            }
            if !errors.is_empty() {
                return Err(errors);
            }
        }
    }
    Ok(())
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// UBL errors carry an element path instead of a line: `file: /Invoice/cbc:DueDate: …`.
pub(crate) fn ubl_error(label: &str, e: &ublfmt::UblError) -> RowError {
    use ublfmt::UblError::*;
    match e {
        Missing { path } => RowError::new(label, 0, Some(path), "required element is missing"),
        BadValue {
            path,
            value,
            reason,
        } => RowError::new(label, 0, Some(path), format!("{value:?}: {reason}")),
        _ => RowError::new(label, 0, None, e.to_string()),
    }
}
