//! Distinguished names as text, byte for byte what `x509-parser`'s `Display` of `X509Name` writes, without
//! its OID registry (descriptions of every OID, `data-encoding`): about 12 KB less gzipped wasm.
//!
//! `CN=a, O=b + OU=c`: attributes as `ABBREV=value`, ", " between RDNs, " + " inside one; abbreviations from
//! x509-parser's short list, else the registry's short name, else `OID(1.2.3)`; string values as they are,
//! BMPString decoded, other values as upper-case hex. A value that does not decode makes the whole name
//! `<X509Error: Invalid X.509 name>`. Tests compare with `to_string()` on every OID of the registry, every
//! fixture and every webpki root.

use x509_parser::asn1_rs::{Any, BmpString, Tag};
use x509_parser::prelude::X509Name;

/// The text of `name`, as `name.to_string()` gives it.
pub(crate) fn name_text(name: &X509Name<'_>) -> String {
    let mut rdns = Vec::new();
    for rdn in name.iter_rdn() {
        let mut attrs = Vec::new();
        for attr in rdn.iter() {
            let Some(value) = value_text(attr.attr_value()) else {
                return "<X509Error: Invalid X.509 name>".to_owned();
            };
            let oid = attr.attr_type();
            // Attribute types parse as absolute OIDs: the bytes alone identify them.
            let abbrev = match short_name(oid.as_bytes()) {
                Some(name) => name.to_owned(),
                None => format!("{oid:?}"),
            };
            attrs.push(format!("{abbrev}={value}"));
        }
        rdns.push(attrs.join(" + "));
    }
    rdns.join(", ")
}

/// The value as text: strings as they are (UTF-8 required), BMPString decoded, anything else in hex.
fn value_text(value: &Any<'_>) -> Option<String> {
    match value.tag() {
        Tag::NumericString
        | Tag::VisibleString
        | Tag::PrintableString
        | Tag::GeneralString
        | Tag::ObjectDescriptor
        | Tag::GraphicString
        | Tag::T61String
        | Tag::VideotexString
        | Tag::Utf8String
        | Tag::Ia5String => core::str::from_utf8(value.data).ok().map(str::to_owned),
        Tag::BmpString => BmpString::try_from(value.clone()).ok().map(|s| s.string()),
        _ => Some(value.as_bytes().iter().map(|b| format!("{b:02X}")).collect()),
    }
}

/// The name x509-parser prints for the OID with DER contents `oid`: its abbreviation, else the registry's
/// short name.
fn short_name(oid: &[u8]) -> Option<&'static str> {
    ABBREVIATIONS.iter().chain(REGISTRY).find(|(bytes, _)| *bytes == oid).map(|(_, name)| *name)
}

/// x509-parser's abbreviations (`objects::ABBREV_MAP`), looked up before the registry.
const ABBREVIATIONS: &[(&[u8], &str)] = &[
    (&[85, 4, 3], "CN"),
    (&[85, 4, 6], "C"),
    (&[85, 4, 7], "L"),
    (&[85, 4, 8], "ST"),
    (&[85, 4, 10], "O"),
    (&[85, 4, 11], "OU"),
    (&[9, 146, 38, 137, 147, 242, 44, 100, 1, 25], "DC"),
    (&[42, 134, 72, 134, 247, 13, 1, 9, 1], "Email"),
];

