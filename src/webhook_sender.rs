//! The webhook sender (docs/changes.md): delivers the change feed to each webhook, one
//! event per request, signed, in feed order. One node of the cluster sends at a time: it
//! holds a lease in the database and renews it; another node takes over once it lapses.
//! Progress is saved after each batch, so a node that dies sends that batch again: at
//! least once, and in order per record (a receiver keeps the first of any repeats).

use crate::domain::calldate;
use crate::domain::changes::{Change, ChangeCursor};
use crate::domain::webhook::{Delivery, DeliveryState, Webhook, backoff_seconds, signature};
use crate::settings::number;
use crate::storage::{Redelivery, Store, StoreError, WebhookProgress};
use std::sync::Arc;
use std::time::Duration;

const LEASE: &str = "webhook-sender";
/// Events one webhook gets per round before its progress is saved.
const BATCH: u32 = 100;

#[derive(Debug, Clone)]
pub struct SenderConfig {
    /// `DIALBASE_WEBHOOK_LEASE`: seconds a sender's lease lasts unless renewed (30).
    pub lease_seconds: i64,
    /// `DIALBASE_WEBHOOK_ATTEMPTS`: failed attempts before an event is dead-lettered (8).
    pub attempts: i64,
    /// How long the sender rests when nothing was due.
    pub idle: Duration,
    /// `DIALBASE_WEBHOOK_TIMEOUT`: seconds a receiver has to answer (10).
    pub timeout: Duration,
}

impl SenderConfig {
    pub fn from_env() -> Result<Self, String> {
        Ok(Self {
            lease_seconds: number("DIALBASE_WEBHOOK_LEASE", 30, 1..=3_600)?,
            attempts: number("DIALBASE_WEBHOOK_ATTEMPTS", 8, 1..=100)?,
            idle: Duration::from_millis(200),
            timeout: Duration::from_secs(number("DIALBASE_WEBHOOK_TIMEOUT", 10, 1..=300)?),
        })
    }
}

/// Runs the sender on this node for as long as the server runs.
pub fn start(store: Arc<dyn Store>, config: SenderConfig) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .timeout(config.timeout)
        .user_agent(concat!("dialbase/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("webhook client: {e}"))?;
    let holder = format!("{}-{}", std::process::id(), crate::domain::auth::generate_key());
    tokio::spawn(async move {
        let sender = Sender { store, client, config };
        let mut lease_checked = tokio::time::Instant::now() - Duration::from_secs(3_600);
        let mut holding = false;
        loop {
            // Renewed at a third of its length: a live holder never lets it lapse.
            if lease_checked.elapsed() >= Duration::from_secs((sender.config.lease_seconds as u64).div_ceil(3)) {
                let now = calldate::now_seconds();
                holding = match sender
                    .store
                    .take_lease(LEASE, &holder, sender.config.lease_seconds, now)
                    .await
                {
                    Ok(held) => held,
                    Err(e) => {
                        tracing::warn!(error = %e, "webhook lease");
                        false
                    }
                };
                lease_checked = tokio::time::Instant::now();
            }
            let busy = holding
                && sender.round().await.unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "webhook round failed");
                    false
                });
            if !busy {
                tokio::time::sleep(sender.config.idle).await;
            }
        }
    });
    Ok(())
}

struct Sender {
    store: Arc<dyn Store>,
    client: reqwest::Client,
    config: SenderConfig,
}

/// Why a delivery failed: the receiver's status, if it answered, and what went wrong.
type Failure = (Option<u16>, String);

impl Sender {
    /// One batch for every webhook due; whether any had something to send.
    async fn round(&self) -> Result<bool, StoreError> {
        let due = self.store.due_webhooks(calldate::now_seconds()).await?;
        let rounds = due.iter().map(|webhook| self.serve(webhook));
        let busy = futures_util::future::join_all(rounds).await;
        Ok(busy.into_iter().any(|b| b.unwrap_or(false)))
    }

