//! Users, passwords and browser sessions.
//!
//! Passwords are hashed with Argon2id (PHC strings). A session is a random token in an
//! HttpOnly cookie; the database keeps only its SHA-256, with a CSRF token of its own.
//! Failed logins per email are counted: after [`MAX_FAILURES`] in [`LOCK_WINDOW`] the account
//! is locked until the window has passed.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use creanta_domain::model::{Language, Role};
use creanta_store::Store;
use creanta_store::blobs::sha256_hex;
use creanta_store::repo::events::{self, NewEvent};
use creanta_store::repo::orgs::{self, Organization};
use creanta_store::repo::sessions;
use creanta_store::repo::users::{self, User};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use crate::{App, AppError, now};

pub const MAX_FAILURES: i64 = 5;
pub const LOCK_WINDOW: SignedDuration = SignedDuration::from_mins(15);
pub const SESSION_LIFETIME: SignedDuration = SignedDuration::from_hours(12);
const MIN_PASSWORD_LEN: usize = 10;

/// Random bytes from the operating system, as lowercase hex.
fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the operating system provides randomness");
    hex::encode(buf)
}

/// A one-time password: 16 characters without look-alikes (0/O, 1/l/I).
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut buf = [0u8; 16];
    getrandom::fill(&mut buf).expect("the operating system provides randomness");
    buf.iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Invalid(format!("cannot hash the password: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

fn check_password(password: &str) -> Result<(), AppError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(AppError::Invalid(format!(
            "a password needs at least {MIN_PASSWORD_LEN} characters"
        )));
    }
    Ok(())
}

fn normalize_email(email: &str) -> Result<String, AppError> {
    let e = email.trim().to_lowercase();
    match e.split_once('@') {
        Some((l, d)) if !l.is_empty() && d.contains('.') && !e.contains(char::is_whitespace) => {
            Ok(e)
        }
        _ => Err(AppError::Invalid(format!(
            "{email:?} is not an email address"
        ))),
    }
}

