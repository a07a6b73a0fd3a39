//! `Range`: the part of the presentation to play (RFC 2326 sections 3.5-3.7 and 12.29, RFC 7826 section
//! 4.4): normal play time (`npt=0-`, `npt=now-`, `npt=1:02:03.5-`), absolute clock time
//! (`clock=19961108T142300Z-`) and SMPTE time codes (`smpte=10:12:33:20-`).

use std::time::Duration;

use super::cursor::Cursor;
use super::{HeaderError, TypedHeader, names};

/// A normal play time point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NptTime {
    /// `now`: the live point.
    Now,
    /// An offset from the start of the presentation (nanosecond precision; finer digits are dropped).
    At(Duration),
}

/// An absolute UTC time `YYYYMMDDThhmmss[.fraction]Z`, kept as its fields (core has no calendar).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClockTime {
    /// Year (4 digits).
    pub year: u16,
    /// Month 1-12.
    pub month: u8,
    /// Day 1-31.
    pub day: u8,
    /// Hour 0-23.
    pub hour: u8,
    /// Minute 0-59.
    pub minute: u8,
    /// Second 0-60 (60 for a leap second).
    pub second: u8,
    /// Fraction of the second, in nanoseconds.
    pub nanos: u32,
}

/// Which SMPTE time code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SmpteFormat {
    /// `smpte` (30 frames per second).
    Smpte,
    /// `smpte-30-drop` (29.97 frames per second).
    Smpte30Drop,
    /// `smpte-25` (25 frames per second).
    Smpte25,
}

impl SmpteFormat {
    const fn as_str(self) -> &'static str {
        match self {
            SmpteFormat::Smpte => "smpte",
            SmpteFormat::Smpte30Drop => "smpte-30-drop",
            SmpteFormat::Smpte25 => "smpte-25",
        }
    }
}

/// A SMPTE time code `hh:mm:ss[:frames][.subframes]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SmpteTime {
    /// Hours.
    pub hours: u8,
    /// Minutes.
    pub minutes: u8,
    /// Seconds.
    pub seconds: u8,
    /// Frames, if written.
    pub frames: Option<u8>,
    /// Hundredths of a frame, if written.
    pub subframes: Option<u8>,
}

/// The range itself: a start, an end, or both, in one of the three time formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RangeSpec {
    /// `npt=start-end`.
    Npt {
        /// Start, if given.
        start: Option<NptTime>,
        /// End, if given.
        end: Option<NptTime>,
    },
    /// `clock=start-end`.
    Clock {
        /// Start, if given.
        start: Option<ClockTime>,
        /// End, if given.
        end: Option<ClockTime>,
    },
    /// `smpte...=start-end`.
    Smpte {
        /// Which time code.
        format: SmpteFormat,
        /// Start, if given.
        start: Option<SmpteTime>,
        /// End, if given.
        end: Option<SmpteTime>,
    },
}

/// `Range: spec[;time=clock]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Range {
    /// The range.
    pub spec: RangeSpec,
    /// `;time=`: when the range should take effect.
    pub time: Option<ClockTime>,
}

impl Range {
    /// `npt=0-`: from the start (what clients send with PLAY).
    pub const FROM_START: Range =
        Range { spec: RangeSpec::Npt { start: Some(NptTime::At(Duration::ZERO)), end: None }, time: None };
    /// `npt=now-`: from the live point.
    pub const FROM_NOW: Range =
        Range { spec: RangeSpec::Npt { start: Some(NptTime::Now), end: None }, time: None };
}

/// Up to `max` digits as a number (for fixed-width fields).
fn digits(c: &mut Cursor<'_>, min: usize, max: usize, expected: &'static str) -> Result<u32, HeaderError> {
    let at = c.pos();
    let d = c.take_while(|b| b.is_ascii_digit());
    if d.len() < min || d.len() > max {
        return Err(c.error_at(at, expected));
    }
    d.parse().map_err(|_| c.error_at(at, expected))
}

