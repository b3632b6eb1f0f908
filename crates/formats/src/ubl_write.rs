//! Writes e-Factura documents: a UBL 2.1 `Invoice`, or a `CreditNote` when the lines add up
//! to a negative amount, following EN 16931 and CIUS-RO (element order of the UBL schemas).
//!
//! Amounts come in as signed minor units; a credit note states them positive, as the
//! standard wants, and readers turn them back negative ([`crate::ubl`] marks the kind).

use std::io::{self, Write};

use creanta_domain::money::{Currency, format_amount};
use jiff::civil::Date;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

const NS_INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
const NS_CREDIT_NOTE: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
const NS_CAC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
const NS_CBC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
/// BT-24 of CIUS-RO 1.0.1, the version ANAF validates against.
pub const CUSTOMIZATION_ID: &str =
    "urn:cen.eu:en16931:2017#compliant#urn:efactura.mfinante.ro:CIUS-RO:1.0.1";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyOut {
    /// BT-27 / BT-44.
    pub name: String,
    /// BT-31 / BT-48, as it must appear (`RO` prefix for Romanian VAT payers); `None` for a
    /// party that is not registered for VAT.
    pub vat_id: Option<String>,
    /// BT-30 / BT-47: the trade-register number of a seller, the CUI or CNP of a buyer.
    pub legal_id: Option<String>,
    pub street: Option<String>,
    /// For Bucharest CIUS-RO wants `SECTOR1` … `SECTOR6` here (BR-RO-100).
    pub city: String,
    /// ISO 3166-2 code (`RO-CJ`, `RO-B`), required by CIUS-RO for Romanian addresses.
    pub subentity: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineOut {
    pub name: String,
    /// Whole units; UN/ECE rec. 20 code in `unit_code` (`H87` piece, `HUR` hour, `C62` one).
    pub quantity: i64,
    pub unit_code: String,
    /// Minor units per unit, never negative: the sign of a credit note is in `amount`.
    pub unit_price: i64,
    /// Minor units, signed; `quantity * unit_price` in absolute value.
    pub amount: i64,
}

/// The VAT category of every line (the demo and most invoices have one rate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VatOut {
    /// UNCL5305: `S` standard, `AE` reverse charge, `K` intra-community, `E` exempt, `O` outside scope.
    pub category: String,
    /// Whole percent (Romanian rates are: 21, 19, 11, 9, 5, 0).
    pub percent: u8,
    /// Signed minor units; see [`vat_amount`].
    pub amount: i64,
    /// BT-121 / BT-120, for the exempt and reverse-charge categories.
    pub exemption_code: Option<String>,
    pub exemption_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceOut {
    /// BT-1.
    pub id: String,
    /// BT-2.
    pub issue_date: Date,
    /// BT-9.
    pub due_date: Option<Date>,
    /// BT-5.
    pub currency: Currency,
    /// BT-22.
    pub notes: Vec<String>,
    /// BT-10.
    pub buyer_reference: Option<String>,
    /// BT-13.
    pub order_ref: Option<String>,
    /// BT-12.
    pub contract_ref: Option<String>,
    /// BT-25 / BT-26: the invoice a credit note corrects.
    pub preceding_invoice: Option<(String, Option<Date>)>,
    pub seller: PartyOut,
    pub buyer: PartyOut,
    /// BT-84.
    pub payee_iban: Option<String>,
    /// BT-83, the text the buyer should put on the transfer.
    pub payment_id: Option<String>,
    pub lines: Vec<LineOut>,
    pub vat: VatOut,
}

impl InvoiceOut {
    /// BT-106 = BT-109: the sum of the lines (no document-level allowances or charges).
    pub fn net(&self) -> i64 {
        self.lines.iter().map(|l| l.amount).sum()
    }

    /// BT-112 = BT-115: what the buyer pays (negative for a credit note).
    pub fn total(&self) -> i64 {
        self.net() + self.vat.amount
    }

    pub fn is_credit_note(&self) -> bool {
        self.total() < 0
    }
}

/// VAT on `net` minor units at `percent`, rounded half away from zero to the minor unit as
/// EN 16931 rounds BT-117.
pub fn vat_amount(net: i64, percent: u8) -> i64 {
    let scaled = i128::from(net) * i128::from(percent);
    let rounded = (scaled.abs() + 50) / 100;
    let signed = if scaled < 0 { -rounded } else { rounded };
    i64::try_from(signed).expect("VAT is smaller than the net amount")
}

/// The document as bytes (UTF-8, with an XML declaration).
pub fn to_bytes(inv: &InvoiceOut) -> Vec<u8> {
    let mut out = Vec::with_capacity(4096);
    write_ubl(&mut out, inv).expect("writing to a Vec cannot fail");
    out
}

pub fn write_ubl<W: Write>(out: W, inv: &InvoiceOut) -> io::Result<()> {
    let credit = inv.is_credit_note();
    // The magnitudes go into the XML; the kind of document carries the sign.
    let sign = if credit { -1 } else { 1 };
    let cur = inv.currency;
    let amt = |minor: i64| format_amount(minor * sign, cur);
    let (root, ns, type_el, type_code, line_el, qty_el) = if credit {
        (
            "CreditNote",
            NS_CREDIT_NOTE,
            "cbc:CreditNoteTypeCode",
            "381",
            "cac:CreditNoteLine",
            "cbc:CreditedQuantity",
        )
    } else {
        (
            "Invoice",
            NS_INVOICE,
            "cbc:InvoiceTypeCode",
            "380",
            "cac:InvoiceLine",
            "cbc:InvoicedQuantity",
        )
    };

    let mut w = Writer::new_with_indent(out, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element(root)
        .with_attribute(("xmlns", ns))
        .with_attribute(("xmlns:cac", NS_CAC))
        .with_attribute(("xmlns:cbc", NS_CBC))
        .write_inner_content(|w| {
            leaf(w, "cbc:CustomizationID", CUSTOMIZATION_ID)?;
            leaf(w, "cbc:ID", &inv.id)?;
            leaf(w, "cbc:IssueDate", &inv.issue_date.to_string())?;
            // A CreditNote has no DueDate at the root; BT-9 goes into PaymentMeans instead.
            if let (false, Some(due)) = (credit, inv.due_date) {
                leaf(w, "cbc:DueDate", &due.to_string())?;
            }
            leaf(w, type_el, type_code)?;
            for note in &inv.notes {
                leaf(w, "cbc:Note", note)?;
            }
            leaf(w, "cbc:DocumentCurrencyCode", cur.as_str())?;
            if let Some(r) = &inv.buyer_reference {
                leaf(w, "cbc:BuyerReference", r)?;
            }
            if let Some(order) = &inv.order_ref {
                node(w, "cac:OrderReference", |w| leaf(w, "cbc:ID", order))?;
            }
            if let Some((id, date)) = &inv.preceding_invoice {
                node(w, "cac:BillingReference", |w| {
                    node(w, "cac:InvoiceDocumentReference", |w| {
                        leaf(w, "cbc:ID", id)?;
                        if let Some(d) = date {
                            leaf(w, "cbc:IssueDate", &d.to_string())?;
                        }
                        Ok(())
                    })
                })?;
            }
            if let Some(contract) = &inv.contract_ref {
                node(w, "cac:ContractDocumentReference", |w| {
                    leaf(w, "cbc:ID", contract)
                })?;
            }
            node(w, "cac:AccountingSupplierParty", |w| party(w, &inv.seller))?;
            node(w, "cac:AccountingCustomerParty", |w| party(w, &inv.buyer))?;
            if inv.payee_iban.is_some() || (credit && inv.due_date.is_some()) {
                node(w, "cac:PaymentMeans", |w| {
                    // 30 = credit transfer; 42 would be "payment to bank account", both accepted.
                    leaf(w, "cbc:PaymentMeansCode", "30")?;
                    if let (true, Some(due)) = (credit, inv.due_date) {
                        leaf(w, "cbc:PaymentDueDate", &due.to_string())?;
                    }
                    if let Some(pid) = &inv.payment_id {
                        leaf(w, "cbc:PaymentID", pid)?;
                    }
                    if let Some(iban) = &inv.payee_iban {
                        node(w, "cac:PayeeFinancialAccount", |w| leaf(w, "cbc:ID", iban))?;
                    }
                    Ok(())
                })?;
            }
            node(w, "cac:TaxTotal", |w| {
                money(w, "cbc:TaxAmount", &amt(inv.vat.amount), cur)?;
                node(w, "cac:TaxSubtotal", |w| {
                    money(w, "cbc:TaxableAmount", &amt(inv.net()), cur)?;
                    money(w, "cbc:TaxAmount", &amt(inv.vat.amount), cur)?;
                    tax_category(w, "cac:TaxCategory", &inv.vat, true)
                })
            })?;
            node(w, "cac:LegalMonetaryTotal", |w| {
                money(w, "cbc:LineExtensionAmount", &amt(inv.net()), cur)?;
                money(w, "cbc:TaxExclusiveAmount", &amt(inv.net()), cur)?;
                money(w, "cbc:TaxInclusiveAmount", &amt(inv.total()), cur)?;
                money(w, "cbc:PayableAmount", &amt(inv.total()), cur)
            })?;
            for (i, line) in inv.lines.iter().enumerate() {
                node(w, line_el, |w| {
                    leaf(w, "cbc:ID", &(i + 1).to_string())?;
                    w.create_element(qty_el)
                        .with_attribute(("unitCode", line.unit_code.as_str()))
                        .write_text_content(BytesText::new(&line.quantity.to_string()))?;
                    money(w, "cbc:LineExtensionAmount", &amt(line.amount), cur)?;
                    node(w, "cac:Item", |w| {
                        leaf(w, "cbc:Name", &line.name)?;
                        tax_category(w, "cac:ClassifiedTaxCategory", &inv.vat, false)
                    })?;
                    node(w, "cac:Price", |w| {
                        money(
                            w,
                            "cbc:PriceAmount",
                            &format_amount(line.unit_price, cur),
                            cur,
                        )
                    })
                })?;
            }
            Ok(())
        })?;
    Ok(())
}

fn leaf<W: Write>(w: &mut Writer<W>, name: &str, text: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(text))?;
    Ok(())
}

fn money<W: Write>(w: &mut Writer<W>, name: &str, text: &str, cur: Currency) -> io::Result<()> {
    w.create_element(name)
        .with_attribute(("currencyID", cur.as_str()))
        .write_text_content(BytesText::new(text))?;
    Ok(())
}

fn node<W: Write>(
    w: &mut Writer<W>,
    name: &str,
    inner: impl FnOnce(&mut Writer<W>) -> io::Result<()>,
) -> io::Result<()> {
    w.create_element(name).write_inner_content(inner)?;
    Ok(())
}

fn tax_category<W: Write>(
    w: &mut Writer<W>,
    name: &str,
    vat: &VatOut,
    with_reason: bool,
) -> io::Result<()> {
    node(w, name, |w| {
        leaf(w, "cbc:ID", &vat.category)?;
        leaf(w, "cbc:Percent", &vat.percent.to_string())?;
        // The exemption reason belongs to the document-level breakdown (BG-23), not the lines.
        if with_reason {
            if let Some(code) = &vat.exemption_code {
                leaf(w, "cbc:TaxExemptionReasonCode", code)?;
            }
            if let Some(reason) = &vat.exemption_reason {
                leaf(w, "cbc:TaxExemptionReason", reason)?;
            }
        }
        node(w, "cac:TaxScheme", |w| leaf(w, "cbc:ID", "VAT"))
    })
}

fn party<W: Write>(w: &mut Writer<W>, p: &PartyOut) -> io::Result<()> {
    node(w, "cac:Party", |w| {
        node(w, "cac:PostalAddress", |w| {
            if let Some(street) = &p.street {
                leaf(w, "cbc:StreetName", street)?;
            }
            leaf(w, "cbc:CityName", &p.city)?;
            if let Some(sub) = &p.subentity {
                leaf(w, "cbc:CountrySubentity", sub)?;
            }
            node(w, "cac:Country", |w| {
                leaf(w, "cbc:IdentificationCode", &p.country)
            })
        })?;
        if let Some(vat) = &p.vat_id {
            node(w, "cac:PartyTaxScheme", |w| {
                leaf(w, "cbc:CompanyID", vat)?;
                node(w, "cac:TaxScheme", |w| leaf(w, "cbc:ID", "VAT"))
            })?;
        }
        node(w, "cac:PartyLegalEntity", |w| {
            leaf(w, "cbc:RegistrationName", &p.name)?;
            if let Some(id) = &p.legal_id {
                leaf(w, "cbc:CompanyID", id)?;
            }
            Ok(())
        })?;
        if let Some(email) = &p.email {
            node(w, "cac:Contact", |w| leaf(w, "cbc:ElectronicMail", email))?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ubl::{UblDocKind, parse_ubl};

    fn party(name: &str, vat: Option<&str>, legal: &str) -> PartyOut {
        PartyOut {
            name: name.into(),
            vat_id: vat.map(Into::into),
            legal_id: Some(legal.into()),
            street: Some("Str. Fabricii nr. 7".into()),
            city: "Cluj-Napoca".into(),
            subentity: Some("RO-CJ".into()),
            country: "RO".into(),
            email: None,
        }
    }

    fn invoice(sign: i64) -> InvoiceOut {
        let lines = vec![
            LineOut {
                name: "Montaj & service <lunar>".into(),
                quantity: 3,
                unit_code: "HUR".into(),
                unit_price: 15000,
                amount: sign * 45000,
            },
            LineOut {
                name: "Materiale".into(),
                quantity: 1,
                unit_code: "H87".into(),
                unit_price: 10001,
                amount: sign * 10001,
            },
        ];
        let net: i64 = lines.iter().map(|l| l.amount).sum();
        InvoiceOut {
            id: "TCG000123".into(),
            issue_date: Date::constant(2025, 3, 10),
            due_date: Some(Date::constant(2025, 4, 9)),
            currency: Currency::RON,
            notes: vec!["Cod proiect: P-2291".into()],
            buyer_reference: Some("PO-77".into()),
            order_ref: Some("PO-77".into()),
            contract_ref: Some("C-12/2024".into()),
            preceding_invoice: (sign < 0)
                .then(|| ("TCG000100".to_owned(), Some(Date::constant(2025, 3, 1)))),
            seller: party(
                "Termoconstruct Grup SRL",
                Some("RO18547290"),
                "J40/1234/2010",
            ),
            buyer: party("Ălfa Construcții SRL", None, "18547290"),
            payee_iban: Some("RO49AAAA1B31007593840000".into()),
            payment_id: None,
            lines,
            vat: VatOut {
                category: "S".into(),
                percent: 19,
                amount: vat_amount(net, 19),
                exemption_code: None,
                exemption_reason: None,
            },
        }
    }

    #[test]
    fn an_invoice_reads_back_with_consistent_totals() {
        let inv = invoice(1);
        let doc = parse_ubl(&to_bytes(&inv)).unwrap();
        assert_eq!(doc.kind, UblDocKind::Invoice);
        assert_eq!(doc.id, "TCG000123");
        assert_eq!(doc.due_date, Some(Date::constant(2025, 4, 9)));
        assert_eq!(doc.order_ref.as_deref(), Some("PO-77"));
        assert_eq!(doc.contract_ref.as_deref(), Some("C-12/2024"));
        assert_eq!(doc.notes, vec!["Cod proiect: P-2291".to_owned()]);
        assert_eq!(doc.seller.vat_id.as_deref(), Some("RO18547290"));
        assert_eq!(doc.buyer.name.as_deref(), Some("Ălfa Construcții SRL"));
        assert_eq!(doc.buyer.vat_id, None);
        assert_eq!(doc.buyer.legal_id.as_deref(), Some("18547290"));
        assert_eq!(doc.payee_ibans, vec!["RO49AAAA1B31007593840000".to_owned()]);
        // 550.01 net, 19% VAT = 104.5019 -> 104.50.
        assert_eq!(doc.line_extension.unwrap().value, "550.01");
        assert_eq!(doc.tax_inclusive.unwrap().value, "654.51");
        assert_eq!(doc.payable.value, "654.51");
        let lines: Vec<&str> = doc
            .lines
            .iter()
            .map(|l| l.line_extension_amount.value.as_str())
            .collect();
        assert_eq!(lines, ["450.00", "100.01"]);
    }

    #[test]
    fn a_negative_total_becomes_a_credit_note_with_positive_amounts() {
        let inv = invoice(-1);
        assert_eq!(inv.total(), -65451);
        let doc = parse_ubl(&to_bytes(&inv)).unwrap();
        assert_eq!(doc.kind, UblDocKind::CreditNote);
        assert_eq!(doc.type_code.as_deref(), Some("381"));
        assert_eq!(doc.payable.value, "654.51");
        assert_eq!(doc.due_date, Some(Date::constant(2025, 4, 9)));
    }

    #[test]
    fn vat_rounds_half_away_from_zero() {
        assert_eq!(vat_amount(50, 19), 10); // 9.5 -> 10
        assert_eq!(vat_amount(-50, 19), -10);
        assert_eq!(vat_amount(10000, 21), 2100);
        assert_eq!(vat_amount(12, 0), 0);
    }
}