async fn log(
    app: &App,
    actor: &str,
    kind: &str,
    user_id: i64,
    data: serde_json::Value,
) -> Result<(), AppError> {
    let mut tx = app.store.begin().await?;
    events::append(
        &mut tx,
        app.org_id(),
        now(),
        &[NewEvent {
            actor: actor.into(),
            kind: kind.into(),
            subject_type: "user".into(),
            subject_id: Some(user_id),
            data,
        }],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a user with a one-time password, which is returned once and never stored in clear.
pub async fn add_user(
    app: &App,
    actor: &str,
    email: &str,
    name: &str,
    role: Role,
    language: Language,
) -> Result<(User, String), AppError> {
    let email = normalize_email(email)?;
    if users::find(&app.store, app.org_id(), &email)
        .await?
        .is_some()
    {
        return Err(AppError::Invalid(format!(
            "{email} already has an account in {}",
            app.org.name
        )));
    }
    let password = generate_password();
    let hash = hash_password(&password)?;
    let mut tx = app.store.begin().await?;
    let name = if name.trim().is_empty() {
        email.clone()
    } else {
        name.trim().to_owned()
    };
    let new_user = users::NewUser {
        email: &email,
        name: &name,
        role: role.code(),
        language: language.code(),
        password_hash: &hash,
    };
    users::insert(&mut tx, app.org_id(), &new_user, now()).await?;
    tx.commit().await?;
    let user = users::find(&app.store, app.org_id(), &email)
        .await?
        .ok_or_else(|| AppError::Invalid("the new user vanished".into()))?;
    log(
        app,
        actor,
        "user.created",
        user.id,
        json!({ "email": email, "role": role.code() }),
    )
    .await?;
    Ok((user, password))
}

async fn existing(app: &App, email: &str) -> Result<User, AppError> {
    let email = normalize_email(email)?;
    users::find(&app.store, app.org_id(), &email)
        .await?
        .ok_or_else(|| AppError::Invalid(format!("{email} has no account in {}", app.org.name)))
}

/// Sets a password (or a generated one, returned) and ends the user's sessions.
pub async fn set_password(
    app: &App,
    actor: &str,
    email: &str,
    password: Option<&str>,
) -> Result<String, AppError> {
    let user = existing(app, email).await?;
    let password = match password {
        Some(p) => {
            check_password(p)?;
            p.to_owned()
        }
        None => generate_password(),
    };
    let hash = hash_password(&password)?;
    let mut tx = app.store.begin().await?;
    users::set_password(&mut tx, app.org_id(), user.id, &hash).await?;
    sessions::delete_for_user(&mut tx, app.org_id(), user.id).await?;
    sessions::clear_failures(&mut tx, &user.email).await?;
    tx.commit().await?;
    log(
        app,
        actor,
        "user.password_changed",
        user.id,
        json!({ "email": user.email }),
    )
    .await?;
    Ok(password)
}

/// Enables or disables an account; disabling ends its sessions. The last active admin of the
/// organization cannot be disabled.
pub async fn set_active(app: &App, actor: &str, email: &str, active: bool) -> Result<(), AppError> {
    let found = existing(app, email).await?;
    let mut tx = app.store.begin().await?;
    let (user, other_admins) = locked_user(&mut tx, app, found.id).await?;
    if !active && is_active_admin(&user) && other_admins == 0 {
        return Err(AppError::LastAdmin(user.email));
    }
    users::set_active(&mut tx, app.org_id(), user.id, active).await?;
    if !active {
        sessions::delete_for_user(&mut tx, app.org_id(), user.id).await?;
    }
    let kind = if active {
        "user.enabled"
    } else {
        "user.disabled"
    };
    let event = user_event(
        actor,
        kind,
        user.id,
        json!({ "email": user.email, "changes": { "active": [user.active, active] } }),
    );
    events::append(&mut tx, app.org_id(), now(), &[event]).await?;
    tx.commit().await?;
    Ok(())
}

fn user_event(actor: &str, kind: &str, user_id: i64, data: serde_json::Value) -> NewEvent {
    NewEvent {
        actor: actor.into(),
        kind: kind.into(),
        subject_type: "user".into(),
        subject_id: Some(user_id),
        data,
    }
}

fn is_active_admin(user: &User) -> bool {
    user.active && user.role == Role::Admin.code()
}

/// The user as the transaction sees it, and how many other active admins the organization
/// has. The organization is locked first (PostgreSQL), so two concurrent demotions cannot
/// both count the other admin.
async fn locked_user(
    tx: &mut creanta_store::Tx,
    app: &App,
    user_id: i64,
) -> Result<(User, i64), AppError> {
    let others = users::other_active_admins(tx, app.org_id(), user_id).await?;
    let user = users::find_by_id_tx(tx, app.org_id(), user_id)
        .await?
        .ok_or_else(|| AppError::Invalid(format!("user #{user_id} vanished")))?;
    Ok((user, others))
}

/// What an admin may change on an account; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    /// Empty means the email, as when the user was added.
    pub name: Option<String>,
    pub role: Option<Role>,
    pub language: Option<Language>,
}

/// Changes a user's role, display name or language, with one audit event per kind of change
/// (`user.role_changed`, `user.updated`) holding the old and new values. The last active
/// admin of the organization cannot be demoted. Returns whether anything changed.
pub async fn update_user(
    app: &App,
    actor: &str,
    email: &str,
    changes: &UserChanges,
) -> Result<bool, AppError> {
    let found = existing(app, email).await?;
    let mut tx = app.store.begin().await?;
    let (user, other_admins) = locked_user(&mut tx, app, found.id).await?;
    let org = app.org_id();
    let mut log = Vec::new();
    if let Some(role) = changes.role
        && role.code() != user.role
    {
        if is_active_admin(&user) && other_admins == 0 {
            return Err(AppError::LastAdmin(user.email));
        }
        users::set_role(&mut tx, org, user.id, role.code()).await?;
        log.push(user_event(
            actor,
            "user.role_changed",
            user.id,
            json!({ "email": user.email, "changes": { "role": [user.role, role.code()] } }),
        ));
    }
    let mut updated = serde_json::Map::new();
    if let Some(name) = &changes.name {
        let name = match name.trim() {
            "" => user.email.as_str(),
            n => n,
        };
        if name.chars().count() > 200 {
            return Err(AppError::Invalid(
                "a name must have at most 200 characters".into(),
            ));
        }
        if name != user.name {
            users::set_name(&mut tx, org, user.id, name).await?;
            updated.insert("name".into(), json!([user.name, name]));
        }
    }
    if let Some(language) = changes.language
        && language.code() != user.language
    {
        users::set_language(&mut tx, org, user.id, language.code()).await?;
        updated.insert("language".into(), json!([user.language, language.code()]));
    }
    if !updated.is_empty() {
        log.push(user_event(
            actor,
            "user.updated",
            user.id,
            json!({ "email": user.email, "changes": updated }),
        ));
    }
    events::append(&mut tx, org, now(), &log).await?;
    tx.commit().await?;
    Ok(!log.is_empty())
}

pub async fn list_users(app: &App) -> Result<Vec<User>, AppError> {
    Ok(users::list(&app.store, app.org_id()).await?)
}

/// On the first start of an organization without users: an admin account, whose one-time
/// password the caller prints. `None` when the organization already has users.
pub async fn ensure_first_admin(app: &App) -> Result<Option<(User, String)>, AppError> {
    if users::count(&app.store, app.org_id()).await? > 0 {
        return Ok(None);
    }
    let email = format!("admin@{}.creanta.local", slug(&app.org.name));
    add_user(
        app,
        "system",
        &email,
        "Administrator",
        Role::Admin,
        Language::Ro,
    )
    .await
    .map(Some)
}

fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_owned();
    if s.is_empty() { "org".into() } else { s }
}

