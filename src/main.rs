fn main() -> std::process::ExitCode {
    dialbase::no_transparent_huge_pages();
    dialbase::install_tls_provider();
    dialbase::cli::run()
}
