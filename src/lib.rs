//! Dialbase: a self-hosted contact database for outbound call centres that speaks
//! the VCC Live, iovox and jtel contact APIs over one shared core.

pub mod cli;
pub mod domain;
pub mod http;
pub mod storage;
