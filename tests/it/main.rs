//! The integration tests, one binary: each module drives the real `dialbase` binary over HTTP.

mod bench_smoke;
mod cli_transfer;
mod common;
mod dedup;
mod dialer_claims;
mod dialer_two_nodes;
mod dialing_rules;
mod dnc_lists;
mod export;
mod indexed_search;
mod iovox;
mod iovox_contract;
mod iovox_dialects;
mod iovox_errors;
mod iovox_rules;
mod jtel;
mod model;
mod postgres_layout;
mod schema_cache_nodes;
mod storage_batches;
mod storage_contract;
mod storage_search;
mod upgrade;
mod vcc_api;
mod vcc_errors;
mod vcc_seeds;
