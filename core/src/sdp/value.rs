//! Typed values of SDP lines and of the attributes rtspeek reads. Each `parse` borrows from the line and, on
//! failure, says in a few words what was wrong (the parser turns that into an issue with the line number).

/// Why a value did not parse: a short phrase for people (`"clock rate is not a number"`).
pub type ValueError = &'static str;

/// Whether `b` separates fields: a space or a tab.
fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// The first space-separated field of `s`, and the rest after it. (Byte scans here and below: SDP strings are
/// short, and `str` pattern searchers cost more to set up than the scan.)
fn first_field(s: &str) -> (&str, &str) {
    let s = s.trim_ascii_start();
    s.split_at(s.bytes().position(is_blank).unwrap_or(s.len()))
}

/// Splits on runs of spaces or tabs (cameras pad fields with several).
fn fields(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = s;
    std::iter::from_fn(move || {
        let (field, after) = first_field(rest);
        rest = after;
        (!field.is_empty()).then_some(field)
    })
}

/// Splits `s` around the first `separator`, an ASCII byte.
pub(crate) fn split_at_byte(s: &str, separator: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == separator)?;
    // An ASCII separator sits between chars; `get` keeps a non-ASCII one from panicking.
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin<'a> {
    /// User name, `-` when none.
    pub username: &'a str,
    /// Session id (numeric by the RFC; kept as written).
    pub session_id: &'a str,
    /// Session version.
    pub session_version: &'a str,
    /// Network type, `IN`.
    pub net_type: &'a str,
    /// Address type, `IP4` or `IP6`.
    pub addr_type: &'a str,
    /// Address of the originating host.
    pub address: &'a str,
}

impl<'a> Origin<'a> {
    /// Parses the value of an `o=` line.
    pub fn parse(value: &'a str) -> Result<Self, ValueError> {
        let mut f = fields(value);
        let mut next = || f.next().ok_or("origin needs 6 fields: user id version IN IP4 address");
        let origin = Origin {
            username: next()?,
            session_id: next()?,
            session_version: next()?,
            net_type: next()?,
            addr_type: next()?,
            address: next()?,
        };
        if f.next().is_some() {
            return Err("origin has more than 6 fields");
        }
        Ok(origin)
    }
}

/// `c=<nettype> <addrtype> <connection-address>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Connection<'a> {
    /// Network type, `IN`.
    pub net_type: &'a str,
    /// Address type, `IP4` or `IP6`.
    pub addr_type: &'a str,
    /// The address, with any `/ttl/count` suffix as written.
    pub address: &'a str,
}

impl<'a> Connection<'a> {
    /// Parses the value of a `c=` line.
    pub fn parse(value: &'a str) -> Result<Self, ValueError> {
        let mut f = fields(value);
        let (Some(net_type), Some(addr_type), Some(address), None) = (f.next(), f.next(), f.next(), f.next())
        else {
            return Err("connection needs 3 fields: IN IP4 address");
        };
        if !addr_type.eq_ignore_ascii_case("IP4") && !addr_type.eq_ignore_ascii_case("IP6") {
            return Err("connection address type is neither IP4 nor IP6");
        }
        Ok(Connection { net_type, addr_type, address })
    }
}

/// `b=<bwtype>:<bandwidth>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bandwidth<'a> {
    /// Bandwidth type: `AS` (kbit/s, application specific), `CT`, `TIAS` (bit/s), `RS`, `RR`...
    pub kind: &'a str,
    /// The number, in the unit of the type.
    pub value: u64,
}

impl<'a> Bandwidth<'a> {
    /// Parses the value of a `b=` line.
    pub fn parse(value: &'a str) -> Result<Self, ValueError> {
        let (kind, number) = split_at_byte(value, b':').ok_or("bandwidth needs <type>:<number>")?;
        if kind.is_empty() {
            return Err("bandwidth type is empty");
        }
        let value = number.trim_ascii().parse().map_err(|_| "bandwidth is not a number")?;
        Ok(Bandwidth { kind, value })
    }
}

/// `t=<start-time> <stop-time>` (NTP seconds; `0 0` for an unbounded session, which is what cameras say).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Start, NTP seconds, 0 for unbounded.
    pub start: u64,
    /// Stop, NTP seconds, 0 for unbounded.
    pub stop: u64,
}

