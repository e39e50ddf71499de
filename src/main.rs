fn main() -> std::process::ExitCode {
    dialbase::cli::run()
}
