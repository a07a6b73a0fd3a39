//! WS-Discovery (being written on the `wsd` branch).
