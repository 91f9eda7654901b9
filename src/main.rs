#[tokio::main]
async fn main() -> std::process::ExitCode {
    paas::server::cli::main().await
}
