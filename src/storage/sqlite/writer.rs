//! The write connection's own thread. It takes every write waiting for it (up to
//! [`MAX_GROUP`]), runs each inside a SAVEPOINT of one transaction (a write that fails
//! rolls back alone), commits once and only then answers them all: concurrent small
//! writes such as claims share one commit, and nothing is acknowledged before it is.

use crate::storage::StoreError;
use rusqlite::Connection;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use tokio::sync::oneshot;

/// Writes committed together at most: bounds how long the first of a group waits.
const MAX_GROUP: usize = 64;

/// A write's answer, sent once its group's commit is known (`Some` = the commit failed).
type Answer = Box<dyn FnOnce(Option<&StoreError>) + Send>;
/// Runs a write on the connection (none: the transaction could not start, so it does not
/// run); says whether it succeeded and how to answer it.
type Job = Box<dyn FnOnce(Option<&Connection>) -> (bool, Answer) + Send>;

pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    pub fn start(conn: Connection) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || serve(conn, queue))
            .expect("start the SQLite writer thread");
        Self { jobs }
    }

    pub async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let outcome = match conn {
                Some(conn) => catch_unwind(AssertUnwindSafe(|| work(conn)))
                    .unwrap_or_else(|_| Err(StoreError::Backend("a storage write panicked".into()))),
                None => Err(StoreError::Backend("no write transaction".into())),
            };
            let succeeded = outcome.is_ok();
            let answer: Answer = Box::new(move |commit_failure| {
                let _ = reply.send(match commit_failure {
                    None => outcome,
                    Some(e) => Err(StoreError::Backend(format!("commit failed: {e}"))),
                });
            });
            (succeeded, answer)
        });
        self.jobs
            .send(job)
            .map_err(|_| StoreError::Backend("the SQLite writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Backend("the SQLite writer dropped a write".into()))?
    }
}

fn serve(conn: Connection, queue: mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        run_group(&conn, group);
    }
}

/// Runs one statement, prepared once per connection: these run for every write.
fn run(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

fn run_group(conn: &Connection, group: Vec<Job>) {
    if let Err(e) = run(conn, "BEGIN IMMEDIATE") {
        let e = StoreError::from(e);
        for job in group {
            let (_, answer) = job(None);
            answer(Some(&e));
        }
        return;
    }
    let mut answers = Vec::with_capacity(group.len());
    // A savepoint journals every page its write changes (a batch modification of 100,000
    // records: hundreds of MiB), so a write alone in its group runs without one and a
    // failure rolls the whole (one-write) transaction back instead.
    let alone = group.len() == 1;
    let mut failed_alone = false;
    for job in group {
        if alone {
            let (succeeded, answer) = job(Some(conn));
            failed_alone = !succeeded;
            answers.push(answer);
            continue;
        }
        let savepoint = run(conn, "SAVEPOINT job");
        let (succeeded, answer) = job(Some(conn));
        let undo = if succeeded {
            Ok(())
        } else {
            run(conn, "ROLLBACK TO job")
        };
        if let Err(e) = savepoint.and(undo).and_then(|()| run(conn, "RELEASE job")) {
            tracing::error!(error = %e, "savepoint failed");
        }
        answers.push(answer);
    }
    if failed_alone {
        // Its own answer is its error; nothing of it stays.
        let _ = run(conn, "ROLLBACK");
        for answer in answers {
            answer(None);
        }
        return;
    }
    let committed = run(conn, "COMMIT").map_err(StoreError::from);
    if committed.is_err() {
        let _ = run(conn, "ROLLBACK");
    }
    for answer in answers {
        answer(committed.as_ref().err());
    }
}