/// Short names of x509-parser's `oid_registry()` (crypto and X.509 OIDs, and id-mgf1), by DER contents.
const REGISTRY: &[(&[u8], &str)] = &[
    (&[9, 146, 38, 137, 147, 242, 44, 100, 1, 1], "uid"),
    (&[9, 146, 38, 137, 147, 242, 44, 100, 1, 25], "domainComponent"),
    (&[42, 133, 3, 2, 2, 3], "id-GostR3411-94-with-GostR3410-2001"),
    (&[42, 133, 3, 2, 2, 19], "gostR3410-2001"),
    (&[42, 133, 3, 7, 1, 1, 1, 1], "gost3410-2012-256"),
    (&[42, 133, 3, 7, 1, 1, 1, 2], "gost3410-2012-512"),
    (&[42, 133, 3, 7, 1, 1, 3, 2], "id-tc26-signwithdigest-gost3410-12-256"),
    (&[42, 133, 3, 7, 1, 1, 3, 3], "id-tc26-signwithdigest-gost3410-12-512"),
    (&[42, 134, 72, 134, 247, 13, 1, 1, 1], "rsaEncryption"),
    (&[42, 134, 72, 134, 247, 13, 1, 1, 2], "md2WithRSAEncryption"),
    (&[42, 134, 72, 134, 247, 13, 1, 1, 3], "md4WithRSAEncryption"),
    (&[42, 134, 72, 134, 247, 13, 1, 1, 4], "md5WithRSAEncryption"),
    (&[42, 134, 72, 134, 247, 13, 1, 1, 5], "sha1WithRSAEncryption"),
    (&[42, 134, 72, 134, 247, 13, 1, 1, 8], "id-mgf1"),
    (&[42, 134, 72, 134, 247, 13, 1, 1, 10], "rsassa-pss"),
    (&[42, 134, 72, 134, 247, 13, 1, 1, 11], "sha256WithRSAEncryption"),
    (&[42, 134, 72, 134, 247, 13, 1, 1, 12], "sha384WithRSAEncryption"),
    (&[42, 134, 72, 134, 247, 13, 1, 1, 13], "sha512WithRSAEncryption"),
    (&[42, 134, 72, 134, 247, 13, 1, 1, 14], "sha224WithRSAEncryption"),
    (&[42, 134, 72, 134, 247, 13, 1, 7, 1], "pkcs7-data"),
    (&[42, 134, 72, 134, 247, 13, 1, 7, 2], "pkcs7-signedData"),
    (&[42, 134, 72, 134, 247, 13, 1, 7, 3], "pkcs7-envelopedData"),
    (&[42, 134, 72, 134, 247, 13, 1, 7, 4], "pkcs7-signedAndEnvelopedData"),
    (&[42, 134, 72, 134, 247, 13, 1, 7, 5], "pkcs7-digestedData"),
    (&[42, 134, 72, 134, 247, 13, 1, 7, 6], "pkcs7-encryptedData"),
    (&[42, 134, 72, 134, 247, 13, 1, 9, 1], "emailAddress"),
    (&[42, 134, 72, 134, 247, 13, 1, 9, 2], "unstructuredName"),
    (&[42, 134, 72, 134, 247, 13, 1, 9, 3], "contentType"),
    (&[42, 134, 72, 134, 247, 13, 1, 9, 4], "id-messageDigest"),
    (&[42, 134, 72, 134, 247, 13, 1, 9, 5], "signing-time"),
    (&[42, 134, 72, 134, 247, 13, 1, 9, 7], "challengePassword"),
    (&[42, 134, 72, 134, 247, 13, 1, 9, 14], "extensionRequest"),
    (&[42, 134, 72, 134, 247, 13, 1, 9, 15], "smimeCapabilities"),
    (&[42, 134, 72, 134, 247, 13, 1, 9, 20], "friendlyName"),
    (&[42, 134, 72, 134, 247, 13, 1, 12], "pkcs-12"),
    (&[42, 134, 72, 134, 247, 13, 1, 12, 1], "pkcs-12PbeIds"),
    (&[42, 134, 72, 134, 247, 13, 1, 12, 1, 1], "pbeWithSHAAnd128BitRC4"),
    (&[42, 134, 72, 134, 247, 13, 1, 12, 1, 2], "pbeWithSHAAnd40BitRC4"),
    (&[42, 134, 72, 134, 247, 13, 1, 12, 1, 3], "pbeWithSHAAnd3-KeyTripleDES-CBC"),
    (&[42, 134, 72, 134, 247, 13, 1, 12, 1, 4], "pbeWithSHAAnd2-KeyTripleDES-CBC"),
    (&[42, 134, 72, 134, 247, 13, 1, 12, 1, 5], "pbeWithSHAAnd128BitRC2-CBC"),
    (&[42, 134, 72, 134, 247, 13, 1, 12, 1, 6], "pbeWithSHAAnd40BitRC2-CBC"),
    (&[42, 134, 72, 206, 56, 4, 1], "id-dsa"),
    (&[42, 134, 72, 206, 56, 4, 3], "dsa-with-sha1"),
    (&[42, 134, 72, 206, 61, 2, 1], "id-ecPublicKey"),
    (&[42, 134, 72, 206, 61, 3, 1, 7], "prime256v1"),
    (&[42, 134, 72, 206, 61, 4, 3, 1], "ecdsa-with-SHA224"),
    (&[42, 134, 72, 206, 61, 4, 3, 2], "ecdsa-with-SHA256"),
    (&[42, 134, 72, 206, 61, 4, 3, 3], "ecdsa-with-SHA384"),
    (&[42, 134, 72, 206, 61, 4, 3, 4], "ecdsa-with-SHA512"),
    (&[43, 6, 1, 4, 1, 130, 55, 60, 2, 1, 1], "msJurisdictionLocality"),
    (&[43, 6, 1, 4, 1, 130, 55, 60, 2, 1, 2], "msJurisdictionStateOrProvince"),
    (&[43, 6, 1, 4, 1, 130, 55, 60, 2, 1, 3], "msJurisdictionCountry"),
    (&[43, 6, 1, 4, 1, 214, 121, 2, 4, 2], "ctSCTList"),
    (&[43, 6, 1, 5, 5, 7, 1, 1], "authorityInfoAccess"),
    (&[43, 6, 1, 5, 5, 7, 1, 11], "subjectInfoAccess"),
    (&[43, 6, 1, 5, 5, 7, 48, 1], "id-ad-ocsp"),
    (&[43, 6, 1, 5, 5, 7, 48, 2], "id-ad-caIssuers"),
    (&[43, 6, 1, 5, 5, 7, 48, 3], "id-ad-timestamping"),
    (&[43, 6, 1, 5, 5, 7, 48, 4], "id-ad-dvcs"),
    (&[43, 6, 1, 5, 5, 7, 48, 5], "id-ad-caRepository"),
    (&[43, 6, 1, 5, 5, 7, 48, 6], "id-ad-http-certs"),
    (&[43, 6, 1, 5, 5, 7, 48, 7], "id-ad-http-crls"),
    (&[43, 6, 1, 5, 5, 7, 48, 10], "id-ad-rpki-manifest"),
    (&[43, 6, 1, 5, 5, 7, 48, 11], "id-ad-signed-object"),
    (&[43, 6, 1, 5, 5, 7, 48, 12], "id-ad-cmc"),
    (&[43, 6, 1, 5, 5, 7, 48, 13], "id-ad-rpki-notify"),
    (&[43, 6, 1, 5, 5, 7, 48, 14], "id-ad-stirTNList"),
    (&[43, 14, 3, 2, 25], "md5WithRSASignature"),
    (&[43, 14, 3, 2, 26], "id-SHA1"),
    (&[43, 14, 3, 2, 29], "sha1WithRSAEncryption"),
    (&[43, 36, 3, 3, 1, 2], "rsaSignatureWithripemd160"),
    (&[43, 101, 112], "ed25519"),
    (&[43, 101, 113], "ed448"),
    (&[43, 129, 4, 0, 34], "secp384r1"),
    (&[43, 129, 4, 0, 35], "secp521r1"),
    (&[43, 129, 5, 16, 134, 72, 63, 0, 2], "dhSinglePass-stdDH-sha1kdf-scheme"),
    (&[85, 4], "x509"),
    (&[85, 4, 0], "objectClass"),
    (&[85, 4, 1], "aliasedEntryName"),
    (&[85, 4, 2], "knowledgeInformation"),
    (&[85, 4, 3], "commonName"),
    (&[85, 4, 4], "surname"),
    (&[85, 4, 5], "serialNumber"),
    (&[85, 4, 6], "countryName"),
    (&[85, 4, 7], "localityName"),
    (&[85, 4, 8], "stateOrProvinceName"),
    (&[85, 4, 9], "streetAddress"),
    (&[85, 4, 10], "organizationName"),
    (&[85, 4, 11], "organizationalUnit"),
    (&[85, 4, 12], "title"),
    (&[85, 4, 13], "description"),
    (&[85, 4, 14], "searchGuide"),
    (&[85, 4, 15], "businessCategory"),
    (&[85, 4, 16], "postalAddress"),
    (&[85, 4, 17], "postalCode"),
    (&[85, 4, 41], "name"),
    (&[85, 4, 42], "givenName"),
    (&[85, 4, 43], "initials"),
    (&[85, 4, 44], "generationQualifier"),
    (&[85, 4, 45], "uniqueIdentifier"),
    (&[85, 4, 46], "dnQualifier"),
    (&[85, 29, 1], "oldAuthorityKeyIdentifier"),
    (&[85, 29, 2], "oldKeyAttributes"),
    (&[85, 29, 3], "oldCertificatePolicies"),
    (&[85, 29, 4], "oldKeyUsage"),
    (&[85, 29, 5], "oldPolicyMapping"),
    (&[85, 29, 6], "oldSubtreesConstraint"),
    (&[85, 29, 7], "oldSubjectAltNAme"),
    (&[85, 29, 8], "oldIssuerAltNAme"),
    (&[85, 29, 14], "subjectKeyIdentifier"),
    (&[85, 29, 15], "keyUsage"),
    (&[85, 29, 16], "privateKeyUsagePeriod"),
    (&[85, 29, 17], "subjectAltName"),
    (&[85, 29, 18], "issuerAltName"),
    (&[85, 29, 19], "basicConstraints"),
    (&[85, 29, 20], "crlNumber"),
    (&[85, 29, 21], "reasonCode"),
    (&[85, 29, 23], "holdInstructionCode"),
    (&[85, 29, 24], "invalidityDate"),
    (&[85, 29, 27], "deltaCRLIndicator"),
    (&[85, 29, 28], "issuerDistributionPoint"),
    (&[85, 29, 29], "issuer"),
    (&[85, 29, 30], "nameConstraints"),
    (&[85, 29, 31], "crlDistributionPoints"),
    (&[85, 29, 32], "certificatePolicies"),
    (&[85, 29, 33], "policyMappings"),
    (&[85, 29, 35], "authorityKeyIdentifier"),
    (&[85, 29, 36], "policyConstraints"),
    (&[85, 29, 37], "extendedKeyUsage"),
    (&[85, 29, 46], "freshestCRL"),
    (&[85, 29, 54], "inhibitAnyPolicy"),
    (&[96, 134, 72, 1, 101, 3, 4, 1, 42], "aes-256-cbc"),
    (&[96, 134, 72, 1, 101, 3, 4, 2, 1], "sha256"),
    (&[96, 134, 72, 1, 101, 3, 4, 2, 2], "sha384"),
    (&[96, 134, 72, 1, 101, 3, 4, 2, 3], "sha512"),
    (&[96, 134, 72, 1, 134, 248, 66, 1, 1], "nsCertType"),
    (&[96, 134, 72, 1, 134, 248, 66, 1, 2], "nsBaseURL"),
    (&[96, 134, 72, 1, 134, 248, 66, 1, 3], "nsRevocationURL"),
    (&[96, 134, 72, 1, 134, 248, 66, 1, 4], "nsCARevocationURL"),
    (&[96, 134, 72, 1, 134, 248, 66, 1, 5], "nsCACRLURL"),
    (&[96, 134, 72, 1, 134, 248, 66, 1, 6], "nsCACertURL"),
    (&[96, 134, 72, 1, 134, 248, 66, 1, 7], "nsRenewalURL"),
    (&[96, 134, 72, 1, 134, 248, 66, 1, 8], "nsCAPolicyURL"),
    (&[96, 134, 72, 1, 134, 248, 66, 1, 9], "nsHomepageURL"),
    (&[96, 134, 72, 1, 134, 248, 66, 1, 10], "nsEntityLogo"),
    (&[96, 134, 72, 1, 134, 248, 66, 1, 11], "nsUserPicture"),
    (&[96, 134, 72, 1, 134, 248, 66, 1, 12], "nsSSLServerName"),
    (&[96, 134, 72, 1, 134, 248, 66, 1, 13], "nsComment"),
];

#[cfg(test)]
#[path = "dn_tests.rs"]
mod tests;