impl Timing {
    /// Parses the value of a `t=` line.
    pub fn parse(value: &str) -> Result<Self, ValueError> {
        let mut f = fields(value);
        let (Some(start), Some(stop), None) = (f.next(), f.next(), f.next()) else {
            return Err("timing needs 2 numbers: start stop");
        };
        let number = |s: &str| s.parse::<u64>().map_err(|_| "timing is not two numbers");
        Ok(Timing { start: number(start)?, stop: number(stop)? })
    }
}

/// `m=<media> <port>[/<count>] <proto> <fmt> ...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaLine<'a> {
    /// `video`, `audio`, `application`, ... (empty when the line is empty).
    pub media: &'a str,
    /// The port; `None` when it does not parse. In RTSP it is usually 0: the client picks ports in SETUP.
    pub port: Option<u16>,
    /// The `/<count>` after the port, for layered multicast.
    pub port_count: Option<u16>,
    /// `RTP/AVP`, `RTP/SAVP`, `RTP/AVPF`, `TCP/RTP/AVP`...
    pub proto: &'a str,
    /// The formats, space separated, as written.
    pub formats: &'a str,
}

impl<'a> MediaLine<'a> {
    /// Parses the value of an `m=` line. Always returns the fields it could read, plus the first problem, so
    /// that a damaged `m=` line still opens a media section.
    pub fn parse(value: &'a str) -> (Self, Option<ValueError>) {
        let (media, rest) = first_field(value);
        let (port_field, rest) = first_field(rest);
        let (proto, rest) = first_field(rest);
        let formats = rest.trim_ascii();
        let (port_text, count_text) = match split_at_byte(port_field, b'/') {
            Some((p, c)) => (p, Some(c)),
            None => (port_field, None),
        };
        let port = port_text.parse::<u16>().ok();
        let port_count = count_text.and_then(|c| c.parse::<u16>().ok());
        let line = MediaLine { media, port, port_count, proto, formats };
        let problem = if media.is_empty() || proto.is_empty() {
            Some("media line needs: <media> <port> <proto> <formats>")
        } else if port.is_none() || (count_text.is_some() && port_count.is_none()) {
            Some("media port is not a number from 0 to 65535")
        } else if formats.is_empty() {
            Some("media line lists no format")
        } else if line.is_rtp() && line.formats().any(|f| parse_payload_type(f).is_err()) {
            Some("RTP media format is not a payload type from 0 to 127")
        } else {
            None
        };
        (line, problem)
    }

    /// Whether the protocol carries RTP (its formats are then payload types).
    pub fn is_rtp(&self) -> bool {
        self.proto.split('/').any(|p| p.eq_ignore_ascii_case("RTP"))
    }

    /// Whether the protocol is secure RTP (`RTP/SAVP`, `RTP/SAVPF`, `UDP/TLS/RTP/SAVPF`).
    pub fn is_srtp(&self) -> bool {
        self.proto.split('/').any(|p| p.eq_ignore_ascii_case("SAVP") || p.eq_ignore_ascii_case("SAVPF"))
    }

    /// The formats.
    pub fn formats(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        fields(self.formats)
    }

    /// The formats that are payload types (0..=127).
    pub fn payload_types(&self) -> impl Iterator<Item = u8> + use<'a> {
        self.formats().filter_map(|f| parse_payload_type(f).ok())
    }
}

/// An RTP payload type: 0..=127.
fn parse_payload_type(s: &str) -> Result<u8, ValueError> {
    match s.parse::<u8>() {
        Ok(pt) if pt <= 127 => Ok(pt),
        _ => Err("payload type is not a number from 0 to 127"),
    }
}

/// `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<channels>]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rtpmap<'a> {
    /// Line number.
    pub line: u32,
    /// RTP payload type.
    pub payload_type: u8,
    /// Encoding name as written (`H264`, `H265`, `MPEG4-GENERIC`...); compare ignoring ASCII case.
    pub encoding: &'a str,
    /// RTP clock rate in Hz.
    pub clock_rate: u32,
    /// Audio channels, when given.
    pub channels: Option<u16>,
}

