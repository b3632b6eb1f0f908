//! The closed vocabularies of the domain (DESIGN.md, "Words"): contact roles, document
//! types, languages, invoice kinds. Each parses the code used in import files and the database.

/// A value outside a closed list; the message lists what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{value}\" is not one of: {allowed}")]
pub struct UnknownCode {
    pub value: String,
    pub allowed: String,
}

/// A closed list of codes: the enum, `ALL`, `code()`, `Display`, `FromStr` and serde in
/// snake case. Paths are absolute so that other modules of the crate (the invoice check's
/// finding codes) can use it without importing what it needs.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            ::serde::Serialize, ::serde::Deserialize,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }
        }
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.code())
            }
        }
        impl ::std::str::FromStr for $name {
            type Err = $crate::model::UnknownCode;
            fn from_str(s: &str) -> Result<Self, $crate::model::UnknownCode> {
                let wanted = s.trim().to_ascii_lowercase();
                $name::ALL.iter().copied().find(|v| v.code() == wanted).ok_or_else(|| {
                    $crate::model::UnknownCode {
                        value: s.to_owned(),
                        allowed: $name::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", "),
                    }
                })
            }
        }
    };
}
pub(crate) use code_enum;

code_enum!(
    /// What a contact person is for; reminders go to `finance`.
    ContactRole { Finance = "finance", Purchasing = "purchasing", Management = "management", Legal = "legal", General = "general" }
);

code_enum!(
    /// Kinds of supporting documents (documente justificative).
    DocType {
        InvoicePdf = "invoice_pdf",
        InvoiceXml = "invoice_xml",
        SpvSignature = "spv_signature",
        Order = "order",
        OrderConfirmation = "order_confirmation",
        DeliveryNote = "delivery_note",
        Cmr = "cmr",
        AcceptanceReport = "acceptance_report",
        Timesheet = "timesheet",
        Contract = "contract",
        Email = "email",
        Notice = "notice",
        Statement = "statement",
        ReceiptAck = "receipt_ack",
        Other = "other",
    }
);

code_enum!(
    /// Language of the user interface and of the letters a debtor receives.
    Language { Ro = "ro", En = "en" }
);

code_enum!(
    /// What a user may do. A partner sees only the cases handed to it.
    Role { Admin = "admin", Manager = "manager", Collector = "collector", Partner = "partner" }
);

impl Role {
    /// Admins and managers: they set the rules (calendars, templates, settings, imports) and
    /// approve what waits for a manager.
    pub fn manages(self) -> bool {
        matches!(self, Role::Admin | Role::Manager)
    }
}

code_enum!(
    /// Credit notes are stored as invoices with a negative total.
    InvoiceKind { Invoice = "invoice", CreditNote = "credit_note" }
);

impl DocType {
    /// Document type written in `required_documents` lists: codes, or common Romanian names.
    pub fn parse_lenient(s: &str) -> Result<DocType, UnknownCode> {
        let key: String = s
            .trim()
            .to_lowercase()
            .chars()
            .map(|c| match c {
                'ă' | 'â' => 'a',
                'î' => 'i',
                'ș' | 'ş' => 's',
                'ț' | 'ţ' => 't',
                ' ' | '-' | '.' => '_',
                c => c,
            })
            .collect();
        match key.as_str() {
            "aviz" | "aviz_de_insotire" => Ok(DocType::DeliveryNote),
            "pv" | "pv_receptie" | "pv_de_receptie" | "proces_verbal_de_receptie" => {
                Ok(DocType::AcceptanceReport)
            }
            "comanda" | "po" => Ok(DocType::Order),
            "confirmare" | "confirmare_comanda" => Ok(DocType::OrderConfirmation),
            "pontaj" => Ok(DocType::Timesheet),
            "factura" | "pdf" => Ok(DocType::InvoicePdf),
            "extras_de_cont" | "fisa_de_cont" | "fisa_client" => Ok(DocType::Statement),
            _ => key.parse(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_lists_allowed() {
        for r in ContactRole::ALL {
            assert_eq!(r.code().parse::<ContactRole>().unwrap(), *r);
        }
        let err = "boss".parse::<ContactRole>().unwrap_err();
        assert!(err.to_string().contains("finance, purchasing"), "{err}");
    }

    #[test]
    fn document_types_accept_romanian_names() {
        assert_eq!(
            DocType::parse_lenient("PV de recepție"),
            Ok(DocType::AcceptanceReport)
        );
        assert_eq!(DocType::parse_lenient("Aviz"), Ok(DocType::DeliveryNote));
        assert_eq!(DocType::parse_lenient("CMR"), Ok(DocType::Cmr));
        assert!(DocType::parse_lenient("fax").is_err());
    }
}
