//! The record format of the session fuzz targets (`probe_session`, `server_session`): an op byte, a big-endian
//! u16 length and that many payload bytes, repeated; a short tail is taken as it is. Included by each entry
//! with `#[path]`, so both read their input the same way.

/// The next record of the input: its op and payload.
pub(crate) fn next_record<'a>(records: &mut &'a [u8]) -> Option<(u8, &'a [u8])> {
    let (&op, rest) = records.split_first()?;
    let (len, rest) = match rest {
        [hi, lo, rest @ ..] => (usize::from(u16::from_be_bytes([*hi, *lo])), rest),
        _ => (0, &[][..]),
    };
    let (payload, next) = rest.split_at(len.min(rest.len()));
    *records = next;
    Some((op, payload))
}
