//! Certificates and their builder.

use std::hash::{BuildHasher, Hasher};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyUsagePurpose, SanType, SerialNumber,
};
use rtspeek_core::UnixTime;

use super::key::{Key, KeyAlg};
use super::openssl::{CaRequest, ca_issue};
use super::pem::pem_encode;
use super::{DAY, NOW};

/// A keyUsage bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ku {
    /// digitalSignature.
    DigitalSignature,
    /// contentCommitment (nonRepudiation).
    ContentCommitment,
    /// keyEncipherment.
    KeyEncipherment,
    /// dataEncipherment.
    DataEncipherment,
    /// keyAgreement.
    KeyAgreement,
    /// keyCertSign.
    KeyCertSign,
    /// cRLSign.
    CrlSign,
}

impl Ku {
    fn rcgen(self) -> KeyUsagePurpose {
        match self {
            Ku::DigitalSignature => KeyUsagePurpose::DigitalSignature,
            Ku::ContentCommitment => KeyUsagePurpose::ContentCommitment,
            Ku::KeyEncipherment => KeyUsagePurpose::KeyEncipherment,
            Ku::DataEncipherment => KeyUsagePurpose::DataEncipherment,
            Ku::KeyAgreement => KeyUsagePurpose::KeyAgreement,
            Ku::KeyCertSign => KeyUsagePurpose::KeyCertSign,
            Ku::CrlSign => KeyUsagePurpose::CrlSign,
        }
    }

    fn openssl(self) -> &'static str {
        match self {
            Ku::DigitalSignature => "digitalSignature",
            Ku::ContentCommitment => "nonRepudiation",
            Ku::KeyEncipherment => "keyEncipherment",
            Ku::DataEncipherment => "dataEncipherment",
            Ku::KeyAgreement => "keyAgreement",
            Ku::KeyCertSign => "keyCertSign",
            Ku::CrlSign => "cRLSign",
        }
    }
}

/// An extendedKeyUsage purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Eku {
    /// TLS server authentication.
    ServerAuth,
    /// TLS client authentication.
    ClientAuth,
    /// Code signing.
    CodeSigning,
    /// E-mail protection.
    EmailProtection,
    /// Time stamping.
    TimeStamping,
}

impl Eku {
    fn rcgen(self) -> ExtendedKeyUsagePurpose {
        match self {
            Eku::ServerAuth => ExtendedKeyUsagePurpose::ServerAuth,
            Eku::ClientAuth => ExtendedKeyUsagePurpose::ClientAuth,
            Eku::CodeSigning => ExtendedKeyUsagePurpose::CodeSigning,
            Eku::EmailProtection => ExtendedKeyUsagePurpose::EmailProtection,
            Eku::TimeStamping => ExtendedKeyUsagePurpose::TimeStamping,
        }
    }

    fn openssl(self) -> &'static str {
        match self {
            Eku::ServerAuth => "serverAuth",
            Eku::ClientAuth => "clientAuth",
            Eku::CodeSigning => "codeSigning",
            Eku::EmailProtection => "emailProtection",
            Eku::TimeStamping => "timeStamping",
        }
    }
}

/// The digest of the issuer's signature. Choosing one makes the certificate with `openssl ca -md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Digest {
    /// MD5 (broken; needs an RSA issuer: there is no ECDSA-with-MD5).
    Md5,
    /// SHA-1 (broken for signatures).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl Digest {
    fn openssl(self) -> &'static str {
        match self {
            Digest::Md5 => "md5",
            Digest::Sha1 => "sha1",
            Digest::Sha256 => "sha256",
            Digest::Sha384 => "sha384",
            Digest::Sha512 => "sha512",
        }
    }
}

/// The basicConstraints extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Basic {
    /// No basicConstraints extension at all.
    Absent,
    /// `critical, CA:FALSE`.
    NotCa,
    /// `critical, CA:TRUE` without a path length constraint.
    Ca,
}

/// A certificate with its private key. Any certificate can issue others (even one that is not a CA, which is
/// how the `cert.issuer_not_ca` fault is made).
#[derive(Debug, Clone)]
pub struct Cert {
    der: Vec<u8>,
    key: Key,
    cn: String,
    /// Subject name, key usages and key identifier method, for issuing with rcgen.
    params: CertificateParams,
    /// Made by openssl: children are made by openssl too, so that their authorityKeyIdentifier is the
    /// subjectKeyIdentifier openssl computed.
    by_openssl: bool,
}

