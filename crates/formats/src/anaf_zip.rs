//! The ZIP that the ANAF SPV hands out for an e-Factura message: the invoice XML
//! (`4186086961.xml`) next to ANAF's signature (`semnatura_4186086961.xml`).
//!
//! The signature file is picked by its name, never by its content: in some archives
//! it embeds a full copy of the invoice, so "the XML whose root is `<Invoice>`" would
//! be ambiguous.

use std::io::{Cursor, Read};

use quick_xml::XmlVersion;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::ubl::looks_like_ubl;

/// An e-Factura XML is a few hundred KiB at most; anything near this is a zip bomb or
/// not an SPV archive.
pub const MAX_ENTRY_SIZE: u64 = 50 * 1024 * 1024;
/// SPV archives hold two entries; a generous bound keeps a hostile central directory
/// from costing much.
pub const MAX_ENTRIES: usize = 1000;

const SIGNATURE_PREFIX: &str = "semnatura_";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnafArchive {
    /// The entry name as stored in the archive (e.g. `4186086961.xml`).
    pub invoice_name: String,
    pub invoice_xml: Vec<u8>,
    /// (entry name, content) of `semnatura_*.xml`, kept so that it can be archived
    /// next to the invoice; it is not verified here.
    pub signature: Option<(String, Vec<u8>)>,
}

#[derive(Debug, thiserror::Error)]
pub enum AnafZipError {
    #[error("cannot read the ZIP archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("cannot read {name} from the ZIP archive: {source}")]
    Io {
        name: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{name} in the ZIP archive is larger than {limit} bytes once uncompressed")]
    TooLarge { name: String, limit: u64 },
    #[error("the ZIP archive has more than {limit} entries")]
    TooManyEntries { limit: usize },
    #[error("not an invoice archive: {reason}")]
    NotAnInvoiceArchive { reason: String },
}

/// Extracts the invoice (and ANAF's signature) from an SPV download.
pub fn read_anaf_zip(bytes: &[u8]) -> Result<AnafArchive, AnafZipError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))?;
    if archive.len() > MAX_ENTRIES {
        return Err(AnafZipError::TooManyEntries { limit: MAX_ENTRIES });
    }

    let mut invoices: Vec<usize> = Vec::new();
    let mut signature: Option<usize> = None;
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index)?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name()?;
        let base = base_name(&name).to_ascii_lowercase();
        if !base.ends_with(".xml") {
            continue;
        }
        if base.starts_with(SIGNATURE_PREFIX) {
            signature.get_or_insert(index);
        } else {
            invoices.push(index);
        }
    }

    let invoice_index = match invoices.as_slice() {
        [] => {
            return Err(AnafZipError::NotAnInvoiceArchive {
                reason: "the archive holds no XML besides ANAF's signature".into(),
            });
        }
        [one] => *one,
        several => {
            let names: Vec<String> = several
                .iter()
                .filter_map(|&i| archive.name_for_index(i)?.ok().map(|n| n.into_owned()))
                .collect();
            return Err(AnafZipError::NotAnInvoiceArchive {
                reason: format!(
                    "the archive holds several XML files besides the signature: {}",
                    names.join(", ")
                ),
            });
        }
    };

    let (invoice_name, invoice_xml) = read_entry(&mut archive, invoice_index)?;
    if !looks_like_ubl(&invoice_xml) {
        return Err(AnafZipError::NotAnInvoiceArchive {
            reason: describe_non_invoice(&invoice_name, &invoice_xml),
        });
    }
    let signature = match signature {
        Some(index) => Some(read_entry(&mut archive, index)?),
        None => None,
    };
    Ok(AnafArchive {
        invoice_name,
        invoice_xml,
        signature,
    })
}

fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

