//! Streaming reader for e-Factura documents: UBL 2.1 `Invoice` and `CreditNote`
//! (EN 16931 / CIUS-RO).
//!
//! Only the business terms that receivables recovery needs are extracted. Elements are
//! matched by their local names at a fixed position below the root, because producers
//! pick their own prefixes (or a default namespace) and because the same local name
//! (`cbc:ID`, `cbc:Name`, …) recurs at many depths with different meanings.

use jiff::civil::Date;
use quick_xml::XmlVersion;
use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::reader::NsReader;

const NS_INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
const NS_CREDIT_NOTE: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
const NS_CAC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
const NS_CBC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UblDocKind {
    Invoice,
    CreditNote,
}

impl UblDocKind {
    fn root_name(self) -> &'static str {
        match self {
            UblDocKind::Invoice => "Invoice",
            UblDocKind::CreditNote => "CreditNote",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UblAmount {
    /// The decimal exactly as written (trimmed); it is checked to be an `xsd:decimal` but
    /// never converted, so no precision is lost on the way to the ledger.
    pub value: String,
    pub currency_id: Option<String>,
    /// Where the amount came from, with the conventional `cac:`/`cbc:` prefixes whatever
    /// the file used, so that messages read the same for every producer.
    pub path: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UblParty {
    /// `PartyLegalEntity/RegistrationName`, else the first `PartyName/Name`.
    pub name: Option<String>,
    /// `PartyTaxScheme/CompanyID`, preferring the scheme `VAT` when several are given.
    pub vat_id: Option<String>,
    /// `PartyLegalEntity/CompanyID`.
    pub legal_id: Option<String>,
    pub street: Option<String>,
    pub city: Option<String>,
    /// `PostalAddress/Country/IdentificationCode`.
    pub country: Option<String>,
    /// `Contact/ElectronicMail`.
    pub email: Option<String>,
    /// `PartyIdentification/ID`, else `EndpointID` (BT-29/46, BT-34/49): how parties without
    /// a tax id (foreign buyers, public bodies, persons) are still told apart.
    pub identifier: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UblLine {
    pub id: String,
    pub line_extension_amount: UblAmount,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UblDocument {
    pub kind: UblDocKind,
    /// `InvoiceTypeCode` / `CreditNoteTypeCode` (380, 381, 384, 389, 751, …).
    pub type_code: Option<String>,
    /// BT-1.
    pub id: String,
    /// BT-2.
    pub issue_date: Date,
    /// BT-9: `cbc:DueDate` under the root; a `CreditNote` has none there, so the first
    /// `cac:PaymentMeans/cbc:PaymentDueDate` is used instead (and as a fallback for
    /// invoices).
    pub due_date: Option<Date>,
    /// BT-5.
    pub currency: String,
    /// BT-10.
    pub buyer_reference: Option<String>,
    /// BT-12.
    pub contract_ref: Option<String>,
    /// BT-13.
    pub order_ref: Option<String>,
    /// BT-25: the invoice a credit note corrects (`BillingReference/InvoiceDocumentReference`).
    pub preceding_invoice: Option<String>,
    /// BT-15.
    pub receipt_ref: Option<String>,
    /// BT-16.
    pub despatch_ref: Option<String>,
    /// BT-22, document level only.
    pub notes: Vec<String>,
    pub seller: UblParty,
    pub buyer: UblParty,
    /// BT-84, as written (spaces and case untouched: validation belongs to the caller).
    pub payee_ibans: Vec<String>,
    pub line_extension: Option<UblAmount>,
    pub tax_exclusive: Option<UblAmount>,
    pub tax_inclusive: Option<UblAmount>,
    pub allowance_total: Option<UblAmount>,
    pub charge_total: Option<UblAmount>,
    pub prepaid: Option<UblAmount>,
    pub rounding: Option<UblAmount>,
    /// BT-115.
    pub payable: UblAmount,
    /// Document-level `TaxTotal/TaxAmount`, in order: BT-110 in the document currency and,
    /// when the VAT accounting currency differs, BT-111 in that one (told apart by
    /// `currencyID`).
    pub tax_totals: Vec<UblAmount>,
    pub lines: Vec<UblLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UblError {
    #[error("not an invoice: the root element is <{root}> (expected <Invoice> or <CreditNote>)")]
    NotAnInvoice { root: String },
    #[error("missing required element {path}")]
    Missing { path: String },
    #[error("invalid value {value:?} in {path}: {reason}")]
    BadValue {
        path: String,
        value: String,
        reason: String,
    },
    #[error("malformed XML at byte {position}: {message}")]
    Xml { position: u64, message: String },
}

/// Cheap check of the root element name (and namespace, when one is declared), without
/// reading past the root's start tag. Anything unreadable counts as "no".
pub fn looks_like_ubl(bytes: &[u8]) -> bool {
    let mut reader = NsReader::from_reader(bytes);
    loop {
        match reader.read_resolved_event() {
            Ok((ns, Event::Start(e) | Event::Empty(e))) => {
                return classify_root(&ns, e.local_name().as_ref()).is_ok();
            }
            Ok((_, Event::Eof)) | Err(_) => return false,
            Ok(_) => {}
        }
    }
}

/// Parses a UBL 2.1 `Invoice` or `CreditNote`.
pub fn parse_ubl(bytes: &[u8]) -> Result<UblDocument, UblError> {
    let mut reader = NsReader::from_reader(bytes);
    let mut state: Option<State> = None;
    let mut root_closed = false;

    loop {
        let event = reader.read_resolved_event();
        let (ns, event) = match event {
            Ok(pair) => pair,
            Err(e) => {
                return Err(UblError::Xml {
                    position: reader.error_position(),
                    message: e.to_string(),
                });
            }
        };
        match event {
            Event::Start(_) | Event::Empty(_) if root_closed => {
                return Err(UblError::Xml {
                    position: reader.buffer_position(),
                    message: "content after the root element".into(),
                });
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(event, Event::Empty(_));
                let local = e.local_name().as_ref().to_owned();
                let frame = match &mut state {
                    None => {
                        let kind =
                            classify_root(&ns, &local).map_err(|()| UblError::NotAnInvoice {
                                root: root_description(&ns, e),
                            })?;
                        state = Some(State::new(kind));
                        Frame {
                            display: kind.root_name().to_owned(),
                            local,
                        }
                    }
                    Some(_) => Frame {
                        display: display_name(&ns, e),
                        local,
                    },
                };
                let st = state.as_mut().expect("state was set above");
                let currency = attribute(e, "currencyID").map_err(|message| UblError::Xml {
                    position: reader.buffer_position(),
                    message,
                })?;
                st.open(frame, currency);
                if is_empty {
                    st.close()?;
                    root_closed = st.stack.is_empty();
                }
            }
            Event::End(_) => {
                // check_end_names (on by default) guarantees that this matches the top
                // of our stack, so only the bookkeeping is left.
                if let Some(st) = state.as_mut() {
                    st.close()?;
                    root_closed = st.stack.is_empty();
                }
            }
            Event::Text(t) => {
                if let Some(st) = state.as_mut() {
                    st.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(st) = state.as_mut() {
                    st.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    Ok(None) => resolve_xml_entity(&r).map(str::to_owned),
                    Err(e) => {
                        return Err(UblError::Xml {
                            position: reader.buffer_position(),
                            message: e.to_string(),
                        });
                    }
                };
                let Some(resolved) = resolved else {
                    // Custom entities would need the DTD, which is never expanded here
                    // (and e-Factura forbids one anyway).
                    return Err(UblError::Xml {
                        position: reader.buffer_position(),
                        message: format!("unknown entity &{};", &*r),
                    });
                };
                if let Some(st) = state.as_mut() {
                    st.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }

    match state {
        None => Err(UblError::Xml {
            position: reader.buffer_position(),
            message: "the document has no root element".into(),
        }),
        Some(st) if !st.stack.is_empty() => Err(UblError::Xml {
            position: reader.buffer_position(),
            message: format!(
                "the document ends inside <{}>",
                st.stack.last().map_or("", |f| f.display.as_str())
            ),
        }),
        Some(st) => st.finish(),
    }
}

/// `Err` carries nothing: the caller describes the root itself, with what it has at hand.
fn classify_root(ns: &ResolveResult<'_>, local: &str) -> Result<UblDocKind, ()> {
    let kind = match local {
        "Invoice" => UblDocKind::Invoice,
        "CreditNote" => UblDocKind::CreditNote,
        _ => return Err(()),
    };
    let expected = match kind {
        UblDocKind::Invoice => NS_INVOICE,
        UblDocKind::CreditNote => NS_CREDIT_NOTE,
    };
    match ns {
        // Some hand-written files omit the namespace entirely; their content is still UBL.
        ResolveResult::Unbound => Ok(kind),
        ResolveResult::Bound(Namespace(uri)) if *uri == expected => Ok(kind),
        _ => Err(()),
    }
}

fn root_description(ns: &ResolveResult<'_>, e: &BytesStart<'_>) -> String {
    let qname = e.name().as_ref().to_owned();
    match ns {
        ResolveResult::Bound(Namespace(uri))
            if matches!(e.local_name().as_ref(), "Invoice" | "CreditNote") =>
        {
            format!("{qname} xmlns=\"{uri}\"")
        }
        _ => qname,
    }
}

fn display_name(ns: &ResolveResult<'_>, e: &BytesStart<'_>) -> String {
    let local = e.local_name();
    match ns {
        ResolveResult::Bound(Namespace(NS_CAC)) => format!("cac:{}", local.as_ref()),
        ResolveResult::Bound(Namespace(NS_CBC)) => format!("cbc:{}", local.as_ref()),
        _ => e.name().as_ref().to_owned(),
    }
}

fn attribute(e: &BytesStart<'_>, local: &str) -> Result<Option<String>, String> {
    for attr in e.attributes() {
        let attr = attr.map_err(|err| err.to_string())?;
        if attr.key.local_name().as_ref() == local {
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|err| err.to_string())?;
            let value = value.trim();
            return Ok((!value.is_empty()).then(|| value.to_owned()));
        }
    }
    Ok(None)
}

struct Frame {
    local: String,
    display: String,
}

#[derive(Default)]
struct PartyDraft {
    registration_name: Option<String>,
    party_name: Option<String>,
    /// (CompanyID, TaxScheme/ID) of each `PartyTaxScheme`, in document order.
    tax_schemes: Vec<(Option<String>, Option<String>)>,
    pending_scheme: (Option<String>, Option<String>),
    legal_id: Option<String>,
    street: Option<String>,
    city: Option<String>,
    country: Option<String>,
    email: Option<String>,
    party_identification: Option<String>,
    endpoint_id: Option<String>,
}

impl PartyDraft {
    fn take(&mut self, rest: &[&str], text: Option<String>) {
        let slot = match rest {
            ["PartyLegalEntity", "RegistrationName"] => &mut self.registration_name,
            ["PartyLegalEntity", "CompanyID"] => &mut self.legal_id,
            ["PartyName", "Name"] => &mut self.party_name,
            ["PartyTaxScheme", "CompanyID"] => &mut self.pending_scheme.0,
            ["PartyTaxScheme", "TaxScheme", "ID"] => &mut self.pending_scheme.1,
            ["PartyTaxScheme"] => {
                let done = std::mem::take(&mut self.pending_scheme);
                self.tax_schemes.push(done);
                return;
            }
            ["PostalAddress", "StreetName"] => &mut self.street,
            ["PostalAddress", "CityName"] => &mut self.city,
            ["PostalAddress", "Country", "IdentificationCode"] => &mut self.country,
            ["Contact", "ElectronicMail"] => &mut self.email,
            ["PartyIdentification", "ID"] => &mut self.party_identification,
            ["EndpointID"] => &mut self.endpoint_id,
            _ => return,
        };
        set_first(slot, text);
    }

    fn finish(self) -> UblParty {
        let vat_id = self
            .tax_schemes
            .iter()
            .find(|(id, scheme)| id.is_some() && scheme.as_deref() == Some("VAT"))
            .or_else(|| self.tax_schemes.iter().find(|(id, _)| id.is_some()))
            .and_then(|(id, _)| id.clone());
        UblParty {
            name: self.registration_name.or(self.party_name),
            vat_id,
            legal_id: self.legal_id,
            street: self.street,
            city: self.city,
            country: self.country,
            email: self.email,
            identifier: self.party_identification.or(self.endpoint_id),
        }
    }
}

/// The `LegalMonetaryTotal` children that are read; anything else there is left alone
/// rather than checked as a decimal.
const TOTALS: [&str; 8] = [
    "LineExtensionAmount",
    "TaxExclusiveAmount",
    "TaxInclusiveAmount",
    "AllowanceTotalAmount",
    "ChargeTotalAmount",
    "PrepaidAmount",
    "PayableRoundingAmount",
    "PayableAmount",
];

#[derive(Default)]
struct LineDraft {
    id: Option<String>,
    amount: Option<UblAmount>,
}

struct State {
    kind: UblDocKind,
    stack: Vec<Frame>,
    text: String,
    /// `currencyID` of the innermost open element; amounts are leaves, so it is theirs.
    currency: Option<String>,

    type_code: Option<String>,
    id: Option<(String, String)>,
    issue_date: Option<Date>,
    due_date: Option<Date>,
    payment_due_date: Option<Date>,
    currency_code: Option<(String, String)>,
    buyer_reference: Option<String>,
    contract_ref: Option<String>,
    order_ref: Option<String>,
    preceding_invoice: Option<String>,
    receipt_ref: Option<String>,
    despatch_ref: Option<String>,
    notes: Vec<String>,
    seller: PartyDraft,
    buyer: PartyDraft,
    payee_ibans: Vec<String>,
    line_extension: Option<UblAmount>,
    tax_exclusive: Option<UblAmount>,
    tax_inclusive: Option<UblAmount>,
    allowance_total: Option<UblAmount>,
    charge_total: Option<UblAmount>,
    prepaid: Option<UblAmount>,
    rounding: Option<UblAmount>,
    payable: Option<UblAmount>,
    tax_totals: Vec<UblAmount>,
    line: LineDraft,
    lines: Vec<UblLine>,
}

impl State {
    fn new(kind: UblDocKind) -> Self {
        State {
            kind,
            stack: Vec::new(),
            text: String::new(),
            currency: None,
            type_code: None,
            id: None,
            issue_date: None,
            due_date: None,
            payment_due_date: None,
            currency_code: None,
            buyer_reference: None,
            contract_ref: None,
            order_ref: None,
            preceding_invoice: None,
            receipt_ref: None,
            despatch_ref: None,
            notes: Vec::new(),
            seller: PartyDraft::default(),
            buyer: PartyDraft::default(),
            payee_ibans: Vec::new(),
            line_extension: None,
            tax_exclusive: None,
            tax_inclusive: None,
            allowance_total: None,
            charge_total: None,
            prepaid: None,
            rounding: None,
            payable: None,
            tax_totals: Vec::new(),
            line: LineDraft::default(),
            lines: Vec::new(),
        }
    }

    fn root(&self) -> &'static str {
        self.kind.root_name()
    }

    fn open(&mut self, frame: Frame, currency: Option<String>) {
        self.stack.push(frame);
        // Text is collected per element; a parent's text (indentation between its
        // children) is never used, so restarting at every tag is enough.
        self.text.clear();
        self.currency = currency;
    }

    fn path(&self) -> String {
        let mut path = String::new();
        for frame in &self.stack {
            path.push('/');
            path.push_str(&frame.display);
        }
        path
    }

    /// Lines repeat, so their paths carry the 1-based position to be findable.
    fn line_path(&self) -> String {
        let n = self.lines.len() + 1;
        let mut path = String::new();
        for (depth, frame) in self.stack.iter().enumerate() {
            path.push('/');
            path.push_str(&frame.display);
            if depth == 1 {
                path.push_str(&format!("[{n}]"));
            }
        }
        path
    }

    fn close(&mut self) -> Result<(), UblError> {
        let text = {
            let t = self.text.trim();
            (!t.is_empty()).then(|| t.to_owned())
        };
        self.text.clear();
        let rel: Vec<&str> = self.stack[1..].iter().map(|f| f.local.as_str()).collect();
        let rel: &[&str] = &rel;

        match rel {
            ["ID"] if self.id.is_none() => {
                self.id = Some((text.unwrap_or_default(), self.path()));
            }
            ["IssueDate"] if self.issue_date.is_none() => {
                self.issue_date = Some(self.date(text)?);
            }
            ["DueDate"] if self.due_date.is_none() && text.is_some() => {
                self.due_date = Some(self.date(text)?);
            }
            ["PaymentMeans", "PaymentDueDate"]
                if self.payment_due_date.is_none() && text.is_some() =>
            {
                self.payment_due_date = Some(self.date(text)?);
            }
            ["InvoiceTypeCode" | "CreditNoteTypeCode"] => set_first(&mut self.type_code, text),
            ["DocumentCurrencyCode"] if self.currency_code.is_none() => {
                self.currency_code = Some((text.unwrap_or_default(), self.path()));
            }
            ["BuyerReference"] => set_first(&mut self.buyer_reference, text),
            ["Note"] => self.notes.extend(text),
            ["ContractDocumentReference", "ID"] => set_first(&mut self.contract_ref, text),
            ["OrderReference", "ID"] => set_first(&mut self.order_ref, text),
            ["BillingReference", "InvoiceDocumentReference", "ID"] => {
                set_first(&mut self.preceding_invoice, text)
            }
            ["ReceiptDocumentReference", "ID"] => set_first(&mut self.receipt_ref, text),
            ["DespatchDocumentReference", "ID"] => set_first(&mut self.despatch_ref, text),
            ["AccountingSupplierParty", "Party", rest @ ..] => self.seller.take(rest, text),
            ["AccountingCustomerParty", "Party", rest @ ..] => self.buyer.take(rest, text),
            ["PaymentMeans", "PayeeFinancialAccount", "ID"] => self.payee_ibans.extend(text),
            ["LegalMonetaryTotal", field] if TOTALS.contains(field) => {
                let amount = self.amount(text, self.path())?;
                let slot = match *field {
                    "LineExtensionAmount" => &mut self.line_extension,
                    "TaxExclusiveAmount" => &mut self.tax_exclusive,
                    "TaxInclusiveAmount" => &mut self.tax_inclusive,
                    "AllowanceTotalAmount" => &mut self.allowance_total,
                    "ChargeTotalAmount" => &mut self.charge_total,
                    "PrepaidAmount" => &mut self.prepaid,
                    "PayableRoundingAmount" => &mut self.rounding,
                    _ => &mut self.payable, // the last of TOTALS
                };
                if slot.is_none() {
                    *slot = Some(amount);
                }
            }
            ["TaxTotal", "TaxAmount"] => {
                let amount = self.amount(text, self.path())?;
                self.tax_totals.push(amount);
            }
            ["InvoiceLine" | "CreditNoteLine", "ID"] if self.line.id.is_none() => {
                self.line.id = Some(self.required_text(text, self.line_path())?);
            }
            ["InvoiceLine" | "CreditNoteLine", "LineExtensionAmount"]
                if self.line.amount.is_none() =>
            {
                self.line.amount = Some(self.amount(text, self.line_path())?);
            }
            ["InvoiceLine" | "CreditNoteLine"] => {
                let line_path = self.line_path();
                let line = std::mem::take(&mut self.line);
                let id = line.id.ok_or_else(|| UblError::Missing {
                    path: format!("{line_path}/cbc:ID"),
                })?;
                let line_extension_amount = line.amount.ok_or_else(|| UblError::Missing {
                    path: format!("{line_path}/cbc:LineExtensionAmount"),
                })?;
                self.lines.push(UblLine {
                    id,
                    line_extension_amount,
                });
            }
            _ => {}
        }
        self.stack.pop();
        Ok(())
    }

    fn required_text(&self, text: Option<String>, path: String) -> Result<String, UblError> {
        text.ok_or_else(|| UblError::BadValue {
            path,
            value: String::new(),
            reason: "the element is empty".into(),
        })
    }

    fn date(&self, text: Option<String>) -> Result<Date, UblError> {
        let path = self.path();
        let text = self.required_text(text, path.clone())?;
        parse_date(&text).map_err(|reason| UblError::BadValue {
            path,
            value: text,
            reason,
        })
    }

    fn amount(&self, text: Option<String>, path: String) -> Result<UblAmount, UblError> {
        let value = self.required_text(text, path.clone())?;
        if !is_decimal(&value) {
            return Err(UblError::BadValue {
                path,
                value,
                reason: "not a decimal number".into(),
            });
        }
        Ok(UblAmount {
            value,
            currency_id: self.currency.clone(),
            path,
        })
    }

    fn finish(self) -> Result<UblDocument, UblError> {
        let root = self.root();
        let missing = |leaf: &str| UblError::Missing {
            path: format!("/{root}/{leaf}"),
        };
        let non_empty = |(value, path): (String, String)| {
            if value.is_empty() {
                Err(UblError::BadValue {
                    path,
                    value,
                    reason: "the element is empty".into(),
                })
            } else {
                Ok(value)
            }
        };
        let id = non_empty(self.id.ok_or_else(|| missing("cbc:ID"))?)?;
        let issue_date = self.issue_date.ok_or_else(|| missing("cbc:IssueDate"))?;
        let currency = non_empty(
            self.currency_code
                .ok_or_else(|| missing("cbc:DocumentCurrencyCode"))?,
        )?;
        let payable = self
            .payable
            .ok_or_else(|| missing("cac:LegalMonetaryTotal/cbc:PayableAmount"))?;
        Ok(UblDocument {
            kind: self.kind,
            type_code: self.type_code,
            id,
            issue_date,
            due_date: self.due_date.or(self.payment_due_date),
            currency,
            buyer_reference: self.buyer_reference,
            contract_ref: self.contract_ref,
            order_ref: self.order_ref,
            preceding_invoice: self.preceding_invoice,
            receipt_ref: self.receipt_ref,
            despatch_ref: self.despatch_ref,
            notes: self.notes,
            seller: self.seller.finish(),
            buyer: self.buyer.finish(),
            payee_ibans: self.payee_ibans,
            line_extension: self.line_extension,
            tax_exclusive: self.tax_exclusive,
            tax_inclusive: self.tax_inclusive,
            allowance_total: self.allowance_total,
            charge_total: self.charge_total,
            prepaid: self.prepaid,
            rounding: self.rounding,
            payable,
            tax_totals: self.tax_totals,
            lines: self.lines,
        })
    }
}

/// Keeps the first non-empty occurrence: a repeated element is a producer's mistake, and
/// the first one is what a reader of the document sees first.
fn set_first(slot: &mut Option<String>, text: Option<String>) {
    if slot.is_none() {
        *slot = text;
    }
}

/// `xsd:date` is `YYYY-MM-DD` with an optional time zone, which says nothing about the
/// calendar day and is dropped. jiff's own parser would also take datetimes and the
/// basic `YYYYMMDD` form, which UBL does not allow.
fn parse_date(text: &str) -> Result<Date, String> {
    const SHAPE: &str = "expected a date as YYYY-MM-DD";
    let bytes = text.as_bytes();
    if bytes.len() < 10 {
        return Err(SHAPE.into());
    }
    let (day_part, zone) = text.split_at(10);
    let zone_ok = zone.is_empty() || zone == "Z" || is_zone_offset(zone);
    let digits_ok = day_part.bytes().enumerate().all(|(i, b)| {
        if i == 4 || i == 7 {
            b == b'-'
        } else {
            b.is_ascii_digit()
        }
    });
    if !zone_ok || !digits_ok {
        return Err(SHAPE.into());
    }
    let num = |range: std::ops::Range<usize>| -> i32 {
        day_part[range]
            .parse()
            .expect("checked to be ASCII digits above")
    };
    let (year, month, day) = (num(0..4), num(5..7), num(8..10));
    let year = i16::try_from(year).map_err(|_| SHAPE.to_owned())?;
    Date::new(year, month as i8, day as i8).map_err(|e| format!("no such date ({e})"))
}

fn is_zone_offset(zone: &str) -> bool {
    let b = zone.as_bytes();
    b.len() == 6
        && (b[0] == b'+' || b[0] == b'-')
        && b[1].is_ascii_digit()
        && b[2].is_ascii_digit()
        && b[3] == b':'
        && b[4].is_ascii_digit()
        && b[5].is_ascii_digit()
}

/// The lexical space of `xsd:decimal`: optional sign, digits, optional fraction.
fn is_decimal(text: &str) -> bool {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (int, frac) = match unsigned.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (unsigned, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    all_digits(int)
        && frac.is_none_or(all_digits)
        && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = r#"<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
        xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
        xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">"#;

    fn doc(body: &str) -> String {
        format!("{HEAD}{body}</Invoice>")
    }

    const MINIMAL: &str = r#"
        <cbc:IssueDate>2024-03-01</cbc:IssueDate>
        <cbc:DocumentCurrencyCode>RON</cbc:DocumentCurrencyCode>
        <cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="RON">119.00</cbc:PayableAmount></cac:LegalMonetaryTotal>"#;

    #[test]
    fn a_line_id_or_party_id_does_not_become_the_invoice_id() {
        let xml = doc(&format!(
            r#"<cac:AccountingSupplierParty><cac:Party><cac:PartyIdentification><cbc:ID>PARTY</cbc:ID></cac:PartyIdentification></cac:Party></cac:AccountingSupplierParty>
            {MINIMAL}
            <cac:InvoiceLine><cbc:ID>LINE-1</cbc:ID><cbc:LineExtensionAmount currencyID="RON">100.00</cbc:LineExtensionAmount></cac:InvoiceLine>
            <cbc:ID> INV-7 </cbc:ID>"#
        ));
        let d = parse_ubl(xml.as_bytes()).unwrap();
        assert_eq!(d.id, "INV-7");
        assert_eq!(d.lines.len(), 1);
        assert_eq!(d.lines[0].id, "LINE-1");
        assert_eq!(
            d.lines[0].line_extension_amount.path,
            "/Invoice/cac:InvoiceLine[1]/cbc:LineExtensionAmount"
        );
    }

    #[test]
    fn an_invoice_whose_only_id_is_in_a_line_has_no_id() {
        let xml = doc(&format!(
            r#"{MINIMAL}<cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:LineExtensionAmount>1</cbc:LineExtensionAmount></cac:InvoiceLine>"#
        ));
        let err = parse_ubl(xml.as_bytes()).unwrap_err();
        assert_eq!(
            err,
            UblError::Missing {
                path: "/Invoice/cbc:ID".into()
            }
        );
        assert_eq!(err.to_string(), "missing required element /Invoice/cbc:ID");
    }

    #[test]
    fn notes_and_dates_only_at_document_level() {
        let xml = doc(&format!(
            r#"<cbc:ID>X</cbc:ID>{MINIMAL}<cbc:Note>top &amp; level</cbc:Note>
            <cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:Note>line note</cbc:Note><cbc:LineExtensionAmount>1</cbc:LineExtensionAmount></cac:InvoiceLine>
            <cac:InvoicePeriod><cbc:DueDate>2020-01-01</cbc:DueDate></cac:InvoicePeriod>"#
        ));
        let d = parse_ubl(xml.as_bytes()).unwrap();
        assert_eq!(d.notes, vec!["top & level".to_owned()]);
        assert_eq!(d.due_date, None);
    }

    #[test]
    fn prefixes_are_irrelevant_and_paths_use_conventional_ones() {
        let xml = r#"<u:Invoice xmlns:u="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
            xmlns:a="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
            xmlns:b="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
            <b:ID>P-1</b:ID><b:IssueDate>2024-02-29</b:IssueDate><b:DocumentCurrencyCode>EUR</b:DocumentCurrencyCode>
            <a:LegalMonetaryTotal><b:PayableAmount currencyID="EUR">-5.10</b:PayableAmount></a:LegalMonetaryTotal>
        </u:Invoice>"#;
        let d = parse_ubl(xml.as_bytes()).unwrap();
        assert_eq!(d.id, "P-1");
        assert_eq!(d.payable.value, "-5.10");
        assert_eq!(d.payable.currency_id.as_deref(), Some("EUR"));
        assert_eq!(
            d.payable.path,
            "/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount"
        );
    }

    #[test]
    fn malformed_xml_is_reported_with_a_position() {
        let xml = doc("<cbc:ID>X</cbc:Id>");
        match parse_ubl(xml.as_bytes()) {
            Err(UblError::Xml { position, message }) => {
                assert!(position > 0, "{position}");
                assert!(!message.is_empty());
            }
            other => panic!("expected an XML error, got {other:?}"),
        }
        let truncated = &doc(MINIMAL)[..200];
        assert!(matches!(
            parse_ubl(truncated.as_bytes()),
            Err(UblError::Xml { .. })
        ));
        assert!(matches!(parse_ubl(b""), Err(UblError::Xml { .. })));
    }

    #[test]
    fn bad_values_name_their_element() {
        let xml = doc(
            r#"<cbc:ID>X</cbc:ID><cbc:IssueDate>2024-02-30</cbc:IssueDate>
            <cbc:DocumentCurrencyCode>RON</cbc:DocumentCurrencyCode>"#,
        );
        let err = parse_ubl(xml.as_bytes()).unwrap_err();
        assert!(
            matches!(&err, UblError::BadValue { path, value, .. } if path == "/Invoice/cbc:IssueDate" && value == "2024-02-30"),
            "{err}"
        );
        let xml = doc(
            r#"<cbc:ID>X</cbc:ID><cbc:IssueDate>2024-02-01</cbc:IssueDate><cbc:DocumentCurrencyCode>RON</cbc:DocumentCurrencyCode>
            <cac:LegalMonetaryTotal><cbc:PayableAmount>1,5</cbc:PayableAmount></cac:LegalMonetaryTotal>"#,
        );
        let err = parse_ubl(xml.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("PayableAmount"), "{err}");
    }

    #[test]
    fn credit_note_due_date_comes_from_payment_means() {
        let xml = r#"<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
            xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
            xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
            <cbc:ID>CN1</cbc:ID><cbc:IssueDate>2024-01-10</cbc:IssueDate><cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>
            <cbc:DocumentCurrencyCode>RON</cbc:DocumentCurrencyCode>
            <cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>FX 17</cbc:ID><cbc:IssueDate>2024-01-02</cbc:IssueDate></cac:InvoiceDocumentReference></cac:BillingReference>
            <cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cbc:PaymentDueDate>2024-02-10</cbc:PaymentDueDate>
              <cac:PayeeFinancialAccount><cbc:ID>RO49 AAAA 1B31 0075 9384 0000</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>
            <cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="RON">10</cbc:PayableAmount></cac:LegalMonetaryTotal>
            <cac:CreditNoteLine><cbc:ID>1</cbc:ID><cbc:LineExtensionAmount currencyID="RON">10</cbc:LineExtensionAmount></cac:CreditNoteLine>
        </CreditNote>"#;
        let d = parse_ubl(xml.as_bytes()).unwrap();
        assert_eq!(d.kind, UblDocKind::CreditNote);
        assert_eq!(d.type_code.as_deref(), Some("381"));
        assert_eq!(d.preceding_invoice.as_deref(), Some("FX 17"));
        assert_eq!(d.due_date, Some(Date::constant(2024, 2, 10)));
        assert_eq!(
            d.payee_ibans,
            vec!["RO49 AAAA 1B31 0075 9384 0000".to_owned()]
        );
        assert_eq!(d.lines.len(), 1);
    }

    #[test]
    fn other_roots_are_refused() {
        let xml = r#"<?xml version="1.0"?><header xmlns="mfp:anaf:dgti:spv:respUploadFisier:v1" ExecutionStatus="0"/>"#;
        assert!(!looks_like_ubl(xml.as_bytes()));
        let err = parse_ubl(xml.as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "not an invoice: the root element is <header> (expected <Invoice> or <CreditNote>)"
        );
        let foreign = r#"<Invoice xmlns="urn:example:other"/>"#;
        assert!(!looks_like_ubl(foreign.as_bytes()));
        assert!(matches!(
            parse_ubl(foreign.as_bytes()),
            Err(UblError::NotAnInvoice { .. })
        ));
        assert!(looks_like_ubl(doc("").as_bytes()));
    }

    #[test]
    fn decimals_and_dates() {
        for ok in ["1", "-1.50", "+0.5", ".5", "5.", "0012"] {
            assert!(is_decimal(ok), "{ok}");
        }
        for bad in ["", ".", "-", "1e3", "1,5", "1 000", "NaN", "--1"] {
            assert!(!is_decimal(bad), "{bad}");
        }
        assert_eq!(parse_date("2024-02-29"), Ok(Date::constant(2024, 2, 29)));
        assert_eq!(parse_date("2024-02-29Z"), Ok(Date::constant(2024, 2, 29)));
        assert_eq!(
            parse_date("2024-02-29+02:00"),
            Ok(Date::constant(2024, 2, 29))
        );
        for bad in [
            "20240229",
            "2024-2-29",
            "2023-02-29",
            "2024-02-29T10:00",
            "29.02.2024",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }
}
