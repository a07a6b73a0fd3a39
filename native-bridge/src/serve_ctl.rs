//! `rtspeek serve ctl CONFIG status|apply|rollback`: the admin page's actions from scripts, against a running
//! server's admin endpoint (docs/admin-api.md). The endpoint and its token come from the configuration; the
//! endpoint is trusted by `--ca` or, by default, by the configuration's own global certificate (pinned).

use std::path::PathBuf;

use clap::{Args, Subcommand};
use rtspeek_bridge::serve::admin::client::{AdminClient, Answer, ClientError};
use rtspeek_bridge::serve::config::ServeConfig;
use serde_json::{Value, json};

use crate::cli_error::CliError;
use crate::render;

/// Arguments of `rtspeek serve ctl`.
#[derive(Debug, Args)]
pub(crate) struct CtlArgs {
    /// The running server's configuration file (its `[admin]` and global `[tls]`).
    #[arg(value_name = "CONFIG")]
    config: PathBuf,
    /// Trust the admin endpoint's certificate by this CA (PEM) instead of pinning the configuration's global
    /// certificate.
    #[arg(long, value_name = "FILE", global = true)]
    ca: Option<PathBuf>,
    /// The endpoint's address when the configuration's `[admin] listen` has port 0 (what the server printed).
    #[arg(long, value_name = "ADDR", global = true)]
    connect: Option<std::net::SocketAddr>,
    #[command(subcommand)]
    action: CtlAction,
}

#[derive(Debug, Subcommand)]
enum CtlAction {
    /// Streams, certificate pairs (with days left) and open connections.
    Status {
        /// The endpoint's JSON document as it is.
        #[arg(long)]
        json: bool,
    },
    /// Validate a new pair on the server, put it in place (the old one kept) and serve it to new connections
    /// at once.
    Apply {
        /// The pair of this stream instead of the global one.
        #[arg(long, value_name = "PATH")]
        stream: Option<String>,
        /// The new certificate chain (PEM, leaf first).
        #[arg(long, value_name = "FILE")]
        cert: PathBuf,
        /// The new private key (PEM).
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
    },
    /// Put the previous pair back.
    Rollback {
        /// The pair of this stream instead of the global one.
        #[arg(long, value_name = "PATH")]
        stream: Option<String>,
    },
}

pub(crate) fn run(args: CtlArgs) -> Result<u8, CliError> {
    let config = ServeConfig::load(&args.config).map_err(|e| CliError::Input(e.to_string()))?;
    let client = AdminClient::for_config(&config, args.connect, args.ca.as_deref()).map_err(client_error)?;
    let pair_id =
        |stream: &Option<String>| stream.as_ref().map_or("global".to_owned(), |p| format!("stream/{p}"));
    let (method, path, body) = match &args.action {
        CtlAction::Status { .. } => ("GET", "/api/status", None),
        CtlAction::Apply { stream, cert, key } => {
            let read = |p: &PathBuf| {
                std::fs::read_to_string(p).map_err(|e| CliError::Input(format!("{}: {e}", p.display())))
            };
            let body = json!({ "pair": pair_id(stream), "cert": read(cert)?, "key": read(key)? });
            ("POST", "/api/apply", Some(body.to_string()))
        }
        CtlAction::Rollback { stream } => {
            ("POST", "/api/rollback", Some(json!({ "pair": pair_id(stream) }).to_string()))
        }
    };
    let runtime = crate::multi_thread_runtime()?;
    let answer = runtime.block_on(client.call(method, path, body.as_deref())).map_err(client_error)?;
    let document = refused(&answer)?;
    let text = match args.action {
        CtlAction::Status { json: true } => format!("{document:#}\n"),
        CtlAction::Status { json: false } => status_text(&document),
        CtlAction::Apply { .. } | CtlAction::Rollback { .. } => applied_text(&document),
    };
    render::print_stdout(&text);
    Ok(0)
}

fn client_error(e: ClientError) -> CliError {
    match e {
        ClientError::Setup(_) => CliError::Input(e.to_string()),
        ClientError::Unreachable(_) | ClientError::Untrusted { .. } => CliError::Runtime(e.to_string()),
    }
}

/// The answer's JSON when it succeeded; a refusal with every reason otherwise (the server's fault: 74).
fn refused(answer: &Answer) -> Result<Value, CliError> {
    let document: Option<Value> = serde_json::from_str(&answer.body).ok();
    if answer.status == 200 {
        return document
            .ok_or_else(|| CliError::Runtime("the admin endpoint answered 200 without JSON".into()));
    }
    let mut message = match document.as_ref().and_then(|d| d["error"].as_str()) {
        Some(error) => format!("{error} (HTTP {})", answer.status),
        None => answer.body.trim().to_owned(),
    };
    for reason in document.as_ref().and_then(|d| d["reasons"].as_array()).into_iter().flatten() {
        message.push_str(&format!("\n  {}: {}", text(&reason["code"]), text(&reason["summary"])));
    }
    Err(if answer.status >= 500 { CliError::Runtime(message) } else { CliError::Input(message) })
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or("-")
}

fn status_text(status: &Value) -> String {
    let now = status["now_unix"].as_i64().unwrap_or(0);
    let mut lines = vec![format!("{} (encryption {})", text(&status["server"]), text(&status["encryption"]))];
    for s in status["streams"].as_array().into_iter().flatten() {
        let urls: Vec<&str> =
            [&s["rtsps_url"], &s["rtsp_url"]].into_iter().filter_map(Value::as_str).collect();
        lines.push(format!(
            "stream {}  {}  pair {}  viewers {}  {}",
            text(&s["path"]),
            text(&s["encryption"]),
            s["pair"].as_str().unwrap_or("none"),
            s["viewers"],
            urls.join(" ")
        ));
    }
    for p in status["pairs"].as_array().into_iter().flatten() {
        let leaf = &p["leaf"];
        let left = leaf["not_after"]
            .as_str()
            .and_then(|t| time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok())
            .map(|t| (t.unix_timestamp() - now) / 86_400);
        let expiry = left.map_or_else(|| "expiry unknown".to_owned(), |d| format!("{d} days left"));
        lines.push(format!(
            "pair {}  {}  {}  SHA-256 {}  {}",
            text(&p["id"]),
            text(&leaf["subject"]),
            expiry,
            text(&p["fingerprint"]),
            text(&p["cert_file"])
        ));
        for note in
            p["notes"].as_array().into_iter().flatten().chain(p["warnings"].as_array().into_iter().flatten())
        {
            lines.push(format!("  warn {}", text(note)));
        }
    }
    let sessions = status["sessions"].as_array().map_or(0, Vec::len);
    lines.push(format!("{sessions} open connection(s)"));
    lines.join("\n") + "\n"
}

fn applied_text(answer: &Value) -> String {
    let pair = &answer["pair"];
    let mut line =
        format!("{} now serves SHA-256 {} to new connections", text(&pair["id"]), text(&pair["fingerprint"]));
    if let Some(previous) = answer["previous_fingerprint"].as_str() {
        line.push_str(&format!(" (it replaced {previous}; open connections keep theirs)"));
    }
    line + "\n"
}
