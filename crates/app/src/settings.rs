//! Settings of the organization: its entities (the companies that issue invoices) and their
//! bank accounts. Every change is one transaction with its audit event, holding the old and
//! new values.
//!
//! The tax id of an entity is its natural key (imports and e-invoices find it by it), so it
//! is never edited here.

use creanta_domain::ids::{Iban, IdError};
use creanta_store::StoreError;
use creanta_store::records::{self, Entity};
use creanta_store::repo::entities::{self, EntityWithAccounts};
use creanta_store::repo::events::{self, NewEvent};
use serde_json::json;

use crate::{App, AppError, now};

/// Why a settings change was refused. Nothing was written when one of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// No such entity in the organization (another organization's id included).
    #[error("no such entity in this organization")]
    NoSuchEntity,
    #[error("an entity needs a name")]
    NameRequired,
    #[error("{field} must have at most {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("{0:?} is not a country code of two letters (RO, DE, …)")]
    BadCountry(String),
    #[error("{input:?} is not a valid IBAN: {error}")]
    BadIban { input: String, error: IdError },
    /// The IBAN is already recorded, for `entity` (which may be the one being edited).
    #[error("{iban} already belongs to {entity}")]
    IbanTaken { iban: String, entity: String },
    #[error("{0} is not an account of this entity")]
    NoSuchIban(String),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<StoreError> for SettingsError {
    fn from(e: StoreError) -> Self {
        SettingsError::App(e.into())
    }
}

/// The fields of an entity that can be edited, as typed (empty means none).
#[derive(Debug, Clone, Default)]
pub struct EntityFields {
    pub name: String,
    pub registration_no: String,
    pub address: String,
    pub city: String,
    pub country: String,
}

const MAX_NAME: usize = 200;
const MAX_FIELD: usize = 300;

fn optional(field: &'static str, value: &str) -> Result<Option<String>, SettingsError> {
    let value = value.trim();
    if value.chars().count() > MAX_FIELD {
        return Err(SettingsError::TooLong {
            field,
            max: MAX_FIELD,
        });
    }
    Ok((!value.is_empty()).then(|| value.to_owned()))
}

/// `old` with the edited fields applied and checked; the tax id and the rest stay.
fn edited(old: &Entity, fields: &EntityFields) -> Result<Entity, SettingsError> {
    let name = fields.name.trim();
    if name.is_empty() {
        return Err(SettingsError::NameRequired);
    }
    if name.chars().count() > MAX_NAME {
        return Err(SettingsError::TooLong {
            field: "name",
            max: MAX_NAME,
        });
    }
    let country = optional("country", fields.country.trim())?.map(|c| c.to_uppercase());
    if let Some(c) = &country
        && !(c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()))
    {
        return Err(SettingsError::BadCountry(c.clone()));
    }
    Ok(Entity {
        name: name.to_owned(),
        registration_no: optional("registration_no", &fields.registration_no)?,
        address: optional("address", &fields.address)?,
        city: optional("city", &fields.city)?,
        country,
        ..old.clone()
    })
}

fn entity_event(actor: &str, kind: &str, id: i64, data: serde_json::Value) -> NewEvent {
    NewEvent {
        actor: actor.into(),
        kind: kind.into(),
        subject_type: "entity".into(),
        subject_id: Some(id),
        data,
    }
}

/// The organization's entities with their IBANs, sorted by name.
pub async fn entities(app: &App) -> Result<Vec<EntityWithAccounts>, AppError> {
    Ok(entities::list(&app.store, app.org_id()).await?)
}

/// Edits an entity's name, registration number and address. Writes (with an `entity.updated`
/// event listing each changed field as `[old, new]`) only when something changed; returns
/// whether it did.
pub async fn update_entity(
    app: &App,
    actor: &str,
    id: i64,
    fields: &EntityFields,
) -> Result<bool, SettingsError> {
    let org = app.org_id();
    let mut tx = app.store.begin().await?;
    let old = entities::find(&mut tx, org, id)
        .await?
        .ok_or(SettingsError::NoSuchEntity)?;
    let new = edited(&old, fields)?;
    let changes = records::diff(&old, &new)?;
    if changes.is_empty() {
        return Ok(false);
    }
    creanta_store::repo::update(&mut tx, org, id, &new).await?;
    let event = entity_event(
        actor,
        "entity.updated",
        id,
        json!({ "tax_id": old.tax_id, "changes": changes }),
    );
    events::append(&mut tx, org, now(), &[event]).await?;
    // Our names and accounts concern every invoice: the check sees them all again.
    crate::check::check_in(&mut tx, org, &crate::check::Scope::All, actor, now()).await?;
    tx.commit().await?;
    Ok(true)
}

/// Adds a bank account to an entity. The IBAN is validated and stored in its electronic form;
/// one already recorded for any entity of the organization is refused. Returns the IBAN as
/// stored.
pub async fn add_iban(
    app: &App,
    actor: &str,
    id: i64,
    input: &str,
) -> Result<String, SettingsError> {
    let org = app.org_id();
    let mut tx = app.store.begin().await?;
    let entity = entities::find(&mut tx, org, id)
        .await?
        .ok_or(SettingsError::NoSuchEntity)?;
    let iban = Iban::parse(input).map_err(|error| SettingsError::BadIban {
        input: input.trim().to_owned(),
        error,
    })?;
    let iban = iban.as_str().to_owned();
    if let Some((_, owner)) = entities::iban_owner(&mut tx, org, &iban).await? {
        return Err(SettingsError::IbanTaken {
            iban,
            entity: owner,
        });
    }
    let before = entities::ibans(&mut tx, org, id).await?;
    entities::add_iban(&mut tx, org, id, &iban).await?;
    let mut after = before.clone();
    after.push(iban.clone());
    after.sort();
    let event = entity_event(
        actor,
        "entity.account_added",
        id,
        json!({ "tax_id": entity.tax_id, "iban": iban, "changes": { "ibans": [before, after] } }),
    );
    events::append(&mut tx, org, now(), &[event]).await?;
    // Our names and accounts concern every invoice: the check sees them all again.
    crate::check::check_in(&mut tx, org, &crate::check::Scope::All, actor, now()).await?;
    tx.commit().await?;
    Ok(iban)
}

/// Removes a bank account from an entity (invoices that name it keep their text).
pub async fn remove_iban(app: &App, actor: &str, id: i64, iban: &str) -> Result<(), SettingsError> {
    let org = app.org_id();
    let mut tx = app.store.begin().await?;
    let entity = entities::find(&mut tx, org, id)
        .await?
        .ok_or(SettingsError::NoSuchEntity)?;
    // As stored: the electronic form. Whatever spacing the form carried is forgiven.
    let iban = creanta_domain::ids::compact(iban);
    let before = entities::ibans(&mut tx, org, id).await?;
    if entities::remove_iban(&mut tx, org, id, &iban).await? == 0 {
        return Err(SettingsError::NoSuchIban(iban));
    }
    let after: Vec<&String> = before.iter().filter(|i| **i != iban).collect();
    let event = entity_event(
        actor,
        "entity.account_removed",
        id,
        json!({ "tax_id": entity.tax_id, "iban": iban, "changes": { "ibans": [before, after] } }),
    );
    events::append(&mut tx, org, now(), &[event]).await?;
    // Our names and accounts concern every invoice: the check sees them all again.
    crate::check::check_in(&mut tx, org, &crate::check::Scope::All, actor, now()).await?;
    tx.commit().await?;
    Ok(())
}
