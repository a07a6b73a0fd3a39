//! `RTP-Info`: for each stream of a PLAY response, the first RTP sequence number and timestamp (RFC 2326
//! section 12.33; RFC 7826 section 18.45 adds quoted URLs and per-SSRC groups).
//!
//! RFC 2326 leaves URLs unquoted although they may contain `;` and `,` (`.../trackID=1;seq=5` and
//! `...?a=1,2`). An unquoted URL therefore ends only where a known parameter (`;seq=`, `;rtptime=`, ` ssrc=`)
//! or the next stream (`,url=`) begins, which is how cameras' values are read in practice.

use super::cursor::Cursor;
use super::{HeaderError, TypedHeader, UriRef, names};

/// One stream's entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RtpInfoEntry {
    /// The stream's URL as written (usually its SETUP URL).
    pub url: UriRef,
    /// The SSRC this entry is about (RFC 7826 form `ssrc=...:seq=...`).
    pub ssrc: Option<u32>,
    /// The sequence number of the first packet sent after PLAY.
    pub seq: Option<u16>,
    /// The RTP timestamp matching the start of the Range.
    pub rtptime: Option<u32>,
}

/// `RTP-Info`: one entry per stream (several for a stream with several SSRCs).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RtpInfo(pub Vec<RtpInfoEntry>);

/// Whether the text at the start of `rest` (after optional whitespace) is `name=`, case-insensitively.
fn starts_param(rest: &str, name: &str) -> bool {
    let rest = rest.trim_start_matches([' ', '\t']);
    rest.as_bytes()
        .split_at_checked(name.len())
        .is_some_and(|(key, after)| after.first() == Some(&b'=') && key.eq_ignore_ascii_case(name.as_bytes()))
}

/// The length of an unquoted URL at the start of `rest`.
fn unquoted_url_len(rest: &str) -> usize {
    let bytes = rest.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        // `b` is ASCII in every arm that looks past it, so `i + 1` is a char boundary.
        let after = || rest.get(i + 1..).unwrap_or("");
        let ends = match b {
            b' ' | b'\t' => true,
            b',' => starts_param(after(), "url"),
            b';' => ["seq", "rtptime", "ssrc"].iter().any(|p| starts_param(after(), p)),
            _ => false,
        };
        if ends {
            return i;
        }
    }
    bytes.len()
}

/// Parses `;seq=...;rtptime=...` (or, after an `ssrc=X:` group, `seq=...;rtptime=...`) into `entry`.
fn parameters(
    c: &mut Cursor<'_>,
    entry: &mut RtpInfoEntry,
    mut first_without_semicolon: bool,
) -> Result<(), HeaderError> {
    loop {
        if !first_without_semicolon && !c.eat(b';') {
            return Ok(());
        }
        first_without_semicolon = false;
        if c.at_end() || c.peek() == Some(b',') {
            return Ok(()); // A trailing `;` (or `ssrc=X:` with nothing after it).
        }
        let name_at = c.pos();
        let name = c.token("`seq=` or `rtptime=`")?;
        c.expect(b'=', "`=` after the parameter name")?;
        let twice = || c.error_at(name_at, "each parameter once per stream");
        if name.eq_ignore_ascii_case("seq") {
            if entry.seq.is_some() {
                return Err(twice());
            }
            entry.seq = Some(c.number("a sequence number 0-65535")?);
        } else if name.eq_ignore_ascii_case("rtptime") {
            if entry.rtptime.is_some() {
                return Err(twice());
            }
            entry.rtptime = Some(c.number("an RTP timestamp 0-4294967295")?);
        } else {
            c.raw_value(b";, \t")?; // Extension parameters are skipped.
        }
    }
}

impl TypedHeader for RtpInfo {
    const NAME: &'static str = names::RTP_INFO;
    const LIST: bool = true;

    fn parse(value: &str) -> Result<Self, HeaderError> {
        let mut c = Cursor::new(Self::NAME, value);
        let mut entries = Vec::new();
        loop {
            c.skip_ws();
            if c.at_end() && !entries.is_empty() {
                break; // A trailing comma.
            }
            let key_at = c.pos();
            let key = c.token("`url=`")?;
            if !key.eq_ignore_ascii_case("url") || !c.eat(b'=') {
                return Err(c.error_at(key_at, "`url=`"));
            }
            let url_at = c.pos();
            let url_text = if c.peek() == Some(b'"') {
                c.quoted()?
            } else {
                let len = unquoted_url_len(c.rest());
                c.take(len).to_owned()
            };
            let url = UriRef::new(&url_text).map_err(|_| c.error_at(url_at, "a stream URL"))?;
            let mut entry = RtpInfoEntry { url, ssrc: None, seq: None, rtptime: None };
            parameters(&mut c, &mut entry, false)?;
            // RFC 7826: ` ssrc=HEX:params` groups, each one an entry for the same URL.
            let mut groups = 0;
            while starts_param(c.rest(), "ssrc") {
                c.skip_ws();
                c.token("`ssrc`")?;
                c.eat(b'=');
                let at = c.pos();
                let hex = c.take_while(|b| b.is_ascii_hexdigit());
                let ssrc = (1..=8)
                    .contains(&hex.len())
                    .then(|| u32::from_str_radix(hex, 16).ok())
                    .flatten()
                    .ok_or_else(|| c.error_at(at, "an SSRC of 1 to 8 hex digits"))?;
                c.expect(b':', "`:` after the SSRC")?;
                let mut group = RtpInfoEntry { ssrc: Some(ssrc), ..entry.clone() };
                parameters(&mut c, &mut group, true)?;
                entries.push(group);
                groups += 1;
            }
            if groups == 0 {
                entries.push(entry);
            }
            if !c.eat(b',') {
                break;
            }
        }
        c.finish("`;seq=`, `;rtptime=`, `,url=` or the end of the value")?;
        Ok(RtpInfo(entries))
    }