/// A signed-in user, as every request sees it.
#[derive(Debug, Clone)]
pub struct Session {
    pub org: Organization,
    pub user: User,
    pub csrf_token: String,
}

impl Session {
    pub fn role(&self) -> Role {
        self.user.role.parse().unwrap_or(Role::Partner)
    }
    pub fn language(&self) -> Language {
        self.user.language.parse().unwrap_or(Language::Ro)
    }
    pub fn app(&self, store: &Store) -> App {
        App {
            store: store.clone(),
            org: self.org.clone(),
        }
    }
}

#[derive(Debug)]
pub enum LoginError {
    /// Wrong email or password; deliberately not saying which.
    Invalid,
    Locked {
        until: Timestamp,
    },
    /// The email has accounts in several organizations; the organization must be named.
    OrganizationNeeded,
    Store(AppError),
}

impl From<creanta_store::StoreError> for LoginError {
    fn from(e: creanta_store::StoreError) -> Self {
        LoginError::Store(e.into())
    }
}

/// Checks the password and opens a session; returns the cookie token and the session.
pub async fn login(
    store: &Store,
    email: &str,
    password: &str,
    organization: Option<&str>,
) -> Result<(String, Session), LoginError> {
    let email = email.trim().to_lowercase();
    let t = now();
    let since = t.checked_sub(LOCK_WINDOW).unwrap_or(t);
    if sessions::failures_since(store, &email, since).await? >= MAX_FAILURES {
        return Err(LoginError::Locked {
            until: t.checked_add(LOCK_WINDOW).unwrap_or(t),
        });
    }
    let mut candidates = users::find_any_org(store, &email).await?;
    if let Some(name) = organization.map(str::trim).filter(|n| !n.is_empty()) {
        let org = orgs::find(store, name).await.ok();
        candidates.retain(|u| org.as_ref().is_some_and(|o| o.id == u.org_id));
    }
    if candidates.len() > 1 {
        return Err(LoginError::OrganizationNeeded);
    }
    let user = candidates.into_iter().next();
    // Verify even when there is no such user, so that timing does not reveal accounts.
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let ok = verify_password(
        password,
        hash.as_deref().unwrap_or(
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
        ),
    );
    let user = match user {
        Some(u) if ok && u.active && hash.is_some() => u,
        _ => {
            let mut tx = store.begin().await?;
            sessions::record_failure(&mut tx, &email, t).await?;
            tx.commit().await?;
            return Err(LoginError::Invalid);
        }
    };
    let token = random_hex(32);
    let csrf = random_hex(32);
    let org = orgs::find_by_id(store, user.org_id).await?;
    let mut tx = store.begin().await?;
    sessions::clear_failures(&mut tx, &email).await?;
    let expires = t.checked_add(SESSION_LIFETIME).unwrap_or(t);
    sessions::insert(
        &mut tx,
        &sha256_hex(token.as_bytes()),
        org.id,
        user.id,
        &csrf,
        t,
        expires,
    )
    .await?;
    events::append(
        &mut tx,
        org.id,
        t,
        &[NewEvent {
            actor: user.email.clone(),
            kind: "user.login".into(),
            subject_type: "user".into(),
            subject_id: Some(user.id),
            data: json!({}),
        }],
    )
    .await?;
    tx.commit().await?;
    Ok((
        token,
        Session {
            org,
            user,
            csrf_token: csrf,
        },
    ))
}

