//! `Transport`: how media travels (RFC 2326 section 12.39, RFC 7826 section 18.54). A request lists the
//! alternatives the client accepts, comma-separated; the response names the one the server chose.

use super::cursor::Cursor;
use super::{HeaderError, TypedHeader, names, write_token_or_quoted};

/// `unicast` or `multicast`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cast {
    /// `unicast`.
    Unicast,
    /// `multicast`.
    Multicast,
}

/// The lower transport after the profile (`RTP/AVP/TCP`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LowerTransport {
    /// `TCP`: interleaved in the RTSP connection.
    Tcp,
    /// `UDP` (also the meaning when none is written).
    Udp,
}

/// A port or a port pair (`5000-5001`: RTP on the first, RTCP on the second).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PortRange {
    /// The first port.
    pub start: u16,
    /// The second port, if written.
    pub end: Option<u16>,
}

/// An interleaved channel or channel pair (`0-1`: RTP on 0, RTCP on 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChannelRange {
    /// The first channel.
    pub start: u8,
    /// The second channel, if written.
    pub end: Option<u8>,
}

/// One transport alternative.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TransportSpec {
    /// Transport protocol, as written (`RTP`).
    pub protocol: String,
    /// Profile, as written (`AVP`, `SAVP`, `AVPF`, `SAVPF`).
    pub profile: String,
    /// Lower transport, if written (`RTP/AVP/TCP`).
    pub lower: Option<LowerTransport>,
    /// `unicast` or `multicast`, if written.
    pub cast: Option<Cast>,
    /// `destination=`: where to send media (empty when the parameter has no value).
    pub destination: Option<String>,
    /// `source=`: where media comes from.
    pub source: Option<String>,
    /// `interleaved=`: channels in the RTSP connection.
    pub interleaved: Option<ChannelRange>,
    /// `append`: RECORD appends to an existing presentation.
    pub append: bool,
    /// `ttl=`: multicast time-to-live.
    pub ttl: Option<u8>,
    /// `layers=`: multicast layers.
    pub layers: Option<u32>,
    /// `port=`: multicast ports.
    pub port: Option<PortRange>,
    /// `client_port=`: the client's UDP ports.
    pub client_port: Option<PortRange>,
    /// `server_port=`: the server's UDP ports.
    pub server_port: Option<PortRange>,
    /// `ssrc=`: the synchronisation source(s) the server will use (RFC 7826 allows several, `/`-separated).
    pub ssrc: Vec<u32>,
    /// `mode=`: `PLAY`, `RECORD` (as written).
    pub mode: Vec<String>,
    /// Every other parameter (RFC 7826's `dest_addr`, `setup`, `RTCP-mux`...): name and value as written,
    /// quotes kept.
    pub other: Vec<(String, Option<String>)>,
}

impl TransportSpec {
    /// A spec for `protocol/profile` with no parameters.
    pub fn new(protocol: &str, profile: &str) -> Self {
        TransportSpec {
            protocol: protocol.to_owned(),
            profile: profile.to_owned(),
            lower: None,
            cast: None,
            destination: None,
            source: None,
            interleaved: None,
            append: false,
            ttl: None,
            layers: None,
            port: None,
            client_port: None,
            server_port: None,
            ssrc: Vec::new(),
            mode: Vec::new(),
            other: Vec::new(),
        }
    }

    /// `RTP/AVP/TCP;unicast;interleaved=a-b`: media inside the RTSP connection (and so inside TLS).
    pub fn tcp_interleaved(rtp: u8, rtcp: u8) -> Self {
        TransportSpec {
            lower: Some(LowerTransport::Tcp),
            cast: Some(Cast::Unicast),
            interleaved: Some(ChannelRange { start: rtp, end: Some(rtcp) }),
            ..TransportSpec::new("RTP", "AVP")
        }
    }

    /// `RTP/AVP;unicast;client_port=a-b`: media over UDP.
    pub fn udp_unicast(rtp_port: u16, rtcp_port: u16) -> Self {
        TransportSpec {
            cast: Some(Cast::Unicast),
            client_port: Some(PortRange { start: rtp_port, end: Some(rtcp_port) }),
            ..TransportSpec::new("RTP", "AVP")
        }
    }

    /// Whether media goes over TCP (interleaved).
    pub fn is_tcp(&self) -> bool {
        self.lower == Some(LowerTransport::Tcp)
    }

