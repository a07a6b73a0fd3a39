//! The probe in virtual time against the real server session (`server_pair`): the healthy paths and what a
//! server does on purpose. The scripted camera of `probe_support` (whose misbehaviours `probe_codes` provokes)
//! is shared with `probe_codes`.

mod probe_support;
mod server_pair;