impl Cert {
    /// A self-signed root CA (ECDSA P-256, valid from 5 years before [`NOW`] to 15 years after).
    pub fn root(cn: &str) -> Cert {
        Cert::root_builder(cn).build()
    }

    /// A builder for a self-signed root CA, with the defaults of [`Cert::root`].
    pub fn root_builder(cn: &str) -> CertBuilder<'static> {
        CertBuilder::ca_defaults(None, cn)
    }

    /// An intermediate CA issued by this certificate (ECDSA P-256, valid from 2 years before [`NOW`] to 10 years
    /// after, authorityKeyIdentifier set).
    pub fn intermediate(&self, cn: &str) -> Cert {
        self.intermediate_builder(cn).build()
    }

    /// A builder for an intermediate CA issued by this certificate, with the defaults of
    /// [`Cert::intermediate`].
    pub fn intermediate_builder(&self, cn: &str) -> CertBuilder<'_> {
        CertBuilder::ca_defaults(Some(self), cn)
    }

    /// A builder for a server (end-entity) certificate issued by this certificate. Defaults: ECDSA P-256,
    /// `CA:FALSE`, keyUsage digitalSignature + keyEncipherment, extendedKeyUsage serverAuth, valid from 30 days
    /// before [`NOW`] to 300 days after, no subjectAltName until [`CertBuilder::dns`] or [`CertBuilder::ip`].
    pub fn leaf(&self) -> CertBuilder<'_> {
        CertBuilder::leaf_defaults(Some(self))
    }

    /// A builder for a self-signed server certificate, with the defaults of [`Cert::leaf`].
    pub fn self_signed_leaf() -> CertBuilder<'static> {
        CertBuilder::leaf_defaults(None)
    }

    /// The certificate, DER.
    pub fn cert_der(&self) -> &[u8] {
        &self.der
    }

    /// The certificate, PEM.
    pub fn cert_pem(&self) -> String {
        pem_encode("CERTIFICATE", &self.der)
    }

    /// The private key.
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// The private key, unencrypted PKCS#8 PEM.
    pub fn key_pem(&self) -> String {
        self.key.pkcs8_pem()
    }

    /// The private key, unencrypted PKCS#8 DER.
    pub fn key_der(&self) -> &[u8] {
        self.key.pkcs8_der()
    }

    /// The subject common name.
    pub fn cn(&self) -> &str {
        &self.cn
    }
}

/// Builds a [`Cert`]. Made with rcgen when it can, with `openssl ca` when an option needs it (a [`Digest`],
/// [`CertBuilder::version1`], an RSA 1024 or P-521 key on either side, an openssl-made issuer, or
/// [`CertBuilder::via_openssl`]).
#[derive(Debug, Clone)]
#[must_use]
pub struct CertBuilder<'a> {
    issuer: Option<&'a Cert>,
    cn: Option<String>,
    dns: Vec<String>,
    ips: Vec<IpAddr>,
    not_before: UnixTime,
    not_after: UnixTime,
    key: Option<Key>,
    key_alg: KeyAlg,
    basic: Basic,
    key_usage: Vec<Ku>,
    eku: Vec<Eku>,
    digest: Option<Digest>,
    version1: bool,
    aki: bool,
    openssl: bool,
}

impl<'a> CertBuilder<'a> {
    fn leaf_defaults(issuer: Option<&'a Cert>) -> Self {
        CertBuilder {
            issuer,
            cn: None,
            dns: Vec::new(),
            ips: Vec::new(),
            not_before: super::day(-30),
            not_after: super::day(300),
            key: None,
            key_alg: KeyAlg::EcP256,
            basic: Basic::NotCa,
            key_usage: vec![Ku::DigitalSignature, Ku::KeyEncipherment],
            eku: vec![Eku::ServerAuth],
            digest: None,
            version1: false,
            aki: issuer.is_some(),
            openssl: false,
        }
    }

    fn ca_defaults(issuer: Option<&'a Cert>, cn: &str) -> Self {
        let (before, after) = if issuer.is_some() { (2 * 365, 10 * 365) } else { (5 * 365, 15 * 365) };
        CertBuilder {
            cn: Some(cn.to_owned()),
            not_before: UnixTime(NOW.secs() - before * DAY),
            not_after: UnixTime(NOW.secs() + after * DAY),
            basic: Basic::Ca,
            key_usage: vec![Ku::KeyCertSign, Ku::CrlSign, Ku::DigitalSignature],
            eku: Vec::new(),
            ..Self::leaf_defaults(issuer)
        }
    }

