//! Work the server does in the background while it runs.

use std::time::Duration;

use creanta_store::Store;
use creanta_store::repo::{debtor_list, orgs};

use crate::{AppError, today_in};

/// Re-ages every organization's debtors list whose day has changed (a few seconds at a million
/// invoices), so that the first page of the morning does not wait for it.
pub async fn age_debtor_lists(store: &Store) -> Result<(), AppError> {
    for org in orgs::list(store).await? {
        debtor_list::ensure_current(store, org.id, today_in(&org.time_zone)).await?;
    }
    Ok(())
}

/// Runs [`age_debtor_lists`] now and then every few minutes, until the runtime stops.
pub fn spawn(store: Store) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = age_debtor_lists(&store).await {
                tracing::warn!(error = %e, "could not re-age the debtors lists");
            }
            tokio::time::sleep(Duration::from_secs(300)).await;
        }
    })
}
