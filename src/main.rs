fn main() -> std::process::ExitCode {
    dialbase::install_tls_provider();
    dialbase::cli::run()
}