/// The session a cookie token belongs to, if it is still valid.
pub async fn session(store: &Store, token: &str) -> Result<Option<Session>, AppError> {
    let Some(row) = sessions::find(store, &sha256_hex(token.as_bytes()), now()).await? else {
        return Ok(None);
    };
    let org = orgs::find_by_id(store, row.org_id).await?;
    let user = users::find_by_id(store, row.org_id, row.user_id).await?;
    Ok(user.map(|user| Session {
        org,
        user,
        csrf_token: row.csrf_token,
    }))
}

pub async fn logout(store: &Store, token: &str) -> Result<(), AppError> {
    let mut tx = store.begin().await?;
    sessions::delete(&mut tx, &sha256_hex(token.as_bytes())).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_language(app: &App, user_id: i64, language: Language) -> Result<(), AppError> {
    let mut tx = app.store.begin().await?;
    users::set_language(&mut tx, app.org_id(), user_id, language.code()).await?;
    tx.commit().await?;
    Ok(())
}

/// A personal API token for `email`; the token is returned once and stored only hashed.
pub async fn create_token(
    app: &App,
    actor: &str,
    email: &str,
    name: &str,
) -> Result<(i64, String), AppError> {
    let user = existing(app, email).await?;
    if !user.active {
        return Err(AppError::Invalid(format!("{} is disabled", user.email)));
    }
    let token = format!("crt_{}", random_hex(32));
    let mut tx = app.store.begin().await?;
    let id = sessions::insert_token(
        &mut tx,
        app.org_id(),
        user.id,
        name.trim(),
        &sha256_hex(token.as_bytes()),
        now(),
    )
    .await?;
    tx.commit().await?;
    log(
        app,
        actor,
        "user.token_created",
        user.id,
        json!({ "token_id": id, "name": name }),
    )
    .await?;
    Ok((id, token))
}

pub async fn revoke_token(app: &App, actor: &str, id: i64) -> Result<(), AppError> {
    let mut tx = app.store.begin().await?;
    let n = sessions::revoke_token(&mut tx, app.org_id(), id).await?;
    tx.commit().await?;
    if n == 0 {
        return Err(AppError::Invalid(format!(
            "no API token #{id} in {}",
            app.org.name
        )));
    }
    let user_id = sessions::list_tokens(&app.store, app.org_id())
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .map(|t| t.user_id)
        .unwrap_or_default();
    log(
        app,
        actor,
        "user.token_revoked",
        user_id,
        json!({ "token_id": id }),
    )
    .await
}

pub async fn list_tokens(app: &App) -> Result<Vec<sessions::TokenInfo>, AppError> {
    Ok(sessions::list_tokens(&app.store, app.org_id()).await?)
}

/// The signed-in user an API token stands for.
pub async fn token_session(store: &Store, token: &str) -> Result<Option<Session>, AppError> {
    let Some((org_id, user_id)) =
        sessions::find_token(store, &sha256_hex(token.as_bytes())).await?
    else {
        return Ok(None);
    };
    let org = orgs::find_by_id(store, org_id).await?;
    Ok(users::find_by_id(store, org_id, user_id)
        .await?
        .filter(|u| u.active)
        .map(|user| Session {
            org,
            user,
            csrf_token: String::new(),
        }))
}
