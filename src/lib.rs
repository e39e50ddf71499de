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

/// Turns transparent huge pages off for this process (and what it starts). mimalloc
/// returns idle memory to the kernel and takes it back moments later; with huge pages each
/// of those faults zeroes 2 MiB: after the machine had been idle (free huge pages again) a
/// third of an import's CPU went into `clear_page`, and the import ran at half its speed.
pub fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and only sets a flag of the process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Makes rustls (with the ring provider) the process's TLS for HTTP clients: reqwest
/// (webhooks) is built without a provider of its own, and panics without one.
pub fn install_tls_provider() {
    // Err: one is installed already, which is as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
