use paas::server::assets::{Asset, Embedded};

/// The browser bundle, compressed and named by `build.rs` (empty without a built site).
static ASSETS: &[Asset] = include!(concat!(env!("OUT_DIR"), "/assets.rs"));
const BUNDLE_HASH: &str = include_str!(concat!(env!("OUT_DIR"), "/bundle_hash.txt"));

#[tokio::main]
async fn main() -> std::process::ExitCode {
    paas::server::cli::main(Embedded {
        files: ASSETS,
        hash: BUNDLE_HASH,
    })
    .await
}
