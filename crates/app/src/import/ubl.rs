//! e-Factura (UBL) documents as incoming invoices: sign of credit notes, which party id is the
//! tax id, and the parties that may become master data.

use creanta_domain::check::UblTotals;
use creanta_domain::ids::{Iban, TaxId};
use creanta_domain::money::{Currency, parse_amount};
use creanta_formats::rows::{Attrs, InvoiceRow};
use creanta_formats::table::RowError;
use creanta_formats::ubl::{UblAmount, UblDocKind, UblDocument, UblParty};

use super::apply::{Attachment, Incoming, Party};

/// The tax id of a party: the VAT id or the legal id, whichever is a well-formed tax id
/// (a trade-register number such as "J12/100/2020" is not), normalised. Ids that fail their
/// check digit are still returned: they are imported and flagged.
pub(crate) fn party_tax_id(p: &UblParty) -> Option<String> {
    let candidates: Vec<&String> = [&p.vat_id, &p.legal_id].into_iter().flatten().collect();
    let shaped = |c: &&&String| {
        let n = TaxId::normalize_loose(c);
        let digits = n.len() <= 13 && n.len() >= 2 && n.bytes().all(|b| b.is_ascii_digit());
        let foreign = n.len() >= 4
            && n.as_bytes()[..2].iter().all(u8::is_ascii_uppercase)
            && n.bytes().all(|b| b.is_ascii_alphanumeric());
        digits || foreign
    };
    candidates
        .iter()
        .find(|c| TaxId::parse(c).is_ok())
        .or_else(|| candidates.iter().find(shaped))
        .map(|c| TaxId::normalize_loose(c))
}

/// How a party is known when it has no tax id: its identifier (BT-29/46, BT-34/49), else
/// its name reduced to letters and digits. Stored in place of the tax id and flagged invalid,
/// so the next invoice of the same party finds the same debtor.
pub(crate) fn party_identity(p: &UblParty) -> Option<String> {
    party_tax_id(p).or_else(|| {
        let slug = |s: &String| -> String {
            s.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_uppercase)
                .collect()
        };
        p.identifier
            .as_ref()
            .map(slug)
            .filter(|s| !s.is_empty())
            .or_else(|| p.name.as_ref().map(slug).filter(|s| !s.is_empty()))
    })
}

fn party(p: &UblParty, ibans: &[String]) -> Option<Party> {
    Some(Party {
        tax_id: party_identity(p)?,
        name: p.name.clone(),
        address: p.street.clone(),
        city: p.city.clone(),
        country: p.country.clone(),
        ibans: ibans
            .iter()
            .filter_map(|i| Iban::parse(i).ok())
            .map(|i| i.as_str().to_owned())
            .collect(),
    })
}

fn amount(label: &str, a: &UblAmount, currency: Currency) -> Result<i64, RowError> {
    parse_amount(&a.value, currency)
        .map_err(|e| RowError::new(label, 0, Some(&a.path), e.to_string()))
}

/// The totals the check's `amount_error` rules read. An amount that does not fit the
/// currency's minor units is left out (its rule is then not applied): the import has already
/// refused a payable amount it cannot read, and the other totals only feed the check.
fn ubl_totals(doc: &UblDocument, currency: Currency) -> UblTotals {
    let minor = |a: &Option<UblAmount>| {
        a.as_ref()
            .and_then(|a| parse_amount(&a.value, currency).ok())
    };
    // BT-110 is the TaxTotal in the document currency; one without a currencyID is taken
    // as that only when it is the document's only TaxTotal.
    let tax_total = doc
        .tax_totals
        .iter()
        .find(|t| t.currency_id.as_deref() == Some(currency.as_str()))
        .or_else(|| match doc.tax_totals.as_slice() {
            [only] if only.currency_id.is_none() => Some(only),
            _ => None,
        })
        .and_then(|t| parse_amount(&t.value, currency).ok());
    let lines: Option<Vec<i64>> = doc
        .lines
        .iter()
        .map(|l| parse_amount(&l.line_extension_amount.value, currency).ok())
        .collect();
    UblTotals {
        line_extension: minor(&doc.line_extension),
        allowance_total: minor(&doc.allowance_total),
        charge_total: minor(&doc.charge_total),
        tax_exclusive: minor(&doc.tax_exclusive),
        tax_total,
        tax_inclusive: minor(&doc.tax_inclusive),
        prepaid: minor(&doc.prepaid),
        rounding: minor(&doc.rounding),
        payable: minor(&Some(doc.payable.clone())),
        lines: lines.unwrap_or_default(),
    }
}

pub(crate) fn incoming(
    label: &str,
    doc: &UblDocument,
    xml_sha256: &str,
    attachments: Vec<Attachment>,
) -> Result<Incoming, RowError> {
    let root = match doc.kind {
        UblDocKind::Invoice => "/Invoice",
        UblDocKind::CreditNote => "/CreditNote",
    };
    let currency = Currency::parse(&doc.currency).map_err(|e| {
        RowError::new(
            label,
            0,
            Some(&format!("{root}/cbc:DocumentCurrencyCode")),
            e.to_string(),
        )
    })?;
    let payable = amount(label, &doc.payable, currency)?;
    // A CreditNote (or an Invoice typed 381) states a positive amount that we owe back; the
    // receivable is its opposite. Storno invoices (380 with a negative total) are already negative.
    let is_credit = doc.kind == UblDocKind::CreditNote || doc.type_code.as_deref() == Some("381");
    let total = if is_credit { -payable } else { payable };
    let seller = doc.seller.clone();
    let buyer = doc.buyer.clone();
    let entity_tax_id = party_identity(&seller).ok_or_else(|| {
        RowError::new(
            label,
            0,
            Some(&format!("{root}/cac:AccountingSupplierParty")),
            "the seller has no tax id, identifier or name",
        )
    })?;
    let buyer_tax_id = party_identity(&buyer).ok_or_else(|| {
        RowError::new(
            label,
            0,
            Some(&format!("{root}/cac:AccountingCustomerParty")),
            "the buyer has no tax id, identifier or name",
        )
    })?;
    let mut attrs = Attrs::new();
    let mut put = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            attrs.insert(k.to_owned(), v.clone());
        }
    };
    put("buyer_reference", &doc.buyer_reference);
    put("type_code", &doc.type_code);
    put("receipt_ref", &doc.receipt_ref);
    put("despatch_ref", &doc.despatch_ref);
    put("buyer_email", &buyer.email);
    let row = InvoiceRow {
        entity_tax_id,
        series: String::new(),
        number: doc.id.clone(),
        issue_date: doc.issue_date,
        due_date: doc.due_date.unwrap_or(doc.issue_date),
        buyer_tax_id,
        buyer_name: buyer.name.clone(),
        debtor_code: None,
        currency,
        total,
        po_number: doc.order_ref.clone(),
        contract_number: doc.contract_ref.clone(),
        mentions: (!doc.notes.is_empty()).then(|| doc.notes.join("\n")),
        iban: doc
            .payee_ibans
            .first()
            .map(|i| creanta_domain::ids::compact(i)),
        sent_to: None,
        sent_on: None,
        injected_errors: None,
        policy: None,
        corrects: doc.preceding_invoice.clone(),
        attrs,
    };
    Ok(Incoming {
        file: label.to_owned(),
        line: 0,
        row,
        due_date_given: doc.due_date.is_some(),
        source: "ubl",
        doc_key: xml_sha256.to_owned(),
        ubl_totals: Some(ubl_totals(doc, currency)),
        seller: party(&seller, &doc.payee_ibans),
        buyer: party(&buyer, &[]),
        attachments,
    })
}