    async fn serve(&self, webhook: &Webhook) -> Result<bool, StoreError> {
        let mut progress = WebhookProgress {
            cursor: webhook.cursor,
            failures: webhook.failures,
            retry_at: 0,
            last_error: webhook.last_error.clone(),
            ..Default::default()
        };
        let mut busy = false;
        for delivery in self.store.pending_deliveries(webhook, BATCH).await? {
            busy = true;
            let attempts = delivery.attempts + 1;
            let Some(change) = change_of(&delivery) else { continue };
            let (state, last_status, last_error) = match self.send(webhook, &change, attempts).await {
                Ok(status) => (DeliveryState::Delivered, Some(status), None),
                Err((status, error)) => {
                    let state = if attempts >= self.config.attempts {
                        DeliveryState::Dead
                    } else {
                        DeliveryState::Pending
                    };
                    (state, status, Some(error))
                }
            };
            let failed = state != DeliveryState::Delivered;
            progress.redelivered.push(Redelivery {
                id: delivery.id,
                state,
                attempts,
                last_status,
                last_error: last_error.clone(),
            });
            if failed {
                progress.retry_at = calldate::now_seconds() + backoff_seconds(attempts);
                progress.last_error = last_error;
                self.store.save_progress(webhook, progress).await?;
                return Ok(true);
            }
        }
        let events = self
            .store
            .changes(webhook.tenant, webhook.cursor, webhook.filter.clone(), BATCH)
            .await?;
        for change in &events {
            busy = true;
            let attempts = progress.failures + 1;
            match self.send(webhook, change, attempts).await {
                Ok(status) => {
                    progress.logged.push(logged(
                        webhook,
                        change,
                        DeliveryState::Delivered,
                        attempts,
                        Some(status),
                        None,
                    ));
                    progress.cursor = change.cursor;
                    progress.failures = 0;
                    progress.last_error = None;
                }
                Err((status, error)) if attempts >= self.config.attempts => {
                    // Given up on: logged as dead (redeliver sends it again), and the feed goes on.
                    progress.logged.push(logged(
                        webhook,
                        change,
                        DeliveryState::Dead,
                        attempts,
                        status,
                        Some(error.clone()),
                    ));
                    progress.cursor = change.cursor;
                    progress.failures = 0;
                    progress.last_error = Some(error);
                    break;
                }
                Err((_, error)) => {
                    // Later events wait for this one: per record, order is kept.
                    progress.failures = attempts;
                    progress.retry_at = calldate::now_seconds() + backoff_seconds(attempts);
                    progress.last_error = Some(error);
                    break;
                }
            }
        }
        if busy {
            self.store.save_progress(webhook, progress).await?;
        }
        Ok(busy)
    }

    async fn send(&self, webhook: &Webhook, change: &Change, attempt: i64) -> Result<u16, Failure> {
        let mut body = change.to_json();
        body["webhook"] = webhook.id.into();
        let body = body.to_string().into_bytes();
        let timestamp = calldate::now_seconds();
        let sent = self
            .client
            .post(&webhook.url)
            .header("content-type", "application/json")
            .header("x-dialbase-timestamp", timestamp)
            .header("x-dialbase-signature", signature(&webhook.secret, timestamp, &body))
            .header("x-dialbase-webhook", webhook.id)
            .header("x-dialbase-attempt", attempt)
            .body(body)
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => Ok(response.status().as_u16()),
            Ok(response) => {
                let status = response.status().as_u16();
                Err((Some(status), format!("the receiver answered {status}")))
            }
            Err(e) => Err((None, format!("not delivered: {}", without_url(&e)))),
        }
    }
}

/// A transport error's text without the URL (it may carry credentials).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    kind.to_string()
}

fn logged(
    webhook: &Webhook,
    change: &Change,
    state: DeliveryState,
    attempts: i64,
    status: Option<u16>,
    error: Option<String>,
) -> Delivery {
    Delivery {
        id: 0,
        webhook: webhook.id,
        cursor: change.cursor.to_string(),
        kind: change.kind.as_str().to_string(),
        project: change.project,
        record: change.record,
        at: change.at,
        state,
        attempts,
        last_status: status,
        last_error: error,
        updated_at: calldate::now_seconds(),
    }
}

/// The event a logged delivery was.
fn change_of(delivery: &Delivery) -> Option<Change> {
    Some(Change {
        cursor: delivery.cursor.parse::<ChangeCursor>().ok()?,
        kind: delivery.kind.parse().ok()?,
        project: delivery.project,
        record: delivery.record,
        at: delivery.at,
    })
}
