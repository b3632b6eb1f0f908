//! What every message to a debtor needs, whatever it is about: the finance contacts'
//! mailboxes, the issuing entity's accounts and sender address, dates and amounts written for
//! the reader's language.

use std::collections::HashMap;

use creanta_domain::check::{format_money, is_email, split_addresses};
use creanta_domain::model::Language;
use creanta_domain::money::{Currency, Money};
use creanta_store::args;
use jiff::civil::Date;
use lettre::message::Mailbox;

use crate::AppError;

/// The finance contacts' mailboxes per debtor (a contact's field may hold several addresses),
/// primary contacts first.
pub(crate) async fn finance_contacts(
    tx: &mut creanta_store::Tx,
    org: i64,
    debtor: Option<i64>,
) -> Result<HashMap<i64, Vec<Mailbox>>, AppError> {
    const SQL: &str = "SELECT debtor_id, name, email FROM contacts WHERE org_id = $1 \
        AND role = $2 AND email IS NOT NULL";
    const ORDER: &str = "ORDER BY debtor_id, is_primary DESC, id";
    let rows = match debtor {
        None => {
            tx.fetch_all(&format!("{SQL} {ORDER}"), &args![org, "finance"])
                .await?
        }
        Some(d) => {
            tx.fetch_all(
                &format!("{SQL} AND debtor_id = $3 {ORDER}"),
                &args![org, "finance", d],
            )
            .await?
        }
    };
    let mut map: HashMap<i64, Vec<Mailbox>> = HashMap::new();
    for r in rows {
        let debtor: i64 = r.get(0)?;
        let name: String = r.get(1)?;
        let email: String = r.get(2)?;
        let list = map.entry(debtor).or_default();
        for addr in split_addresses(&email) {
            if !is_email(&addr) {
                continue;
            }
            let Ok(address) = addr.parse() else { continue };
            if list.iter().any(|m| m.email == address) {
                continue;
            }
            let name = name.trim();
            list.push(Mailbox::new(
                (!name.is_empty()).then(|| name.to_owned()),
                address,
            ));
        }
    }
    Ok(map)
}

/// The IBANs of each entity, in the order they were recorded.
pub(crate) async fn entity_ibans(
    tx: &mut creanta_store::Tx,
    org: i64,
) -> Result<HashMap<i64, Vec<String>>, AppError> {
    let mut map: HashMap<i64, Vec<String>> = HashMap::new();
    for r in tx
        .fetch_all(
            "SELECT entity_id, iban FROM entity_accounts WHERE org_id = $1 ORDER BY id",
            &args![org],
        )
        .await?
    {
        map.entry(r.get(0)?).or_default().push(r.get(1)?);
    }
    Ok(map)
}

/// From: the entity's `email` attribute, else the configured fallback address, with the
/// entity's name.
pub(crate) fn sender(entity_name: &str, entity_attrs: &str, fallback: &Mailbox) -> Mailbox {
    let attrs: serde_json::Value = serde_json::from_str(entity_attrs).unwrap_or_default();
    let own = ["email", "e-mail", "mail"]
        .iter()
        .find_map(|k| attrs.get(*k).and_then(|v| v.as_str()))
        .map(str::trim)
        .filter(|e| is_email(e))
        .and_then(|e| e.parse().ok());
    Mailbox::new(
        Some(entity_name.to_owned()),
        own.unwrap_or_else(|| fallback.email.clone()),
    )
}

/// The configured fallback sender, parsed.
pub(crate) fn fallback_sender(address: &str) -> Result<Mailbox, AppError> {
    address
        .parse()
        .map_err(|e| AppError::Invalid(format!("sender address {address:?}: {e}")))
}

/// A user's mailbox for Reply-To, when the address is usable.
pub(crate) fn reply_to(owner_email: Option<&str>) -> Option<Mailbox> {
    owner_email
        .filter(|e| is_email(e))
        .and_then(|e| e.trim().parse::<Mailbox>().ok())
}

/// `04.12.2026` in Romanian, `2026-12-04` in English.
pub(crate) fn date_text(d: Date, lang: Language) -> String {
    match lang {
        Language::Ro => format!("{:02}.{:02}.{}", d.day(), d.month(), d.year()),
        Language::En => d.to_string(),
    }
}

/// `1.234,56 RON` in Romanian, `1,234.56 RON` in English.
pub(crate) fn amount_text(minor: i64, currency: &str, lang: Language) -> String {
    match Currency::parse(currency) {
        Ok(cur) => format_money(Money::new(minor, cur), lang),
        Err(_) => format!("{minor} {currency}"),
    }
}
