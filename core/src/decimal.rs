//! Fixed-point text of `f64` with integer arithmetic: the same text as `format!("{x:.N}")`, without pulling
//! `core::fmt`'s float printing (Grisu and Dragon, about 20 KB of the page's wasm) into the module.
//!
//! The value of a finite `f64` is exactly `m * 2^e`; scaled by `10^N` it is rounded half to even (what
//! `core::fmt` does on the exact value), then written with a decimal point. Tests compare against
//! `format!` over many values, ties and edge cases.

/// `x` with exactly `decimals` digits after the point, as `format!("{x:.decimals$}")` writes it (`NaN`,
/// `inf`, `-inf`, and `-0.000` for negative values that round to zero). `decimals` is capped at 9.
pub fn fixed(x: f64, decimals: u32) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if x.is_infinite() {
        return format!("{sign}inf");
    }
    let decimals = decimals.min(9);
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7FF) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    // Subnormals have no implicit bit and the exponent of the smallest normal.
    let (mantissa, exponent) =
        if biased == 0 { (fraction, -1074) } else { (fraction | (1u64 << 52), biased - 1075) };
    // mantissa < 2^53 and 10^9 < 2^30: the scaled mantissa fits a u128 with room to spare.
    let scaled = u128::from(mantissa) * 10u128.pow(decimals);
    let digits = if exponent >= 0 {
        shifted_decimal(scaled, exponent.unsigned_abs())
    } else {
        rounded_shift(scaled, exponent.unsigned_abs()).to_string()
    };
    let width = decimals as usize + 1;
    let padded = format!("{digits:0>width$}");
    let (whole, frac) = padded.split_at(padded.len() - decimals as usize);
    if decimals == 0 { format!("{sign}{whole}") } else { format!("{sign}{whole}.{frac}") }
}

/// `fixed(x, decimals)` without trailing zeros after the point, nor the point if nothing follows it
/// (`25`, `29.97`): the text `{}` gives a value already rounded to `decimals` digits, for values under
/// 10^15 (where every such decimal is the shortest text of its `f64`).
pub fn trimmed(x: f64, decimals: u32) -> String {
    let text = fixed(x, decimals);
    if !text.contains('.') {
        return text;
    }
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// `value / 2^shift`, rounded half to even.
fn rounded_shift(value: u128, shift: u32) -> u128 {
    if shift >= 128 {
        // value < 2^83: below half of 2^shift, so it rounds to zero.
        return 0;
    }
    let quotient = value >> shift;
    let remainder = value & ((1u128 << shift) - 1);
    let half = 1u128 << (shift - 1);
    if remainder > half || (remainder == half && quotient & 1 == 1) { quotient + 1 } else { quotient }
}

/// The decimal digits of `value * 2^shift` (an exact integer, up to about 2^1100).
fn shifted_decimal(value: u128, shift: u32) -> String {
    // Little-endian base-2^32 limbs.
    let mut limbs: Vec<u32> = Vec::new();
    let mut v = value;
    while v > 0 {
        limbs.push(v as u32);
        v >>= 32;
    }
    let words = (shift / 32) as usize;
    let bits = shift % 32;
    let mut shifted = vec![0u32; words];
    let mut carry = 0u32;
    for limb in limbs {
        if bits == 0 {
            shifted.push(limb);
        } else {
            shifted.push((limb << bits) | carry);
            carry = limb >> (32 - bits);
        }
    }
    if carry != 0 {
        shifted.push(carry);
    }
    // Repeated division by 10^9, least significant chunk first.
    let mut chunks = Vec::new();
    while shifted.iter().any(|&l| l != 0) {
        let mut rem = 0u64;
        for limb in shifted.iter_mut().rev() {
            let cur = (rem << 32) | u64::from(*limb);
            *limb = (cur / 1_000_000_000) as u32;
            rem = cur % 1_000_000_000;
        }
        chunks.push(rem as u32);
        while shifted.last() == Some(&0) {
            shifted.pop();
        }
    }
    let mut out = String::new();
    for (i, chunk) in chunks.iter().rev().enumerate() {
        if i == 0 {
            out.push_str(&chunk.to_string());
        } else {
            out.push_str(&format!("{chunk:09}"));
        }
    }
    if out.is_empty() { "0".to_owned() } else { out }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn values() -> Vec<f64> {
        let mut v = vec![
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            0.25,
            0.125,
            0.0625,
            0.0005,
            0.0015,
            -0.0004,
            -0.01,
            29.97,
            29.97002997002997,
            59.94005994005994,
            25.0,
            4.1,
            1e15,
            123_456_789.987_654_3,
            9_007_199_254_740_993.0,
            1e16,
            1e22,
            1e23,
            1.152_921_504_606_847e18,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            1e-300,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        // A deterministic spread over many magnitudes, with both signs.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..4000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let x = f64::from_bits(state);
            if x.is_finite() {
                v.push(x);
            }
            let small = (state % 100_000_000) as f64 / 1000.0;
            v.push(small);
            v.push(-small / 7.0);
        }
        for k in 0..2000 {
            v.push(f64::from(k) / 8.0);
            v.push(f64::from(k) / 1000.0);
            v.push(f64::from(k) * 0.001 + 0.0005);
        }
        v
    }

    #[test]
    fn fixed_is_formats_text() {
        for x in values() {
            for d in 0..=9 {
                let want = format!("{x:.prec$}", prec = d as usize);
                assert_eq!(fixed(x, d), want, "{x:e} at {d} decimals");
            }
        }
    }

    #[test]
    fn trimmed_is_display_of_rounded_values() {
        for x in values() {
            if !x.is_finite() || x.abs() >= 1e12 {
                continue;
            }
            let rounded = (x * 1000.0).round() / 1000.0;
            assert_eq!(trimmed(rounded, 3), format!("{rounded}"), "{x:e}");
        }
        assert_eq!(trimmed(25.0, 3), "25");
        assert_eq!(trimmed(29.97, 3), "29.97");
    }
}
