//! WebCodecs codec strings: `avc1.PPCCLL` (RFC 6381 3.3) and `hvc1`/`hev1` (ISO/IEC 14496-15 Annex E).
//!
//! `avc1` vs `avc3` and `hvc1` vs `hev1` say where the parameter sets travel: `avc1`/`hvc1` in the
//! decoder configuration record (for RTP, the SDP `sprop-*`), `avc3`/`hev1` (also) in band. Browsers decode
//! both; a page that feeds WebCodecs from RTP with in-band parameter sets should use the in-band variant.

use super::h265::ProfileTierLevel;

/// `avc1.PPCCLL`: profile_idc, the constraint flags byte and level_idc in two hex digits each.
pub fn avc1(profile_idc: u8, constraint_flags: u8, level_idc: u8) -> String {
    format!("avc1.{profile_idc:02x}{constraint_flags:02x}{level_idc:02x}")
}

/// The same as [`avc1`] with the `avc3` sample entry (parameter sets in band).
pub fn avc3(profile_idc: u8, constraint_flags: u8, level_idc: u8) -> String {
    format!("avc3.{profile_idc:02x}{constraint_flags:02x}{level_idc:02x}")
}

/// `hvc1.P.C.TL.B` (or `hev1.` when `in_band`) from a profile_tier_level, per ISO/IEC 14496-15 E.3:
/// - P: the profile space as a letter (none, `A`, `B`, `C`) then general_profile_idc in decimal;
/// - C: the 32 compatibility flags in reverse bit order, in (upper-case) hex without leading zeros;
/// - TL: `L` (Main tier) or `H` (High tier) then general_level_idc in decimal;
/// - B: the six constraint bytes in hex, dot-separated, trailing zero bytes omitted.
pub fn hevc(ptl: &ProfileTierLevel, in_band: bool) -> String {
    let space = match ptl.profile_space & 3 {
        0 => "",
        1 => "A",
        2 => "B",
        _ => "C",
    };
    let mut s = format!(
        "{}.{space}{}.{:X}.{}{}",
        if in_band { "hev1" } else { "hvc1" },
        ptl.profile_idc,
        ptl.compatibility_flags.reverse_bits(),
        if ptl.high_tier { 'H' } else { 'L' },
        ptl.level_idc
    );
    let used = ptl.constraint_bytes.iter().rposition(|&b| b != 0).map_or(0, |last| last + 1);
    for byte in ptl.constraint_bytes.iter().take(used) {
        s.push_str(&format!(".{byte:X}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn ptl(
        profile_idc: u8,
        compat: u32,
        high_tier: bool,
        level_idc: u8,
        constraint: [u8; 6],
    ) -> ProfileTierLevel {
        ProfileTierLevel {
            profile_space: 0,
            high_tier,
            profile_idc,
            compatibility_flags: compat,
            constraint_bytes: constraint,
            level_idc,
            sub_layer_levels: Vec::new(),
        }
    }

    #[test]
    fn avc1_is_hex_of_the_three_bytes() {
        assert_eq!(avc1(100, 0, 13), "avc1.64000d");
        assert_eq!(avc1(66, 0xC0, 30), "avc1.42c01e");
        assert_eq!(avc3(77, 0x40, 31), "avc3.4d401f");
    }

    #[test]
    fn hevc_strings_match_the_annex_e_examples() {
        // ISO/IEC 14496-15 E.3 examples: Main profile, Main tier, level 3.1, progressive + frame only.
        let main = ptl(1, 0x6000_0000, false, 93, [0xB0, 0, 0, 0, 0, 0]);
        assert_eq!(hevc(&main, false), "hvc1.1.6.L93.B0");
        assert_eq!(hevc(&main, true), "hev1.1.6.L93.B0");
        // Main 10, High tier, level 4.1 with two constraint bytes.
        let main10 = ptl(2, 0x2000_0000, true, 123, [0x90, 0x08, 0, 0, 0, 0]);
        assert_eq!(hevc(&main10, false), "hvc1.2.4.H123.90.8");
        // No constraint flags at all: the B element is empty.
        assert_eq!(hevc(&ptl(1, 0x4000_0000, false, 60, [0; 6]), false), "hvc1.1.2.L60");
        let mut spaced = ptl(1, 0x4000_0000, false, 60, [0; 6]);
        spaced.profile_space = 1;
        assert_eq!(hevc(&spaced, false), "hvc1.A1.2.L60");
    }
}
