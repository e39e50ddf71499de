// mimalloc: the server allocates many small, short-lived strings per record; glibc's
// malloc was a quarter of the import's and the export's CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    dialbase::cli::run()
}
