//! The authentication facts of the report, from the auth module's capability summary.

use crate::diagnose::facts::{AuthFacts, ChallengeFacts, ClientFacts};
use crate::rtsp::auth::capability::{Capability, ClientVerdict};
use crate::rtsp::auth::challenge::Scheme;

/// The facts of the first 401's challenges, with the outcome so far (`pending`, `no_credentials`...).
pub(crate) fn facts(capability: &Capability, outcome: &str) -> AuthFacts {
    let challenges = capability
        .offered
        .iter()
        .map(|o| ChallengeFacts {
            scheme: match o.scheme {
                Scheme::Basic => "Basic".to_owned(),
                Scheme::Digest => "Digest".to_owned(),
                Scheme::Other => o.text.split_whitespace().next().unwrap_or_default().to_owned(),
            },
            algorithm: o.algorithm.clone(),
            text: o.text.clone(),
        })
        .collect();
    let clients = capability
        .clients
        .iter()
        .map(|c| {
            let (verdict, reason) = match &c.verdict {
                ClientVerdict::Works => ("works", None),
                ClientVerdict::Risky(why) => ("risky", Some(why.clone())),
                ClientVerdict::Fails { reason, .. } => ("fails", Some(reason.clone())),
            };
            ClientFacts { client: c.client.to_owned(), verdict: verdict.to_owned(), reason }
        })
        .collect();
    AuthFacts {
        challenges,
        chosen: capability.reason.clone(),
        outcome: outcome.to_owned(),
        clients,
        www_authenticate: capability.set.values.clone(),
    }
}