    /// Whether the profile is SRTP (`SAVP`, `SAVPF`).
    pub fn is_secure_profile(&self) -> bool {
        self.profile.eq_ignore_ascii_case("SAVP") || self.profile.eq_ignore_ascii_case("SAVPF")
    }

    fn parse(c: &mut Cursor<'_>) -> Result<TransportSpec, HeaderError> {
        c.skip_ws();
        let protocol = c.token("a transport protocol (`RTP`)")?;
        if c.peek() != Some(b'/') {
            return Err(c.error("`/profile` after the transport protocol"));
        }
        c.eat(b'/');
        let profile = c.take_while(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if profile.is_empty() {
            return Err(c.error("a profile (`AVP`)"));
        }
        let mut spec = TransportSpec::new(protocol, profile);
        if c.peek() == Some(b'/') {
            c.eat(b'/');
            let lower_at = c.pos();
            let lower = c.token("a lower transport (`TCP` or `UDP`)")?;
            spec.lower = Some(if lower.eq_ignore_ascii_case("TCP") {
                LowerTransport::Tcp
            } else if lower.eq_ignore_ascii_case("UDP") {
                LowerTransport::Udp
            } else {
                return Err(c.error_at(lower_at, "a lower transport (`TCP` or `UDP`)"));
            });
        }
        while c.eat(b';') {
            if c.at_end() || c.peek() == Some(b',') {
                break; // A trailing `;` is harmless.
            }
            spec.parameter(c)?;
        }
        Ok(spec)
    }

    fn parameter(&mut self, c: &mut Cursor<'_>) -> Result<(), HeaderError> {
        let name_at = c.pos();
        let name = c.token("a transport parameter")?;
        let has_value = c.eat(b'=');
        let value_at = c.pos();
        let lower = name.to_ascii_lowercase();
        let need_value = |c: &Cursor<'_>| {
            if has_value { Ok(()) } else { Err(c.error_at(name_at, "`=value` after this parameter")) }
        };
        let duplicate = |c: &Cursor<'_>, taken: bool| {
            if taken { Err(c.error_at(name_at, "each transport parameter once")) } else { Ok(()) }
        };
        match lower.as_str() {
            "unicast" | "multicast" if !has_value => {
                duplicate(c, self.cast.is_some())?;
                self.cast = Some(if lower == "unicast" { Cast::Unicast } else { Cast::Multicast });
            }
            "append" if !has_value => self.append = true,
            "destination" => {
                duplicate(c, self.destination.is_some())?;
                self.destination = Some(if has_value { c.value(b";,")? } else { String::new() });
            }
            "source" => {
                need_value(c)?;
                duplicate(c, self.source.is_some())?;
                self.source = Some(c.value(b";,")?);
            }
            "interleaved" => {
                need_value(c)?;
                duplicate(c, self.interleaved.is_some())?;
                let start = c.number("a channel number 0-255")?;
                let end = if c.eat(b'-') { Some(c.number("a channel number 0-255")?) } else { None };
                self.interleaved = Some(ChannelRange { start, end });
            }
            "ttl" => {
                need_value(c)?;
                duplicate(c, self.ttl.is_some())?;
                self.ttl = Some(c.number("a TTL 0-255")?);
            }
            "layers" => {
                need_value(c)?;
                duplicate(c, self.layers.is_some())?;
                self.layers = Some(c.number("a number of layers")?);
            }
            "port" | "client_port" | "server_port" => {
                need_value(c)?;
                let start = c.number("a port number 0-65535")?;
                let end = if c.eat(b'-') { Some(c.number("a port number 0-65535")?) } else { None };
                let slot = match lower.as_str() {
                    "port" => &mut self.port,
                    "client_port" => &mut self.client_port,
                    _ => &mut self.server_port,
                };
                duplicate(c, slot.is_some())?;
                *slot = Some(PortRange { start, end });
            }
            "ssrc" => {
                need_value(c)?;
                duplicate(c, !self.ssrc.is_empty())?;
                loop {
                    let at = c.pos();
                    let hex = c.take_while(|b| b.is_ascii_hexdigit());
                    if hex.is_empty() || hex.len() > 8 {
                        return Err(c.error_at(at, "an SSRC of 1 to 8 hex digits"));
                    }
                    self.ssrc.push(u32::from_str_radix(hex, 16).map_err(|_| c.error_at(at, "hex digits"))?);
                    if !c.eat(b'/') {
                        break;
                    }
                }
            }
            "mode" => {
                need_value(c)?;
                duplicate(c, !self.mode.is_empty())?;
                let text = c.value(b";,")?;
                self.mode = text.split(',').map(|m| m.trim().to_owned()).filter(|m| !m.is_empty()).collect();
                if self.mode.is_empty() {
                    return Err(c.error_at(value_at, "a mode (`PLAY` or `RECORD`)"));
                }
            }
            _ => {
                let value = if has_value { Some(c.raw_value(b";,")?.to_owned()) } else { None };
                self.other.push((name.to_owned(), value));
            }
        }
        Ok(())
    }

    fn write(&self, out: &mut String) {
        out.push_str(&self.protocol);
        out.push('/');
        out.push_str(&self.profile);
        match self.lower {
            Some(LowerTransport::Tcp) => out.push_str("/TCP"),
            Some(LowerTransport::Udp) => out.push_str("/UDP"),
            None => {}
        }
        match self.cast {
            Some(Cast::Unicast) => out.push_str(";unicast"),
            Some(Cast::Multicast) => out.push_str(";multicast"),
            None => {}
        }
        if let Some(d) = &self.destination {
            out.push_str(";destination");
            if !d.is_empty() {
                out.push('=');
                write_token_or_quoted(d, out);
            }
        }
        if let Some(s) = &self.source {
            out.push_str(";source=");
            write_token_or_quoted(s, out);
        }
        if let Some(ch) = self.interleaved {
            push_range(out, ";interleaved=", ch.start.into(), ch.end.map(u16::from));
        }
        if self.append {
            out.push_str(";append");
        }
        if let Some(ttl) = self.ttl {
            out.push_str(&format!(";ttl={ttl}"));
        }
        if let Some(layers) = self.layers {
            out.push_str(&format!(";layers={layers}"));
        }
        for (name, range) in
            [("port", self.port), ("client_port", self.client_port), ("server_port", self.server_port)]
        {
            if let Some(r) = range {
                push_range(out, &format!(";{name}="), r.start, r.end);
            }
        }
        for (i, ssrc) in self.ssrc.iter().enumerate() {
            out.push_str(if i == 0 { ";ssrc=" } else { "/" });
            out.push_str(&format!("{ssrc:08X}"));
        }
        if !self.mode.is_empty() {
            out.push_str(";mode=");
            write_token_or_quoted(&self.mode.join(","), out);
        }
        for (name, value) in &self.other {
            out.push(';');
            out.push_str(name);
            if let Some(v) = value {
                out.push('=');
                out.push_str(v);
            }
        }
    }
}