/// `.digits` as nanoseconds (digits beyond the ninth are dropped), if a `.` is next.
fn fraction(c: &mut Cursor<'_>) -> u32 {
    if c.peek() != Some(b'.') {
        return 0;
    }
    c.take(1);
    let d = c.take_while(|b| b.is_ascii_digit());
    let mut nanos = 0u32;
    for i in 0..9 {
        nanos = nanos * 10 + d.as_bytes().get(i).map_or(0, |b| u32::from(b - b'0'));
    }
    nanos
}

fn write_fraction(nanos: u32, out: &mut String) {
    if nanos > 0 {
        let frac = format!("{nanos:09}");
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
}

fn npt_time(c: &mut Cursor<'_>) -> Result<Option<NptTime>, HeaderError> {
    if c.rest().get(..3).is_some_and(|s| s.eq_ignore_ascii_case("now")) {
        c.take(3);
        return Ok(Some(NptTime::Now));
    }
    if !c.peek().is_some_and(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let at = c.pos();
    let first: u64 = c.number("seconds")?;
    let secs = if c.peek() == Some(b':') {
        // npt-hhmmss: hours unbounded, minutes and seconds below 60.
        c.take(1);
        let minutes = digits(c, 1, 2, "minutes 0-59")?;
        c.expect(b':', "`:` before the seconds")?;
        let seconds = digits(c, 1, 2, "seconds 0-59")?;
        if minutes > 59 || seconds > 59 {
            return Err(c.error_at(at, "minutes and seconds 0-59"));
        }
        first
            .checked_mul(3600)
            .and_then(|h| h.checked_add(u64::from(minutes * 60 + seconds)))
            .ok_or_else(|| c.error_at(at, "a time that fits in 64 bits of seconds"))?
    } else {
        first
    };
    let nanos = fraction(c);
    Ok(Some(NptTime::At(Duration::new(secs, nanos))))
}

fn clock_time(c: &mut Cursor<'_>) -> Result<Option<ClockTime>, HeaderError> {
    if !c.peek().is_some_and(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let at = c.pos();
    let expected = "a UTC time `YYYYMMDDThhmmss[.fraction]Z`";
    let date = digits(c, 8, 8, expected)?;
    c.expect(b'T', expected)?;
    let time = digits(c, 6, 6, expected)?;
    let nanos = fraction(c);
    c.expect(b'Z', expected)?;
    let t = ClockTime {
        year: (date / 10_000) as u16,
        month: (date / 100 % 100) as u8,
        day: (date % 100) as u8,
        hour: (time / 10_000) as u8,
        minute: (time / 100 % 100) as u8,
        second: (time % 100) as u8,
        nanos,
    };
    if !(1..=12).contains(&t.month)
        || !(1..=31).contains(&t.day)
        || t.hour > 23
        || t.minute > 59
        || t.second > 60
    {
        return Err(c.error_at(at, "a valid date and time of day"));
    }
    Ok(Some(t))
}

fn write_clock(t: &ClockTime, out: &mut String) {
    out.push_str(&format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    ));
    write_fraction(t.nanos, out);
    out.push('Z');
}

fn smpte_time(c: &mut Cursor<'_>) -> Result<Option<SmpteTime>, HeaderError> {
    if !c.peek().is_some_and(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let field = |c: &mut Cursor<'_>| digits(c, 1, 2, "one or two digits").map(|n| n as u8);
    let hours = field(c)?;
    c.expect(b':', "`:` after the hours")?;
    let minutes = field(c)?;
    c.expect(b':', "`:` after the minutes")?;
    let seconds = field(c)?;
    let frames = if c.peek() == Some(b':') {
        c.take(1);
        Some(field(c)?)
    } else {
        None
    };
    let subframes = if c.peek() == Some(b'.') {
        c.take(1);
        Some(field(c)?)
    } else {
        None
    };
    Ok(Some(SmpteTime { hours, minutes, seconds, frames, subframes }))
}

/// Parses `start-end` with `time` reading one point (None when absent).
fn start_end<T>(
    c: &mut Cursor<'_>,
    mut time: impl FnMut(&mut Cursor<'_>) -> Result<Option<T>, HeaderError>,
) -> Result<(Option<T>, Option<T>), HeaderError> {
    let start = time(c)?;
    if c.peek() != Some(b'-') {
        return Err(c.error("`-` between start and end"));
    }
    c.take(1);
    let end = time(c)?;
    if start.is_none() && end.is_none() {
        return Err(c.error("a start or an end time"));
    }
    Ok((start, end))
}

impl TypedHeader for Range {
    const NAME: &'static str = names::RANGE;

    fn parse(value: &str) -> Result<Self, HeaderError> {
        let mut c = Cursor::new(Self::NAME, value);
        c.skip_ws();
        let unit_at = c.pos();
        let unit = c.take_while(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !c.eat(b'=') {
            return Err(c.error("`=` after the range unit"));
        }
        let spec = if unit.eq_ignore_ascii_case("npt") {
            let (start, end) = start_end(&mut c, npt_time)?;
            RangeSpec::Npt { start, end }
        } else if unit.eq_ignore_ascii_case("clock") {
            let (start, end) = start_end(&mut c, clock_time)?;
            RangeSpec::Clock { start, end }
        } else {
            let format = [SmpteFormat::Smpte, SmpteFormat::Smpte30Drop, SmpteFormat::Smpte25]
                .into_iter()
                .find(|f| unit.eq_ignore_ascii_case(f.as_str()))
                .ok_or_else(|| c.error_at(unit_at, "a range unit (`npt`, `clock`, `smpte`)"))?;
            let (start, end) = start_end(&mut c, smpte_time)?;
            RangeSpec::Smpte { format, start, end }
        };
        let mut time = None;
        while c.eat(b';') {
            if c.at_end() {
                break;
            }
            let name = c.token("a range parameter (`time`)")?;
            c.expect(b'=', "`=` after the parameter name")?;
            if name.eq_ignore_ascii_case("time") {
                time = Some(clock_time(&mut c)?.ok_or_else(|| c.error("a UTC time"))?);
            } else {
                c.raw_value(b";")?;
            }
        }
        c.finish("`;time=` or the end of the value")?;
        Ok(Range { spec, time })
    }

    fn write_value(&self, out: &mut String) {
        match &self.spec {
            RangeSpec::Npt { start, end } => {
                out.push_str("npt=");
                for (i, point) in [start, end].into_iter().enumerate() {
                    if i == 1 {
                        out.push('-');
                    }
                    match point {
                        Some(NptTime::Now) => out.push_str("now"),
                        Some(NptTime::At(d)) => {
                            out.push_str(&d.as_secs().to_string());
                            write_fraction(d.subsec_nanos(), out);
                        }
                        None => {}
                    }
                }
            }
            RangeSpec::Clock { start, end } => {
                out.push_str("clock=");
                if let Some(t) = start {
                    write_clock(t, out);
                }
                out.push('-');
                if let Some(t) = end {
                    write_clock(t, out);
                }
            }
            RangeSpec::Smpte { format, start, end } => {
                out.push_str(format.as_str());
                out.push('=');
                for (i, point) in [start, end].into_iter().enumerate() {
                    if i == 1 {
                        out.push('-');
                    }
                    if let Some(t) = point {
                        out.push_str(&format!("{:02}:{:02}:{:02}", t.hours, t.minutes, t.seconds));
                        if let Some(f) = t.frames {
                            out.push_str(&format!(":{f:02}"));
                        }
                        if let Some(s) = t.subframes {
                            out.push_str(&format!(".{s:02}"));
                        }
                    }
                }
            }
        }
        if let Some(t) = &self.time {
            out.push_str(";time=");
            write_clock(t, out);
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn parse(v: &str) -> Range {
        let r = Range::parse(v).unwrap_or_else(|e| panic!("{v}: {e}"));
        assert_eq!(Range::parse(&r.to_value()), Ok(r), "{}", r.to_value());
        r
    }

    fn npt(start: Option<NptTime>, end: Option<NptTime>) -> Range {
        Range { spec: RangeSpec::Npt { start, end }, time: None }
    }

    #[test]
    fn normal_play_time() {
        assert_eq!(parse("npt=0-"), Range::FROM_START);
        assert_eq!(parse("npt=0.000-"), Range::FROM_START);
        assert_eq!(parse("npt=now-"), Range::FROM_NOW);
        assert_eq!(Range::FROM_START.to_value(), "npt=0-");
        assert_eq!(Range::FROM_NOW.to_value(), "npt=now-");
        let at = |s, n| Some(NptTime::At(Duration::new(s, n)));
        assert_eq!(parse(" NPT = 10.5-20 "), npt(at(10, 500_000_000), at(20, 0)));
        assert_eq!(parse("npt=-20.25"), npt(None, at(20, 250_000_000)));
        assert_eq!(parse("npt=1:02:03.5-").spec, npt(at(3723, 500_000_000), None).spec);
        assert_eq!(parse("npt=0.1234567891234-"), npt(at(0, 123_456_789), None));
        assert_eq!(parse("npt=5-").to_value(), "npt=5-");
    }

    #[test]
    fn clock_and_smpte() {
        let r = parse("clock=19961108T142300Z-19961108T143520.25Z;time=19970123T143720Z");
        let RangeSpec::Clock { start: Some(s), end: Some(e) } = r.spec else { panic!("{r:?}") };
        assert_eq!((s.year, s.month, s.day, s.hour, s.minute, s.second), (1996, 11, 8, 14, 23, 0));
        assert_eq!(e.nanos, 250_000_000);
        assert_eq!(r.time.map(|t| t.year), Some(1997));
        let r = parse("smpte=10:12:33:20-");
        assert_eq!(
            r.spec,
            RangeSpec::Smpte {
                format: SmpteFormat::Smpte,
                start: Some(SmpteTime {
                    hours: 10,
                    minutes: 12,
                    seconds: 33,
                    frames: Some(20),
                    subframes: None
                }),
                end: None
            }
        );
        let r = parse("smpte-25=10:07:00-10:07:33:05.01");
        assert!(matches!(
            r.spec,
            RangeSpec::Smpte {
                format: SmpteFormat::Smpte25,
                end: Some(SmpteTime { subframes: Some(1), .. }),
                ..
            }
        ));
        assert!(matches!(parse("smpte-30-drop=-1:2:3").spec, RangeSpec::Smpte { start: None, .. }));
    }

    #[test]
    fn errors_name_the_offending_byte() {
        let err = |v: &str| Range::parse(v).unwrap_err();
        assert_eq!(err("npt").pos, 3);
        assert_eq!(err("frames=1-2").pos, 0);
        assert_eq!(err("npt=-").pos, 5);
        assert_eq!(err("npt=5").pos, 5);
        assert_eq!(err("npt=1:60:00-").pos, 4);
        assert_eq!(err("npt=1:2-").pos, 7);
        assert_eq!(err("clock=1996110T142300Z-").pos, 6);
        assert_eq!(err("clock=19961308T142300Z-").pos, 6);
        assert_eq!(err("clock=19961108T142300-").pos, 21);
        assert_eq!(err("smpte=1:2-").pos, 9);
        assert_eq!(err("smpte=100:2:3-").pos, 6);
        assert_eq!(err("npt=0-;time=x").pos, 12);
        assert_eq!(err("npt=0- x").pos, 7);
        assert_eq!(err("npt=99999999999999999999-").pos, 4);
    }
}