    /// Sets the subject common name. Default for a leaf: the first DNS name, else the first IP address, else
    /// `rtspeek test leaf`.
    pub fn cn(mut self, cn: &str) -> Self {
        self.cn = Some(cn.to_owned());
        self
    }

    /// Adds subjectAltName DNS entries, written as given (so `f*.example.com` or `192.0.2.10` are possible).
    pub fn dns<I: IntoIterator<Item = S>, S: Into<String>>(mut self, names: I) -> Self {
        self.dns.extend(names.into_iter().map(Into::into));
        self
    }

    /// Adds subjectAltName iPAddress entries.
    ///
    /// # Panics
    /// If an entry is not an IPv4 or IPv6 address.
    pub fn ip<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, addrs: I) -> Self {
        for a in addrs {
            let a = a.as_ref();
            self.ips.push(a.parse().unwrap_or_else(|e| panic!("not an IP address: {a}: {e}")));
        }
        self
    }

    /// Removes every subjectAltName entry: the certificate has no subjectAltName extension (CN only).
    pub fn no_san(mut self) -> Self {
        self.dns.clear();
        self.ips.clear();
        self
    }

    /// Sets the validity period.
    pub fn valid(mut self, not_before: UnixTime, not_after: UnixTime) -> Self {
        self.not_before = not_before;
        self.not_after = not_after;
        self
    }

    /// Valid from yesterday for 90 days by the real clock ([`wall_clock`](super::wall_clock)): for live TLS
    /// peers, far from `cert.expiring_soon` (30 days) and within the 398-day limit.
    pub fn valid_now(self) -> Self {
        self.valid(super::days_from_now(-1), super::days_from_now(90))
    }

    /// Generates a fresh key of this algorithm (default ECDSA P-256).
    pub fn key_alg(mut self, alg: KeyAlg) -> Self {
        self.key_alg = alg;
        self.key = None;
        self
    }

    /// Certifies this existing key instead of generating one.
    pub fn key(mut self, key: &Key) -> Self {
        self.key_alg = key.alg();
        self.key = Some(key.clone());
        self
    }

    /// basicConstraints `CA:TRUE` (true) or `CA:FALSE` (false).
    pub fn ca(mut self, is_ca: bool) -> Self {
        self.basic = if is_ca { Basic::Ca } else { Basic::NotCa };
        self
    }

    /// Sets basicConstraints exactly.
    pub fn basic_constraints(mut self, basic: Basic) -> Self {
        self.basic = basic;
        self
    }

    /// Replaces the keyUsage bits; an empty list omits the extension.
    pub fn key_usage(mut self, usages: &[Ku]) -> Self {
        self.key_usage = usages.to_vec();
        self
    }

    /// Replaces the extendedKeyUsage purposes; an empty list omits the extension.
    pub fn eku(mut self, purposes: &[Eku]) -> Self {
        self.eku = purposes.to_vec();
        self
    }

    /// Signs with this digest, using `openssl ca -md` (SHA-1 and MD5 are what rcgen refuses to make).
    pub fn digest(mut self, digest: Digest) -> Self {
        self.digest = Some(digest);
        self
    }

    /// Makes an X.509 version 1 certificate with `openssl ca` and no extension section: subjectAltName,
    /// basicConstraints, keyUsage and extendedKeyUsage settings are ignored.
    pub fn version1(mut self) -> Self {
        self.version1 = true;
        self
    }

    /// Whether to write authorityKeyIdentifier (default: yes when issued by another certificate).
    pub fn authority_key_id(mut self, on: bool) -> Self {
        self.aki = on;
        self
    }

    /// Makes the certificate with `openssl ca` even if rcgen could.
    pub fn via_openssl(mut self) -> Self {
        self.openssl = true;
        self
    }

    fn common_name(&self) -> String {
        if let Some(cn) = &self.cn {
            return cn.clone();
        }
        if let Some(d) = self.dns.first() {
            return d.clone();
        }
        if let Some(ip) = self.ips.first() {
            return ip.to_string();
        }
        "rtspeek test leaf".to_owned()
    }

    fn params(&self, cn: &str) -> CertificateParams {
        let mut p = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, cn);
        p.distinguished_name = dn;
        p.not_before = to_datetime(self.not_before);
        p.not_after = to_datetime(self.not_after);
        p.serial_number = Some(random_serial());
        p.is_ca = match self.basic {
            Basic::Absent => IsCa::NoCa,
            Basic::NotCa => IsCa::ExplicitNoCa,
            Basic::Ca => IsCa::Ca(BasicConstraints::Unconstrained),
        };
        p.key_usages = self.key_usage.iter().map(|k| k.rcgen()).collect();
        p.extended_key_usages = self.eku.iter().map(|e| e.rcgen()).collect();
        p.use_authority_key_identifier_extension = self.aki;
        for d in &self.dns {
            let ia5 = d.clone().try_into().unwrap_or_else(|e| panic!("DNS SAN {d:?} is not IA5: {e}"));
            p.subject_alt_names.push(SanType::DnsName(ia5));
        }
        p.subject_alt_names.extend(self.ips.iter().map(|ip| SanType::IpAddress(*ip)));
        p
    }

    fn openssl_extensions(&self) -> Option<Vec<String>> {
        if self.version1 {
            return None;
        }
        let mut ext = Vec::new();
        match self.basic {
            Basic::Absent => {}
            Basic::NotCa => ext.push("basicConstraints = critical, CA:FALSE".to_owned()),
            Basic::Ca => ext.push("basicConstraints = critical, CA:TRUE".to_owned()),
        }
        if !self.key_usage.is_empty() {
            let ku: Vec<_> = self.key_usage.iter().map(|k| k.openssl()).collect();
            ext.push(format!("keyUsage = critical, {}", ku.join(", ")));
        }
        if !self.eku.is_empty() {
            let eku: Vec<_> = self.eku.iter().map(|k| k.openssl()).collect();
            ext.push(format!("extendedKeyUsage = {}", eku.join(", ")));
        }
        let san: Vec<String> = (self.dns.iter().map(|d| format!("DNS:{d}")))
            .chain(self.ips.iter().map(|ip| format!("IP:{ip}")))
            .collect();
        if !san.is_empty() {
            ext.push(format!("subjectAltName = {}", san.join(", ")));
        }
        ext.push("subjectKeyIdentifier = hash".to_owned());
        ext.push(format!("authorityKeyIdentifier = {}", if self.aki { "keyid" } else { "none" }));
        Some(ext)
    }

    /// Makes the certificate.
    ///
    /// # Panics
    /// If rcgen or openssl fails (the message holds openssl's standard error).
    pub fn build(self) -> Cert {
        let key = self.key.clone().unwrap_or_else(|| Key::generate(self.key_alg));
        let cn = self.common_name();
        let params = self.params(&cn);
        let signer_alg = self.issuer.map_or(key.alg(), |i| i.key.alg());
        let by_openssl = self.openssl
            || self.digest.is_some()
            || self.version1
            || !key.alg().rcgen_can_sign()
            || !signer_alg.rcgen_can_sign()
            || self.issuer.is_some_and(|i| i.by_openssl);
        let der = if by_openssl {
            let issuer = self.issuer.map(|i| (i.cert_pem(), i.key_pem()));
            ca_issue(&CaRequest {
                cn: &cn,
                subject_key_pem: &key.pkcs8_pem(),
                issuer: issuer.as_ref().map(|(c, k)| (c.as_str(), k.as_str())),
                digest: self.digest.map(Digest::openssl),
                not_before: self.not_before,
                not_after: self.not_after,
                extensions: self.openssl_extensions(),
            })
        } else {
            let kp = key.rcgen_key_pair().expect("rcgen can use the subject key");
            let cert = match self.issuer {
                None => params.self_signed(&kp),
                Some(i) => {
                    let ikp = i.key.rcgen_key_pair().expect("rcgen can sign with the issuer key");
                    params.signed_by(&kp, &rcgen::Issuer::from_params(&i.params, ikp))
                }
            };
            cert.expect("rcgen makes the certificate").der().to_vec()
        };
        Cert { der, key, cn, params, by_openssl }
    }
}

fn to_datetime(t: UnixTime) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(t.secs()).expect("time in range")
}

/// A positive 16-byte serial, different for every certificate (rcgen's default derives it from the key, so two
/// certificates for one key would share it).
fn random_serial() -> SerialNumber {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let state = std::collections::hash_map::RandomState::new();
    let mut bytes = Vec::with_capacity(16);
    for i in 0..2u64 {
        let mut h = state.build_hasher();
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        h.write_u64(i);
        h.write_u128(
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()),
        );
        bytes.extend_from_slice(&h.finish().to_be_bytes());
    }
    bytes[0] = (bytes[0] & 0x7f) | 0x10;
    SerialNumber::from_slice(&bytes)
}