fn push_range(out: &mut String, prefix: &str, start: u16, end: Option<u16>) {
    out.push_str(prefix);
    out.push_str(&start.to_string());
    if let Some(e) = end {
        out.push('-');
        out.push_str(&e.to_string());
    }
}

/// `Transport`: one or more comma-separated alternatives, in the client's order of preference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Transport(pub Vec<TransportSpec>);

impl TypedHeader for Transport {
    const NAME: &'static str = names::TRANSPORT;
    const LIST: bool = true;

    fn parse(value: &str) -> Result<Self, HeaderError> {
        let mut c = Cursor::new(Self::NAME, value);
        let mut specs = Vec::new();
        loop {
            c.skip_ws();
            if c.peek() == Some(b',') || c.at_end() {
                if c.at_end() {
                    break;
                }
                c.eat(b',');
                continue; // Empty list elements are allowed.
            }
            specs.push(TransportSpec::parse(&mut c)?);
            if !c.eat(b',') {
                break;
            }
        }
        c.finish("`;parameter`, `,` or the end of the value")?;
        if specs.is_empty() {
            return Err(c.error_at(0, "a transport specification (`RTP/AVP...`)"));
        }
        Ok(Transport(specs))
    }

    fn write_value(&self, out: &mut String) {
        for (i, spec) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            spec.write(out);
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn parse(v: &str) -> Transport {
        let t = Transport::parse(v).unwrap_or_else(|e| panic!("{v}: {e}"));
        assert_eq!(Transport::parse(&t.to_value()), Ok(t.clone()), "{}", t.to_value());
        t
    }

    #[test]
    fn tcp_interleaved_response() {
        let t = parse("RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=1A2B3C4D;mode=\"PLAY\"");
        let spec = &t.0[0];
        assert!(spec.is_tcp() && !spec.is_secure_profile());
        assert_eq!(spec.cast, Some(Cast::Unicast));
        assert_eq!(spec.interleaved, Some(ChannelRange { start: 0, end: Some(1) }));
        assert_eq!(spec.ssrc, [0x1A2B_3C4D]);
        assert_eq!(spec.mode, ["PLAY"]);
        assert_eq!(t.to_value(), "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=1A2B3C4D;mode=PLAY");
        assert_eq!(
            Transport(vec![TransportSpec::tcp_interleaved(2, 3)]).to_value(),
            "RTP/AVP/TCP;unicast;interleaved=2-3"
        );
    }

    #[test]
    fn udp_and_multicast_parameters() {
        let t = parse(
            "RTP/AVP;unicast;client_port=5000-5001;server_port=6970-6971;source=192.0.2.10;destination=192.0.2.20",
        );
        let s = &t.0[0];
        assert_eq!(s.lower, None);
        assert!(!s.is_tcp());
        assert_eq!(s.client_port, Some(PortRange { start: 5000, end: Some(5001) }));
        assert_eq!(s.server_port, Some(PortRange { start: 6970, end: Some(6971) }));
        assert_eq!(s.source.as_deref(), Some("192.0.2.10"));
        assert_eq!(s.destination.as_deref(), Some("192.0.2.20"));
        let m = parse("RTP/AVP/UDP;multicast;destination=232.0.1.2;port=3456-3457;ttl=16;layers=1;append");
        let m = &m.0[0];
        assert_eq!(
            (m.lower, m.cast, m.ttl, m.layers, m.append),
            (Some(LowerTransport::Udp), Some(Cast::Multicast), Some(16), Some(1), true)
        );
        assert_eq!(m.port, Some(PortRange { start: 3456, end: Some(3457) }));
        assert_eq!(
            Transport(vec![TransportSpec::udp_unicast(5000, 5001)]).to_value(),
            "RTP/AVP;unicast;client_port=5000-5001"
        );
    }

    #[test]
    fn several_alternatives_and_rtsp2_parameters() {
        let t = parse(
            "RTP/SAVP;unicast;client_port=4588-4589, RTP/AVP/TCP;unicast;interleaved=0-1;mode=\"PLAY,RECORD\",\
             RTP/AVPF;unicast;dest_addr=\":6970\"/\":6971\";RTCP-mux;ssrc=00000001/0A0B0C0D,",
        );
        assert_eq!(t.0.len(), 3);
        assert!(t.0[0].is_secure_profile());
        assert_eq!(t.0[1].mode, ["PLAY", "RECORD"]);
        assert_eq!(t.0[2].ssrc, [1, 0x0A0B_0C0D]);
        assert_eq!(t.0[2].other[0].0, "dest_addr");
        assert_eq!(t.0[2].other[1], ("RTCP-mux".to_owned(), None));
        // Short SSRCs (leading zeros dropped) and unquoted lowercase modes, as some servers write them.
        let s = parse("RTP/AVP/TCP;interleaved=4;ssrc=7d3a;mode=play;destination");
        assert_eq!((s.0[0].ssrc[0], s.0[0].mode[0].as_str()), (0x7d3a, "play"));
        assert_eq!(s.0[0].interleaved, Some(ChannelRange { start: 4, end: None }));
        assert_eq!(s.0[0].destination.as_deref(), Some(""));
    }

    #[test]
    fn errors_name_the_offending_byte() {
        let err = |v: &str| Transport::parse(v).unwrap_err();
        assert_eq!(err("").pos, 0);
        assert_eq!(err("RTP").pos, 3);
        assert_eq!(err("RTP/").pos, 4);
        assert_eq!(err("RTP/AVP/SCTP").pos, 8);
        assert_eq!(err("RTP/AVP;interleaved=0-256").pos, 22);
        assert_eq!(err("RTP/AVP;client_port=70000").pos, 20);
        assert_eq!(err("RTP/AVP;client_port").pos, 8);
        assert_eq!(err("RTP/AVP;ssrc=123456789").pos, 13);
        assert_eq!(err("RTP/AVP;ssrc=zz").pos, 13);
        assert_eq!(err("RTP/AVP;unicast;unicast").pos, 16);
        assert_eq!(err("RTP/AVP;mode=\"\"").pos, 13);
        assert_eq!(err("RTP/AVP;ttl=1 x").pos, 14);
        assert_eq!(err("RTP/AVP;=1").pos, 8);
        assert_eq!(err("RTP/AVP;source=\"open").pos, 15);
    }
}
