//! ECDSA (P-256, P-384) from parts the module has anyway: strict DER signature reading, `rsa`'s big integers
//! for the arithmetic modulo the curve order, and the curves' point arithmetic (which key checks need). The
//! wasm build verifies with this instead of the `ecdsa` crate's verifier, whose scalar field code is about
//! 12 KB of the gzipped module; it is tested against that verifier (native builds keep the crate).

use p256::elliptic_curve::PrimeField as _;
use p256::elliptic_curve::group::{Curve as _, Group as _};
use p256::elliptic_curve::point::AffineCoordinates as _;
use p256::elliptic_curve::sec1::FromEncodedPoint as _;
use rsa::BigUint;

use super::VerifyError;
use super::public_key::Curve;
use super::signature::bad_point;

/// Order of the P-256 group, big-endian.
const P256_ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc,
    0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];
/// Order of the P-384 group, big-endian.
const P384_ORDER: [u8; 48] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf, 0x58, 0x1a,
    0x0d, 0xb2, 0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73,
];

/// A DER `Ecdsa-Sig-Value` (`SEQUENCE { r INTEGER, s INTEGER }`) as IEEE P1363 `r || s`, each `len` bytes
/// (WebCrypto's form). `None` unless it is strict DER (minimal lengths and integers, positive, nothing after)
/// with both integers fitting `len` bytes: what the crates' `der` decoding accepts, never more. Zero or
/// out-of-range values convert; verification rejects them.
pub fn ecdsa_der_to_p1363(der: &[u8], len: usize) -> Option<Vec<u8>> {
    let (tag, body, rest) = der_tlv(der)?;
    if tag != 0x30 || !rest.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(2 * len);
    let mut body = body;
    for _ in 0..2 {
        let (tag, int, rest) = der_tlv(body)?;
        if tag != 0x02 {
            return None;
        }
        let magnitude = match int {
            [] => return None,
            [first, ..] if first & 0x80 != 0 => return None,
            [0, second, ..] if second & 0x80 == 0 => return None,
            [0, magnitude @ ..] if !magnitude.is_empty() => magnitude,
            other => other,
        };
        if magnitude.len() > len {
            return None;
        }
        out.resize(out.len() + len - magnitude.len(), 0);
        out.extend_from_slice(magnitude);
        body = rest;
    }
    body.is_empty().then_some(out)
}

/// One DER tag-length-value with a single-byte tag: (tag, value, what follows). `None` for indefinite or
/// non-minimal lengths and truncated input.
fn der_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = match first {
        0..=0x7f => (usize::from(first), rest),
        0x81 => match rest.split_first()? {
            (&len, rest) if len >= 0x80 => (usize::from(len), rest),
            _ => return None,
        },
        0x82 => match rest {
            [hi, lo, rest @ ..] if *hi != 0 => (usize::from(*hi) << 8 | usize::from(*lo), rest),
            _ => return None,
        },
        _ => return None,
    };
    let (value, after) = rest.split_at_checked(len)?;
    Some((tag, value, after))
}

/// `value` as exactly `len` big-endian bytes (it is below the order, so it fits).
fn fixed(value: &BigUint, len: usize) -> Vec<u8> {
    let bytes = value.to_bytes_be();
    let mut out = vec![0; len.saturating_sub(bytes.len())];
    out.extend_from_slice(&bytes);
    out
}

/// Verifies a DER ECDSA `signature` of `digest` (SEC 1 4.1.4: the digest's leftmost bits, reduced modulo the
/// order) with the uncompressed or compressed SEC1 `point`. Same verdicts as the `ecdsa` crate's
/// `verify_prehash` on the same inputs, including the errors.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // native builds verify with the crate; tests compare
pub(super) fn verify(
    curve: &Curve,
    point: &[u8],
    digest: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    let (len, order) = match curve {
        Curve::P256 => (32, &P256_ORDER[..]),
        Curve::P384 => (48, &P384_ORDER[..]),
        Curve::P521 | Curve::Other(_) => {
            return Err(VerifyError::Unsupported(format!(
                "ECDSA over {} is not supported (only P-256 and P-384)",
                curve.name()
            )));
        }
    };
    let n = BigUint::from_bytes_be(order);
    // The key first, as the crate path does: a bad point is no verdict, whatever the signature.
    let valid_point = match curve {
        Curve::P256 => p256::PublicKey::from_sec1_bytes(point).is_ok(),
        _ => p384::PublicKey::from_sec1_bytes(point).is_ok(),
    };
    if !valid_point {
        return Err(bad_point(curve));
    }
    let rs = ecdsa_der_to_p1363(signature, len).ok_or(VerifyError::Invalid)?;
    let (r, s) = rs.split_at(len);
    let (r, s) = (BigUint::from_bytes_be(r), BigUint::from_bytes_be(s));
    let zero = BigUint::default();
    if r == zero || s == zero || r >= n || s >= n {
        return Err(VerifyError::Invalid);
    }
    let z = BigUint::from_bytes_be(digest.get(..len).unwrap_or(digest)) % &n;
    // n is prime: s^-1 = s^(n-2) mod n.
    let w = s.modpow(&(&n - BigUint::from(2u8)), &n);
    let u1 = fixed(&(z * &w % &n), len);
    let u2 = fixed(&(&r * &w % &n), len);
    let x = match curve {
        Curve::P256 => lincomb_x::<p256::NistP256>(point, &u1, &u2),
        _ => lincomb_x::<p384::NistP384>(point, &u1, &u2),
    }
    .ok_or(VerifyError::Invalid)?;
    if BigUint::from_bytes_be(&x) % &n == r { Ok(()) } else { Err(VerifyError::Invalid) }
}

