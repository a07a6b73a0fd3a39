//! H.265 profile_tier_level() (7.3.3), shared by the VPS and the SPS.

use super::super::CodecError;
use super::super::bitreader::BitReader;

/// The general (whole-stream) profile, tier and level, and the sub-layer levels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileTierLevel {
    /// general_profile_space (0..=3; only 0 is defined).
    pub profile_space: u8,
    /// general_tier_flag: false = Main tier, true = High tier.
    pub high_tier: bool,
    /// general_profile_idc (1 = Main, 2 = Main 10, 3 = Main Still Picture, 4 = range extensions...).
    pub profile_idc: u8,
    /// general_profile_compatibility_flag[0..32], flag j in bit 31 - j (the order they are coded in).
    pub compatibility_flags: u32,
    /// The 48 bits from general_progressive_source_flag to general_inbld_flag, as coded: the codec string's
    /// constraint bytes.
    pub constraint_bytes: [u8; 6],
    /// general_level_idc (30 x level).
    pub level_idc: u8,
    /// sub_layer_level_idc of each sub-layer below the highest, when present.
    pub sub_layer_levels: Vec<Option<u8>>,
}

impl ProfileTierLevel {
    /// Reads profile_tier_level(1, max_sub_layers_minus1).
    pub fn read(r: &mut BitReader<'_>, max_sub_layers_minus1: u8) -> Result<Self, CodecError> {
        let profile_space = r.bits(2, "general_profile_space")? as u8;
        let high_tier = r.flag("general_tier_flag")?;
        let profile_idc = r.bits(5, "general_profile_idc")? as u8;
        let compatibility_flags = r.bits(32, "general_profile_compatibility_flags")?;
        let mut constraint_bytes = [0u8; 6];
        for byte in &mut constraint_bytes {
            *byte = r.u8("general_constraint_flags")?;
        }
        let level_idc = r.u8("general_level_idc")?;

        let sub_layers = usize::from(max_sub_layers_minus1.min(6));
        let mut present = [(false, false); 6];
        for flags in present.iter_mut().take(sub_layers) {
            *flags = (r.flag("sub_layer_profile_present_flag")?, r.flag("sub_layer_level_present_flag")?);
        }
        if sub_layers > 0 {
            r.skip(2 * (8 - sub_layers as u64), "reserved_zero_2bits")?;
        }
        let mut sub_layer_levels = Vec::with_capacity(sub_layers);
        for &(profile_present, level_present) in present.iter().take(sub_layers) {
            if profile_present {
                // Profile space, tier, idc, compatibility and constraint flags: 2 + 1 + 5 + 32 + 48 bits.
                r.skip(88, "sub_layer profile")?;
            }
            sub_layer_levels.push(if level_present { Some(r.u8("sub_layer_level_idc")?) } else { None });
        }
        Ok(ProfileTierLevel {
            profile_space,
            high_tier,
            profile_idc,
            compatibility_flags,
            constraint_bytes,
            level_idc,
            sub_layer_levels,
        })
    }

    /// general_progressive_source_flag.
    pub fn progressive_source(&self) -> bool {
        self.constraint_bytes[0] & 0x80 != 0
    }

    /// general_interlaced_source_flag.
    pub fn interlaced_source(&self) -> bool {
        self.constraint_bytes[0] & 0x40 != 0
    }

    /// The profile's name (Annex A), falling back to the compatibility flags as the specification allows
    /// a decoder to (general_profile_idc may be 0 when only the flags are set).
    pub fn profile_name(&self) -> &'static str {
        let idc = if self.profile_idc == 0 {
            // The lowest compatible profile.
            (1..32u8).find(|j| self.compatibility_flags & (1 << (31 - j)) != 0).unwrap_or(0)
        } else {
            self.profile_idc
        };
        match idc {
            1 => "Main",
            2 => "Main 10",
            3 => "Main Still Picture",
            4 => "Format Range Extensions",
            5 => "High Throughput",
            6 => "Multiview Main",
            7 => "Scalable Main",
            8 => "3D Main",
            9 => "Screen Content Coding Extensions",
            10 => "Scalable Format Range Extensions",
            11 => "High Throughput Screen Content Coding Extensions",
            _ => "Unknown",
        }
    }
}