fn read_entry(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    index: usize,
) -> Result<(String, Vec<u8>), AnafZipError> {
    let entry = archive.by_index(index)?;
    let name = entry.name()?.into_owned();
    // The declared size is only a hint from the archive itself; the `take` below is
    // what actually bounds the memory spent.
    if entry.size() > MAX_ENTRY_SIZE {
        return Err(AnafZipError::TooLarge {
            name,
            limit: MAX_ENTRY_SIZE,
        });
    }
    let mut data = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
    let read = entry
        .take(MAX_ENTRY_SIZE + 1)
        .read_to_end(&mut data)
        .map_err(|source| AnafZipError::Io {
            name: name.clone(),
            source,
        })?;
    if read as u64 > MAX_ENTRY_SIZE {
        return Err(AnafZipError::TooLarge {
            name,
            limit: MAX_ENTRY_SIZE,
        });
    }
    Ok((name, data))
}

/// Says what the XML is instead, quoting ANAF's own error messages when the archive is
/// the answer to a rejected upload (`<header>` with `<Error errorMessage="…"/>`), since
/// that message is what the user has to act on.
fn describe_non_invoice(name: &str, xml: &[u8]) -> String {
    let mut reader = Reader::from_reader(xml);
    let mut root: Option<String> = None;
    let mut messages: Vec<String> = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                if root.is_none() {
                    root = Some(e.name().as_ref().to_owned());
                }
                if e.local_name().as_ref() == "Error" {
                    let message = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.local_name().as_ref() == "errorMessage")
                        .and_then(|a| a.normalized_value(XmlVersion::Implicit1_0).ok())
                        .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "));
                    messages.extend(message.filter(|m| !m.is_empty()));
                }
            }
            Ok(Event::Eof) => break,
            Err(_) => {
                if root.is_none() {
                    return format!("{name} is not well-formed XML");
                }
                break;
            }
            Ok(_) => {}
        }
    }
    let Some(root) = root else {
        return format!("{name} has no root element");
    };
    let mut reason =
        format!("{name} has the root element <{root}> instead of <Invoice> or <CreditNote>");
    if !messages.is_empty() {
        reason.push_str(&format!(
            " (ANAF rejected the upload: {})",
            messages.join("; ")
        ));
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut out);
            for (name, data) in entries {
                w.start_file(*name, SimpleFileOptions::default()).unwrap();
                w.write_all(data).unwrap();
            }
            w.finish().unwrap();
        }
        out.into_inner()
    }

    const INVOICE: &[u8] =
        br#"<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>"#;

    #[test]
    fn picks_the_invoice_by_name_even_if_the_signature_embeds_one() {
        let bytes = zip_of(&[("semnatura_1.xml", INVOICE), ("1.xml", INVOICE)]);
        let a = read_anaf_zip(&bytes).unwrap();
        assert_eq!(a.invoice_name, "1.xml");
        assert_eq!(a.signature.unwrap().0, "semnatura_1.xml");
    }

    #[test]
    fn signature_alone_is_not_an_invoice_archive() {
        let bytes = zip_of(&[("semnatura_1.xml", INVOICE)]);
        let err = read_anaf_zip(&bytes).unwrap_err();
        assert!(
            err.to_string().starts_with("not an invoice archive: "),
            "{err}"
        );
    }

    #[test]
    fn rejected_upload_quotes_anaf() {
        let header = br#"<header xmlns="mfp:anaf:dgti:efactura:mesajEroriFactuta:v1"><Error errorMessage="E: regula&#xA; R6.1"/></header>"#;
        let bytes = zip_of(&[("3828.xml", header)]);
        let err = read_anaf_zip(&bytes).unwrap_err().to_string();
        assert!(err.starts_with("not an invoice archive: 3828.xml"), "{err}");
        assert!(err.contains("E: regula R6.1"), "{err}");
    }

    #[test]
    fn garbage_is_a_zip_error() {
        assert!(matches!(
            read_anaf_zip(b"not a zip"),
            Err(AnafZipError::Zip(_))
        ));
    }
}
