//! Live updates: every committed change to the database — by this server, by
//! `paas capture` in another process, by anything — becomes one event on `/events`
//! (server-sent events), so open pages refetch what they show. A watcher asks SQLite's
//! `PRAGMA data_version` on a connection of its own a few times a second; the number moves
//! whenever another connection committed, whichever process it belongs to.

use crate::server::AppState;
use crate::storage::Db;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_stream::wrappers::{BroadcastStream, WatchStream};
use tokio_stream::{Stream, StreamExt};

/// How often the watcher looks for a change: the most an event lags behind its commit.
pub const POLL: Duration = Duration::from_millis(300);

/// The change feed: a counter that moves once per poll that saw commits.
#[derive(Debug, Clone)]
pub struct Events {
    tx: broadcast::Sender<u64>,
    /// Set at shutdown: open streams end, so that they do not hold the graceful stop.
    closing: std::sync::Arc<tokio::sync::watch::Sender<bool>>,
}

impl Default for Events {
    fn default() -> Self {
        Self {
            tx: broadcast::channel(16).0,
            closing: std::sync::Arc::new(tokio::sync::watch::channel(false).0),
        }
    }
}

impl Events {
    pub fn subscribe(&self) -> broadcast::Receiver<u64> {
        self.tx.subscribe()
    }

    /// Tells every open page that data changed (the number only grows).
    pub fn changed(&self, version: u64) {
        // no subscriber is not an error
        let _ = self.tx.send(version);
    }

    /// Ends every open stream (the server is stopping).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Follows the database's commits until the process ends. The version it starts from
    /// is read before this returns, so a commit made after the call is always announced.
    pub async fn spawn_watcher(&self, db: &Db) {
        let events = self.clone();
        let db = db.clone();
        let mut conn = db.connect_detached().await.ok();
        let mut last: Option<i64> = match conn.as_mut() {
            Some(c) => crate::storage::data_version(c).await.ok(),
            None => None,
        };
        tokio::spawn(async move {
            let mut seq = 0u64;
            let mut tick = tokio::time::interval(POLL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if conn.is_none() {
                    conn = db.connect_detached().await.ok();
                    // a new connection has versions of its own: start over from it
                    last = None;
                }
                let Some(c) = conn.as_mut() else { continue };
                match crate::storage::data_version(c).await {
                    Ok(v) => {
                        if last.is_some_and(|l| l != v) {
                            seq += 1;
                            events.changed(seq);
                        }
                        last = Some(v);
                    }
                    Err(_) => conn = None,
                }
            }
        });
    }
}

/// `GET /events`: `event: change` whenever data changed; a comment every 15 s keeps
/// proxies from closing the stream.
pub async fn stream(
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let changes = BroadcastStream::new(state.events.subscribe()).filter_map(|m| match m {
        Ok(v) => Some(Ok(Event::default().event("change").data(v.to_string()))),
        // a slow reader missed some: one event says the same
        Err(tokio_stream::wrappers::errors::BroadcastStreamRecvError::Lagged(_)) => {
            Some(Ok(Event::default().event("change").data("0")))
        }
    });
    let hello = tokio_stream::once(Ok(Event::default().event("ready").data("0")));
    let closing = WatchStream::new(state.events.closing.subscribe())
        .filter(|c| *c)
        .map(|_| None);
    let stream = hello
        .chain(changes)
        .map(Some)
        .merge(closing)
        .take_while(Option::is_some)
        .filter_map(|m| m);
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