impl<'a> Rtpmap<'a> {
    /// Parses the value of `a=rtpmap:` found on line `line`.
    pub fn parse(value: &'a str, line: u32) -> Result<Self, ValueError> {
        let (pt, rest) = first_field(value);
        let rest = rest.trim_ascii();
        if rest.is_empty() {
            return Err("rtpmap needs <payload type> <encoding>");
        }
        let payload_type = parse_payload_type(pt)?;
        let mut parts = rest.split('/');
        let encoding = parts.next().unwrap_or_default().trim_ascii();
        if encoding.is_empty() {
            return Err("rtpmap encoding name is empty");
        }
        let clock_rate = match parts.next().map(str::trim_ascii) {
            Some(c) if !c.is_empty() => c.parse().map_err(|_| "rtpmap clock rate is not a number")?,
            _ => return Err("rtpmap has no clock rate (<encoding>/<clock rate>)"),
        };
        let channels = match parts.next().map(str::trim_ascii) {
            // A trailing `/` is sloppy but harmless.
            None | Some("") => None,
            Some(c) => Some(c.parse().map_err(|_| "rtpmap channel count is not a number")?),
        };
        if parts.next().is_some() {
            return Err("rtpmap has more than <encoding>/<clock rate>/<channels>");
        }
        Ok(Rtpmap { line, payload_type, encoding, clock_rate, channels })
    }

    /// Whether the encoding is `name`, ignoring ASCII case.
    pub fn is(&self, name: &str) -> bool {
        self.encoding.eq_ignore_ascii_case(name)
    }
}

/// `a=fmtp:<payload type> <parameters>`: format parameters, usually `key=value` pairs separated by `;`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fmtp<'a> {
    /// Line number.
    pub line: u32,
    /// RTP payload type.
    pub payload_type: u8,
    /// The parameters as written.
    pub params: &'a str,
}

impl<'a> Fmtp<'a> {
    /// Parses the value of `a=fmtp:` found on line `line`.
    pub fn parse(value: &'a str, line: u32) -> Result<Self, ValueError> {
        let (pt, params) = first_field(value);
        let params = params.trim_ascii();
        let payload_type = parse_payload_type(pt).map_err(|_| "fmtp does not start with a payload type")?;
        Ok(Fmtp { line, payload_type, params })
    }

    /// The parameters as `(key, value)`, both trimmed; a parameter without `=` has an empty value. Values keep
    /// any `=` after the first (base64 padding).
    pub fn params(&self) -> impl Iterator<Item = (&'a str, &'a str)> + use<'a> {
        self.params.split(';').filter_map(|p| {
            let p = p.trim_ascii();
            if p.is_empty() {
                return None;
            }
            Some(match split_at_byte(p, b'=') {
                Some((k, v)) => (k.trim_ascii(), v.trim_ascii()),
                None => (p, ""),
            })
        })
    }

    /// The value of parameter `key`, ignoring ASCII case in keys (RFC 6184 keys are case-insensitive).
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.params().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)
    }
}

/// `a=range:<unit>=<start>-[<end>]` (RFC 2326 C.1.5), e.g. `npt=0-` for a live stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range<'a> {
    /// `npt`, `clock` or `smpte` (`smpte-25`...).
    pub unit: &'a str,
    /// Start, as written (may be empty or `now`).
    pub start: &'a str,
    /// End, as written; `None` for an open range (live).
    pub end: Option<&'a str>,
}

impl<'a> Range<'a> {
    /// Parses the value of `a=range:`.
    pub fn parse(value: &'a str) -> Result<Self, ValueError> {
        let (unit, span) =
            split_at_byte(value.trim_ascii(), b'=').ok_or("range needs <unit>=<start>-<end>")?;
        if unit.is_empty() {
            return Err("range unit is empty");
        }
        let (start, end) = split_at_byte(span, b'-').ok_or("range has no '-'")?;
        let end = end.trim_ascii();
        Ok(Range {
            unit: unit.trim_ascii(),
            start: start.trim_ascii(),
            end: (!end.is_empty()).then_some(end),
        })
    }
}

/// Parses the value of `a=framerate:` (frames per second).
pub fn parse_framerate(value: &str) -> Result<f64, ValueError> {
    match value.trim_ascii().parse::<f64>() {
        Ok(f) if f.is_finite() && f > 0.0 => Ok(f),
        _ => Err("framerate is not a positive number"),
    }
}

/// `a=x-dimensions:<width>,<height>`: picture size some servers announce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dimensions {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl Dimensions {
    /// Parses the value of `a=x-dimensions:`.
    pub fn parse(value: &str) -> Result<Self, ValueError> {
        let (w, h) = split_at_byte(value, b',').ok_or("x-dimensions needs <width>,<height>")?;
        let n = |s: &str| s.trim_ascii().parse::<u32>().map_err(|_| "x-dimensions is not two numbers");
        Ok(Dimensions { width: n(w)?, height: n(h)? })
    }
}

