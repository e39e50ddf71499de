//! Dialbase: a self-hosted contact database for outbound call centres that speaks
//! the VCC Live, iovox and jtel contact APIs over one shared core.

pub mod cli;
pub mod domain;
pub mod http;
pub mod settings;
pub mod storage;
pub mod webhook_sender;

// mimalloc for every executable built on this crate (the server, the CLI, the bench,
// which runs the server as itself): the server allocates many small, short-lived strings
// per record, and glibc's malloc was a quarter of the import's and the export's CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Makes rustls (with the ring provider) the process's TLS for HTTP clients: reqwest
/// (webhooks) is built without a provider of its own, and panics without one.
pub fn install_tls_provider() {
    // Err: one is installed already, which is as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