    fn write_value(&self, out: &mut String) {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("url=");
            let url = e.url.as_str();
            if e.ssrc.is_some() || url.contains([';', ',', '"']) {
                // Quoted (RFC 7826 style) unless it is a bare token, which reads back the same.
                super::write_token_or_quoted(url, out);
            } else {
                out.push_str(url);
            }
            let mut sep = ";";
            if let Some(ssrc) = e.ssrc {
                out.push_str(&format!(" ssrc={ssrc:08X}:"));
                sep = "";
            }
            if let Some(seq) = e.seq {
                out.push_str(&format!("{sep}seq={seq}"));
                sep = ";";
            }
            if let Some(t) = e.rtptime {
                out.push_str(&format!("{sep}rtptime={t}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn parse(v: &str) -> RtpInfo {
        let r = RtpInfo::parse(v).unwrap_or_else(|e| panic!("{v}: {e}"));
        assert_eq!(RtpInfo::parse(&r.to_value()), Ok(r.clone()), "{}", r.to_value());
        r
    }

    fn entry(url: &str, seq: Option<u16>, rtptime: Option<u32>) -> RtpInfoEntry {
        RtpInfoEntry { url: UriRef::new(url).unwrap(), ssrc: None, seq, rtptime }
    }

    #[test]
    fn rfc_2326_streams() {
        let r = parse(
            "url=rtsp://cam.example/bar.avi/streamid=0;seq=45102, url=rtsp://cam.example/bar.avi/streamid=1;seq=30211",
        );
        assert_eq!(
            r.0,
            [
                entry("rtsp://cam.example/bar.avi/streamid=0", Some(45102), None),
                entry("rtsp://cam.example/bar.avi/streamid=1", Some(30211), None)
            ]
        );
        let r = parse("url=trackID=1;seq=1;rtptime=4294967295;x-ext=9,");
        assert_eq!(r.0, [entry("trackID=1", Some(1), Some(u32::MAX))]);
    }

    #[test]
    fn unquoted_urls_with_semicolons_and_commas() {
        // Query strings and path parameters inside unquoted URLs, as cameras send them.
        let r = parse(
            "url=rtsp://192.0.2.1/Streaming/Channels/101/trackID=1?transportmode=unicast&profile=a,b;\
             seq=7;rtptime=8,url=rtsp://192.0.2.1/x;type=video;seq=9",
        );
        assert_eq!(
            r.0[0].url.as_str(),
            "rtsp://192.0.2.1/Streaming/Channels/101/trackID=1?transportmode=unicast&profile=a,b"
        );
        assert_eq!((r.0[0].seq, r.0[0].rtptime), (Some(7), Some(8)));
        assert_eq!(r.0[1].url.as_str(), "rtsp://192.0.2.1/x;type=video");
        assert_eq!(r.0[1].seq, Some(9));
    }

    #[test]
    fn rfc_7826_quoted_urls_and_ssrc_groups() {
        let r = parse(
            "url=\"rtsp://cam.example/foo/audio\" ssrc=0A13C760:seq=45102;rtptime=12345678,\
             url=\"rtsp://cam.example/foo/video\" ssrc=9A9DE123:seq=30211;rtptime=29567112 ssrc=1:seq=5",
        );
        assert_eq!(r.0.len(), 3);
        assert_eq!(
            (r.0[0].ssrc, r.0[0].seq, r.0[0].rtptime),
            (Some(0x0A13_C760), Some(45102), Some(12_345_678))
        );
        assert_eq!(r.0[1].url, r.0[2].url);
        assert_eq!((r.0[2].ssrc, r.0[2].seq), (Some(1), Some(5)));
        assert_eq!(parse("url=\"a;b\";seq=1").0[0].url.as_str(), "a;b");
        assert_eq!(parse("url=x ssrc=00000001:").0[0].seq, None);
    }

    #[test]
    fn errors_name_the_offending_byte() {
        let err = |v: &str| RtpInfo::parse(v).unwrap_err();
        assert_eq!(err("").pos, 0);
        assert_eq!(err("uri=x").pos, 0);
        assert_eq!(err("url=x;seq=70000").pos, 10);
        assert_eq!(err("url=x;seq=1;seq=2").pos, 12);
        assert_eq!(err("url=x;rtptime=-1").pos, 14);
        assert_eq!(err("url=\"open").pos, 4);
        assert_eq!(err("url=x ssrc=123456789:seq=1").pos, 11);
        assert_eq!(err("url=x ssrc=12").pos, 13);
        assert_eq!(err("url=x;seq=1 junk").pos, 12);
    }
}