/// `a=crypto:<tag> <crypto-suite> <key-params> [<session-params>]` (SDES, RFC 4568): SRTP keys in the SDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crypto<'a> {
    /// Line number.
    pub line: u32,
    /// Tag.
    pub tag: u32,
    /// Crypto suite (`AES_CM_128_HMAC_SHA1_80`...).
    pub suite: &'a str,
    /// Key parameters (`inline:<key>|...`): secret material, never shown.
    pub key_params: &'a str,
    /// Session parameters, if any.
    pub session_params: Option<&'a str>,
}

impl<'a> Crypto<'a> {
    /// Parses the value of `a=crypto:` found on line `line`.
    pub fn parse(value: &'a str, line: u32) -> Result<Self, ValueError> {
        let (tag, rest) = first_field(value);
        let (suite, rest) = first_field(rest);
        let (key_params, rest) = first_field(rest);
        if key_params.is_empty() {
            return Err("crypto needs <tag> <suite> <key-params>");
        }
        let tag = tag.parse().map_err(|_| "crypto tag is not a number")?;
        let rest = rest.trim_ascii();
        let session_params = (!rest.is_empty()).then_some(rest);
        Ok(Crypto { line, tag, suite, key_params, session_params })
    }
}

/// `a=key-mgmt:<protocol id> <data>` (RFC 4567), e.g. MIKEY for SRTP keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyMgmt<'a> {
    /// Line number.
    pub line: u32,
    /// Key management protocol (`mikey`).
    pub protocol: &'a str,
    /// The protocol's data (base64 for MIKEY).
    pub data: &'a str,
}

impl<'a> KeyMgmt<'a> {
    /// Parses the value of `a=key-mgmt:` found on line `line`.
    pub fn parse(value: &'a str, line: u32) -> Result<Self, ValueError> {
        let (protocol, data) = first_field(value);
        let data = data.trim_ascii();
        if data.is_empty() {
            return Err("key-mgmt needs <protocol> <data>");
        }
        Ok(KeyMgmt { line, protocol, data })
    }
}

/// Media direction attributes (RFC 8866 6.7). Seen from the side that wrote the description: a camera's
/// stream is `sendonly` (or the default `sendrecv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `a=sendrecv` (the default).
    SendRecv,
    /// `a=sendonly`.
    SendOnly,
    /// `a=recvonly`.
    RecvOnly,
    /// `a=inactive`.
    Inactive,
}

impl Direction {
    /// The direction named by attribute `name` (ASCII case ignored).
    pub fn from_name(name: &str) -> Option<Direction> {
        [Direction::SendRecv, Direction::SendOnly, Direction::RecvOnly, Direction::Inactive]
            .into_iter()
            .find(|d| name.eq_ignore_ascii_case(d.as_str()))
    }