/// The x coordinate of `u1 G + u2 Q` (`Q` the SEC1 `point`), `None` at infinity or for unreadable input.
fn lincomb_x<C>(point: &[u8], u1: &[u8], u2: &[u8]) -> Option<Vec<u8>>
where
    C: p256::elliptic_curve::CurveArithmetic,
    C::AffinePoint: p256::elliptic_curve::sec1::FromEncodedPoint<C>,
    C::FieldBytesSize: p256::elliptic_curve::sec1::ModulusSize,
{
    let encoded = p256::elliptic_curve::sec1::EncodedPoint::<C>::from_bytes(point).ok()?;
    let q: C::AffinePoint = Option::from(C::AffinePoint::from_encoded_point(&encoded))?;
    let scalar = |bytes: &[u8]| -> Option<C::Scalar> {
        let mut repr = <C::Scalar as p256::elliptic_curve::PrimeField>::Repr::default();
        let slot = repr.as_mut();
        if slot.len() != bytes.len() {
            return None;
        }
        slot.copy_from_slice(bytes);
        Option::from(C::Scalar::from_repr(repr))
    };
    let (u1, u2) = (scalar(u1)?, scalar(u2)?);
    let sum = C::ProjectivePoint::generator() * u1 + C::ProjectivePoint::from(q) * u2;
    if bool::from(sum.is_identity()) {
        return None;
    }
    Some(sum.to_affine().x().as_ref().to_vec())
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::super::signature::ecdsa_with_crate;
    use super::super::{Hash, PublicKey};
    use super::*;
    use base64::Engine as _;
    use x509_parser::prelude::{FromDer, X509Certificate};

    /// (key curve and point, TBS, DER signature) of a self-signed PEM certificate.
    fn parts(pem: &str) -> (Curve, Vec<u8>, Vec<u8>, Vec<u8>) {
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::engine::general_purpose::STANDARD.decode(body).unwrap();
        let (_, cert) = X509Certificate::from_der(&der).unwrap();
        let Ok(PublicKey::Ec { curve, point }) = PublicKey::from_spki_der(cert.public_key().raw) else {
            panic!()
        };
        (curve, point, cert.tbs_certificate.as_ref().to_vec(), cert.signature_value.data.to_vec())
    }

    const FIXTURES: [&str; 3] = [
        include_str!("../../../tests/data/keys/ec-p256-sha256.crt"),
        include_str!("../../../tests/data/keys/ec-p256-sha384.crt"),
        include_str!("../../../tests/data/keys/ec-p384-sha1.crt"),
    ];
    const HASHES: [Hash; 5] = [Hash::Sha1, Hash::Sha224, Hash::Sha256, Hash::Sha384, Hash::Sha512];

    /// The same verdicts as the crates on genuine signatures, other digests, and every damaged signature byte.
    #[test]
    fn agrees_with_the_crates() {
        for pem in FIXTURES {
            let (curve, point, tbs, sig) = parts(pem);
            let mut genuine = 0;
            for hash in HASHES {
                let digest = hash.digest(&tbs);
                let theirs = ecdsa_with_crate(&curve, &point, &digest, &sig);
                assert_eq!(verify(&curve, &point, &digest, &sig), theirs, "{curve:?} {hash:?}");
                genuine += usize::from(theirs.is_ok());
                if theirs.is_err() {
                    continue; // damage only the genuine signature (bounded test time in debug builds)
                }
                for i in (0..sig.len()).step_by(3) {
                    for flip in [0x01, 0x80] {
                        let mut bad = sig.clone();
                        if let Some(b) = bad.get_mut(i) {
                            *b ^= flip;
                        }
                        let theirs = ecdsa_with_crate(&curve, &point, &digest, &bad);
                        assert_eq!(
                            verify(&curve, &point, &digest, &bad),
                            theirs,
                            "{curve:?} byte {i}^{flip}"
                        );
                    }
                }
            }
            assert_eq!(genuine, 1, "{curve:?}: exactly the certificate's digest verifies");
            // A key that is not a point, and curves neither verifies.
            let mut off = point.clone();
            if let Some(b) = off.last_mut() {
                *b ^= 1;
            }
            let digest = Hash::Sha256.digest(&tbs);
            assert_eq!(verify(&curve, &off, &digest, &sig), ecdsa_with_crate(&curve, &off, &digest, &sig));
            assert!(matches!(verify(&curve, &off, &digest, &sig), Err(VerifyError::Unsupported(_))));
            assert_eq!(
                verify(&Curve::P521, &point, &digest, &sig),
                ecdsa_with_crate(&Curve::P521, &point, &digest, &sig)
            );
        }
    }

    /// Signatures with r or s of zero, of the order, or above it: rejected by both.
    #[test]
    fn out_of_range_values_are_invalid() {
        let (curve, point, tbs, _) = parts(FIXTURES[0]);
        let digest = Hash::Sha256.digest(&tbs);
        let order = P256_ORDER.to_vec();
        let int = |v: &[u8]| {
            let mut out = vec![0x02];
            let v: Vec<u8> =
                if v.first().is_some_and(|b| b & 0x80 != 0) { [&[0][..], v].concat() } else { v.to_vec() };
            out.push(u8::try_from(v.len()).unwrap());
            out.extend(v);
            out
        };
        for (r, s) in
            [(vec![0], vec![1]), (vec![1], vec![0]), (order.clone(), vec![1]), (vec![1], vec![0xff; 32])]
        {
            let body = [int(&r), int(&s)].concat();
            let der = [vec![0x30, u8::try_from(body.len()).unwrap()], body].concat();
            assert_eq!(verify(&curve, &point, &digest, &der), Err(VerifyError::Invalid));
            assert_eq!(ecdsa_with_crate(&curve, &point, &digest, &der), Err(VerifyError::Invalid));
        }
    }

    #[test]
    fn der_signatures_convert_strictly() {
        // r = 1, s = 0x80 (needs a leading zero in DER).
        let good = [0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80];
        let mut expected = vec![0; 64];
        expected[31] = 1;
        expected[63] = 0x80;
        assert_eq!(ecdsa_der_to_p1363(&good, 32), Some(expected));
        let bad: &[&[u8]] = &[
            &[],
            &[0x30, 0x00],
            &[0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x80],
            &[0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01],
            &[0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00],
            &[0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01],
            &[0x30, 0x05, 0x02, 0x01, 0x01, 0x02, 0x00],
            &[0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01],
            &[0x30, 0x08, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x05, 0x00],
        ];
        for der in bad {
            assert_eq!(ecdsa_der_to_p1363(der, 32), None, "{der:02x?}");
        }
        let mut long = vec![0x30, 0x26, 0x02, 0x21];
        long.extend([0x7f; 33]);
        long.extend([0x02, 0x01, 0x01]);
        assert_eq!(ecdsa_der_to_p1363(&long, 32), None);
        assert!(ecdsa_der_to_p1363(&long, 48).is_some());
    }

    /// The conversion accepts what the `p256` crate's DER decoding accepts, also after damaging any byte;
    /// where only the conversion accepts, r or s is out of range (which every verifier rejects).
    #[test]
    fn conversion_agrees_with_the_crate() {
        let (_, _, _, sig) = parts(FIXTURES[0]);
        let order = P256_ORDER.to_vec();
        let crate_reads =
            |der: &[u8]| p256::ecdsa::Signature::from_der(der).ok().map(|s| s.to_bytes().to_vec());
        assert_eq!(ecdsa_der_to_p1363(&sig, 32), crate_reads(&sig));
        for i in 0..sig.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut der = sig.clone();
                if let Some(b) = der.get_mut(i) {
                    *b ^= flip;
                }
                let ours = ecdsa_der_to_p1363(&der, 32);
                match (crate_reads(&der), ours) {
                    (Some(theirs), ours) => assert_eq!(ours, Some(theirs), "byte {i} ^ {flip:02x}"),
                    (None, Some(ours)) => {
                        let (r, s) = ours.split_at(32);
                        let out_of_range = |v: &[u8]| v.iter().all(|&b| b == 0) || v >= &order[..];
                        assert!(out_of_range(r) || out_of_range(s), "byte {i} ^ {flip:02x}");
                    }
                    (None, None) => {}
                }
            }
        }
    }
}
