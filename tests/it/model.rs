//! Model-based differential test: random sequences of operations in every dialect (VCC Live
//! records, fields and values, the Robinson list, jtel, the dialer API, iovox contacts) go to
//! the real server and to a plain in-memory model of the data (`model/state.rs`); after every
//! step the server's answer and the state it shows (the records the step touched, the project
//! schema, every so often all records and the contact book) must equal the model's.
//!
//! Sizes: `DIALBASE_MODEL_SEQUENCES` (200; 100 on PostgreSQL), `DIALBASE_MODEL_STEPS` (50), `DIALBASE_MODEL_SEED`,
//! `DIALBASE_MODEL_SERVERS` (3). Each sequence has its own project and seed; a failure prints
//! the seed that replays it alone and the operations up to the failing step.

mod check;
mod expect;
mod fields;
mod generate;
mod iovox;
mod ops;
mod others;
mod pools;
mod resolve;
pub mod rng;

pub use resolve::JTEL_CANONICAL;
mod run;
mod state;
mod vcc;
mod views;
mod wire;

use std::time::Instant;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_operations_agree_with_the_reference_model() {
    let config = run::Config::from_env();
    let started = Instant::now();
    let workers: Vec<_> = (0..config.servers)
        .map(|worker| tokio::spawn(run::worker(config.clone(), worker)))
        .collect();
    let (mut failures, mut steps) = (Vec::new(), 0);
    for worker in workers {
        let (failed, ran) = worker.await.expect("a model worker panicked");
        failures.extend(failed);
        steps += ran;
    }
    failures.sort_by_key(|f| f.sequence);
    println!(
        "model: {} sequences x {} steps (seed {:#x}, {} servers): {steps} steps agreed, {} sequences failed, {:.1?}",
        config.sequences,
        config.steps,
        config.seed,
        config.servers,
        failures.len(),
        started.elapsed()
    );
    assert!(failures.is_empty(), "{}", run::report(&failures, &config));
}
