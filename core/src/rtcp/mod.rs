//! RTCP (RFC 3550): compound packet parsing (SR, RR, SDES, BYE, APP) and building receiver/sender reports.
