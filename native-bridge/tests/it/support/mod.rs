//! What the tests share: `rtspeek serve` in its own process with a test PKI ([`serve`]) and its admin endpoint
//! ([`admin`]), the bridge and the clients a page would be ([`bridge`]), and the real probe driver against a
//! peer ([`live_probe`]).

pub(crate) mod admin;
pub(crate) mod bridge;
pub(crate) mod live_probe;
pub(crate) mod netns;
pub(crate) mod serve;
