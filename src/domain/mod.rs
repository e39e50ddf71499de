//! Domain model and validation: plain data and pure functions, no I/O.
//! Every API dialect maps its wire format onto these types.

pub mod audit;
pub mod auth;
pub mod call_outcome;
pub mod calldate;
pub mod canonical;
pub mod changes;
pub mod contact;
pub mod dialing;
pub mod dialing_rules;
pub mod dnc;
pub mod document;
pub mod error;
pub mod export;
pub mod iovox;
pub mod keys;
pub mod record;
pub mod resolve;
pub mod schema;
pub mod tenant;
pub mod webhook;

pub use error::ValidationError;
