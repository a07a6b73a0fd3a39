//! SDP (RFC 8866): parser with line numbers in errors, and the lint that turns what cameras get wrong into
//! findings.