    /// The attribute name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn rtpmap() {
        let r = Rtpmap::parse("97 MPEG4-GENERIC/48000/2", 9).unwrap();
        assert_eq!(
            (r.line, r.payload_type, r.encoding, r.clock_rate, r.channels),
            (9, 97, "MPEG4-GENERIC", 48000, Some(2))
        );
        assert!(r.is("mpeg4-generic"));
        // Sloppy but harmless: padding, a trailing slash.
        let r = Rtpmap::parse("  96   H264/90000/ ", 1).unwrap();
        assert_eq!((r.encoding, r.clock_rate, r.channels), ("H264", 90000, None));
        assert_eq!(Rtpmap::parse("128 H264/90000", 1), Err("payload type is not a number from 0 to 127"));
        assert_eq!(Rtpmap::parse("96 H264", 1), Err("rtpmap has no clock rate (<encoding>/<clock rate>)"));
        assert_eq!(Rtpmap::parse("96 H264/", 1), Err("rtpmap has no clock rate (<encoding>/<clock rate>)"));
        assert_eq!(Rtpmap::parse("96 H264/ninety", 1), Err("rtpmap clock rate is not a number"));
        assert_eq!(Rtpmap::parse("96 /90000", 1), Err("rtpmap encoding name is empty"));
        assert_eq!(Rtpmap::parse("96 L16/8000/x", 1), Err("rtpmap channel count is not a number"));
        assert_eq!(
            Rtpmap::parse("96 L16/8000/1/2", 1),
            Err("rtpmap has more than <encoding>/<clock rate>/<channels>")
        );
    }

    #[test]
    fn fmtp() {
        let f = Fmtp::parse("101 0-15", 4).unwrap();
        assert_eq!((f.line, f.payload_type, f.params), (4, 101, "0-15"));
        assert_eq!(f.params().collect::<Vec<_>>(), [("0-15", "")]);
        let f = Fmtp::parse("96", 4).unwrap();
        assert_eq!((f.params, f.params().count()), ("", 0));
        let f = Fmtp::parse("96 a=1;; B = two ;c=x==;", 4).unwrap();
        assert_eq!(f.params().collect::<Vec<_>>(), [("a", "1"), ("B", "two"), ("c", "x==")]);
        assert_eq!(f.get("b"), Some("two"));
        assert_eq!(Fmtp::parse("", 4), Err("fmtp does not start with a payload type"));
    }

    #[test]
    fn range_framerate_dimensions() {
        let r = Range::parse("npt=0-10.5").unwrap();
        assert_eq!((r.unit, r.start, r.end), ("npt", "0", Some("10.5")));
        let r = Range::parse("clock=19961108T142300Z-19961108T143520Z").unwrap();
        assert_eq!((r.unit, r.start, r.end), ("clock", "19961108T142300Z", Some("19961108T143520Z")));
        let r = Range::parse("npt=-").unwrap();
        assert_eq!((r.start, r.end), ("", None));
        assert_eq!(Range::parse("=0-"), Err("range unit is empty"));
        assert_eq!(parse_framerate(" 29.97 "), Ok(29.97));
        assert!(
            parse_framerate("inf").is_err()
                && parse_framerate("-25").is_err()
                && parse_framerate("NaN").is_err()
        );
        assert_eq!(Dimensions::parse("1280, 720"), Ok(Dimensions { width: 1280, height: 720 }));
        assert_eq!(Dimensions::parse("1280,"), Err("x-dimensions is not two numbers"));
    }

    #[test]
    fn session_lines() {
        assert!(Origin::parse("- 1 1 IN IP4 192.0.2.1 extra").is_err());
        let o = Origin::parse("user  1\t2 IN IP6 2001:db8::1").unwrap();
        assert_eq!((o.username, o.session_version, o.address), ("user", "2", "2001:db8::1"));
        let c = Connection::parse("IN IP6 ff15::101/3").unwrap();
        assert_eq!((c.addr_type, c.address), ("IP6", "ff15::101/3"));
        assert!(Connection::parse("IN IP4 192.0.2.1 x").is_err());
        assert_eq!(Bandwidth::parse("TIAS:2000000"), Ok(Bandwidth { kind: "TIAS", value: 2_000_000 }));
        assert_eq!(Bandwidth::parse(":5"), Err("bandwidth type is empty"));
        assert_eq!(Timing::parse("0 0"), Ok(Timing { start: 0, stop: 0 }));
        assert!(Timing::parse("0 0 0").is_err());
    }

    #[test]
    fn media_line_protocols() {
        let (m, problem) = MediaLine::parse("video 0 TCP/RTP/AVP 96");
        assert!(problem.is_none() && m.is_rtp() && !m.is_srtp());
        let (m, _) = MediaLine::parse("video 9 UDP/TLS/RTP/SAVPF 96 97");
        assert!(m.is_rtp() && m.is_srtp());
        assert_eq!(m.payload_types().collect::<Vec<_>>(), [96, 97]);
        let (m, problem) = MediaLine::parse("application 0 udp MP2T");
        assert!(problem.is_none() && !m.is_rtp());
        let (m, problem) = MediaLine::parse("");
        assert_eq!((m.media, m.port, problem.is_some()), ("", None, true));
    }

    #[test]
    fn srtp_attributes_and_direction() {
        let c = Crypto::parse(
            "2 F8_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|2^20|1:4",
            3,
        )
        .unwrap();
        assert_eq!((c.tag, c.suite, c.session_params), (2, "F8_128_HMAC_SHA1_80", None));
        assert_eq!(Crypto::parse("x AES inline:k", 3), Err("crypto tag is not a number"));
        let k = KeyMgmt::parse("mikey  AQAF", 5).unwrap();
        assert_eq!((k.protocol, k.data), ("mikey", "AQAF"));
        assert_eq!(Direction::from_name("SENDONLY"), Some(Direction::SendOnly));
        assert_eq!(Direction::from_name("inactive").map(Direction::as_str), Some("inactive"));
        assert_eq!(Direction::from_name("control"), None);
    }
}
