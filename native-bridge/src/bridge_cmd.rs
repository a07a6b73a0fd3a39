//! `rtspeek bridge`: serves the web page and runs live probes for it (docs/bridge-protocol.md) until Ctrl-C.

use crate::cli_error::CliError;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use clap::Args;
use rtspeek_bridge::bridge::{Bridge, BridgeError, BridgeOptions};

use crate::render;

/// The port tried when `--bind` is not given (a stable origin keeps the page's own settings across runs).
const DEFAULT_PORT: u16 = 8090;

/// Arguments of `rtspeek bridge`.
#[derive(Debug, Args)]
pub(crate) struct BridgeArgs {
    /// Address and port to listen on [default: 127.0.0.1:8090, or a free port if that one is taken;
    /// port 0 picks a free port].
    #[arg(long, value_name = "ADDR:PORT")]
    bind: Option<SocketAddr>,
    /// Allow a non-loopback --bind address. DANGEROUS: anyone who can reach that address and learns the
    /// token can make this machine probe any host it can reach (your LAN).
    #[arg(long)]
    allow_non_loopback: bool,
}

pub(crate) fn run(args: BridgeArgs) -> Result<u8, CliError> {
    crate::init_logging("warn");
    let runtime = crate::multi_thread_runtime()?;
    runtime.block_on(async {
        let bridge = start(&args).await?;
        if !bridge.addr().ip().to_canonical().is_loopback() {
            eprintln!(
                "\n\
                 !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
                 !! WARNING: rtspeek bridge is listening on {addr}, NOT only on loopback.\n\
                 !! Anyone who can reach this address and learns the token can make this machine connect to\n\
                 !! any host and port it can reach (cameras, routers, your whole LAN), with the credentials\n\
                 !! they choose. The page and the token travel in clear (plain HTTP): use this only on a\n\
                 !! network you trust, and stop the bridge (Ctrl-C) when you are done.\n\
                 !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n",
                addr = bridge.addr()
            );
        }
        if !Bridge::web_ui_built() {
            eprintln!(
                "rtspeek bridge: the web UI is not built into this binary (run `cargo xtask web`, then rebuild); \
                 the WebSocket works"
            );
        }
        render::print_stdout(&format!(
            "rtspeek bridge: open this URL in your browser (it holds the session token; Ctrl-C stops):\n{}\n",
            bridge.url()
        ));
        let _ = tokio::signal::ctrl_c().await;
        eprintln!("rtspeek bridge: stopping");
        bridge.shutdown().await;
        Ok(0)
    })
}

/// Starts on `--bind`, or on the default port with a fallback to any free loopback port.
async fn start(args: &BridgeArgs) -> Result<Bridge, BridgeError> {
    let options =
        |bind| BridgeOptions { bind, allow_non_loopback: args.allow_non_loopback, ..Default::default() };
    if let Some(bind) = args.bind {
        return Bridge::start(options(bind)).await;
    }
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    match Bridge::start(options(SocketAddr::new(loopback, DEFAULT_PORT))).await {
        Ok(bridge) => Ok(bridge),
        Err(e) => {
            eprintln!("rtspeek bridge: {e}; using another port");
            Bridge::start(options(SocketAddr::new(loopback, 0))).await
        }
    }
}
