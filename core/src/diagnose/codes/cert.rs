//! Certificate findings (`cert.*`): the server certificate, its chain, names, dates, strength, purpose and key.

use super::CodeInfo;
use crate::diagnose::finding::{Layer, Severity};

catalogue! {
    CERT_CODES;
    /// A certificate block could not be decoded (bad base64, truncated DER, or not X.509). The evidence names
    /// the file, the block and the byte offset.
    CERT_PARSE_ERROR = "cert.parse_error", Certificate, Error, "Certificate cannot be parsed",
        fix: "Re-export the certificate from its source (PEM, `-----BEGIN CERTIFICATE-----`), or check with `openssl x509 -in FILE -noout -text` which block is damaged.";
    /// The input holds a PEM block that is not a certificate (a private key, a CSR, parameters...). It is
    /// ignored for the chain; a private key in a certificate bundle is worth a warning because bundles get copied.
    CERT_NON_CERTIFICATE_BLOCK = "cert.non_certificate_block", Certificate, Info, "Block that is not a certificate",
        fix: "Keep certificates and private keys in separate files; give the key with `--key`.";
    /// The certificate's notAfter date has passed: every client rejects it.
    CERT_EXPIRED = "cert.expired", Certificate, Error, "Certificate expired",
        fix: "Issue and install a new certificate; automate renewal (ACME or the camera's certificate management) so it does not lapse again.";
    /// The certificate's notBefore date is in the future, usually because the device clock is wrong or the
    /// certificate was generated on a machine with a wrong clock.
    CERT_NOT_YET_VALID = "cert.not_yet_valid", Certificate, Error, "Certificate not yet valid",
        fix: "Check the clocks of the camera and of the client (NTP); reissue the certificate if it was dated in the future.";
    /// The certificate expires within 30 days.
    CERT_EXPIRING_SOON = "cert.expiring_soon", Certificate, Warning, "Certificate expires soon",
        fix: "Renew the certificate before it expires.";
    /// The validity period is longer than 398 days, which browsers and public CAs no longer accept for server
    /// certificates. Private PKI and RTSP clients usually do not enforce it.
    CERT_VALIDITY_TOO_LONG = "cert.validity_too_long", Certificate, Info, "Validity period over 398 days",
        fix: "Prefer certificates valid for at most 398 days with automated renewal.";
    /// The host the client connects to is a DNS name that no subjectAltName DNS entry matches (RFC 9525). A
    /// Common Name that matches does not help: OpenSSL and GnuTLS clients look at it only when subjectAltName
    /// has no DNS entry at all, rustls, Go and browsers never (the report's `clients` says which play it).
    CERT_NAME_MISMATCH = "cert.name_mismatch", Certificate, Error, "Host name not in certificate",
        fix: "Connect with a name the certificate lists, or reissue the certificate with the name in subjectAltName (`-addext subjectAltName=DNS:name`).";
    /// The client connects to an IP address and the certificate has no matching subjectAltName iPAddress entry.
    /// The most common camera mistake: certificates made for a host name, or with the IP in the CN or in a DNS
    /// entry. Every verifying client measured (GStreamer/GnuTLS, OpenSSL 3, Go, rustls) compares an IP only
    /// with iPAddress entries; clients that verify nothing (FFmpeg's RTSP client, go2rtc for IP addresses)
    /// play it anyway.
    CERT_IP_NOT_IN_SAN = "cert.ip_not_in_san", Certificate, Error, "IP address not in subjectAltName",
        fix: "Reissue the certificate with the address as an IP entry (`-addext subjectAltName=IP:192.0.2.10`), or connect by a DNS name the certificate lists.";
    /// The certificate has no subjectAltName extension. RFC 9525 clients (rustls, Go since 1.15, browsers) never
    /// fall back to the Common Name and reject it whatever the CN says; OpenSSL (Python `ssl`) and GnuTLS
    /// (GStreamer) still compare a DNS host with the CN in that case (measured), but never an IP address.
    CERT_CN_ONLY = "cert.cn_only", Certificate, Error, "No subjectAltName (CN only)",
        fix: "Reissue the certificate with every name and IP in subjectAltName; rustls, Go and browsers ignore the CN.";
    /// A subjectAltName DNS entry has a wildcard that is not the whole leftmost label (`f*.example.com`,
    /// `*.*.example.com`, `*.com`), which RFC 9525 clients ignore.
    CERT_WILDCARD_INVALID = "cert.wildcard_invalid", Certificate, Warning, "Wildcard that clients ignore",
        fix: "Use a wildcard only as the entire leftmost label under a registrable domain (`*.cams.example.com`), or list names explicitly.";
    /// An IP address is written as a subjectAltName DNS entry. Clients compare IP hosts only with iPAddress
    /// entries, so it never matches.
    CERT_IP_IN_DNS_SAN = "cert.ip_in_dns_san", Certificate, Warning, "IP address written as a DNS name",
        fix: "Put addresses in iPAddress entries (`IP:192.0.2.10`), not `DNS:192.0.2.10`.";
    /// No host was given, so name matching was not checked.
    CERT_HOST_NOT_GIVEN = "cert.host_not_given", Certificate, Info, "Names not checked",
        fix: "Pass the host clients use in the URL (`--host NAME` or `--host IP`) to check name matching.";
    /// The server certificate is self-signed: no client trusts it unless that exact certificate is installed as
    /// trusted.
    CERT_SELF_SIGNED = "cert.self_signed", Certificate, Error, "Self-signed certificate",
        fix: "Issue the server certificate from a CA the clients trust (a private CA is fine: install its root on the clients), or distribute this certificate to the clients as trusted (`--ca FILE`).";
    /// The certificates are not in leaf-to-root order. TLS 1.2 requires that order; many clients tolerate other
    /// orders, some (embedded players, older NVRs) do not.
    CERT_CHAIN_ORDER = "cert.chain_order", Certificate, Warning, "Chain out of order",
        fix: "Put the server certificate first, then each intermediate, each followed by its issuer.";
    /// The chain stops at a certificate whose issuer is neither supplied nor a trust anchor: an intermediate
    /// certificate is missing (or the private root is not trusted).
    CERT_CHAIN_INCOMPLETE = "cert.chain_incomplete", Certificate, Error, "Intermediate certificate missing",
        fix: "Append the missing intermediate certificate(s) to the server's certificate file, after the leaf.";
    /// A certificate is followed by one that did not issue it, and its real issuer is not supplied: the wrong
    /// intermediate was bundled.
    CERT_ISSUER_MISMATCH = "cert.issuer_mismatch", Certificate, Error, "Wrong issuer certificate",
        fix: "Replace the bundled intermediate with the one named in the certificate's Issuer field.";
    /// A supplied certificate is not on the path from the server certificate to its root.
    CERT_UNUSED_CERTIFICATE = "cert.unused_certificate", Certificate, Warning, "Certificate not in the chain",
        fix: "Remove certificates that do not belong to this server's chain; servers send them to every client.";
    /// A signature in the chain does not verify with the issuer's public key: the certificate was altered, or
    /// the issuer certificate is a different one with the same name.
    CERT_BAD_SIGNATURE = "cert.bad_signature", Certificate, Error, "Signature does not verify",
        fix: "Get the certificate and its issuer again from the CA; a same-named but different issuer certificate (re-keyed CA) is a common cause.";
    /// A signature uses an algorithm rtspeek cannot verify, so that link is unverified.
    CERT_SIGNATURE_UNSUPPORTED = "cert.signature_unsupported", Certificate, Warning, "Signature algorithm not verifiable",
        fix: "Use RSA (PKCS#1 v1.5 or PSS) with SHA-256+, ECDSA P-256/P-384, or Ed25519.";
    /// The chain is complete but ends at a root that is not trusted (not in the public web PKI, or not among
    /// the anchors given with `--ca`).
    CERT_UNTRUSTED_ISSUER = "cert.untrusted_issuer", Certificate, Error, "Issuer not trusted",
        fix: "Install the root CA on the clients (for rtspeek: `--ca root.pem`), or use a certificate from a CA the clients already trust.";
    /// The public key is too small: RSA under 2048 bits or elliptic curves under 256 bits.
    CERT_WEAK_KEY = "cert.weak_key", Certificate, Error, "Weak key",
        fix: "Reissue with RSA 2048+ (3072 recommended) or ECDSA P-256.";
    /// The certificate is signed with MD5 or SHA-1, which modern clients reject.
    CERT_WEAK_SIGNATURE = "cert.weak_signature", Certificate, Error, "Weak signature algorithm",
        fix: "Reissue the certificate signed with SHA-256 or better (`openssl x509 -req -sha256`).";
    /// An X.509 version 1 certificate: it cannot carry extensions (no subjectAltName, no basicConstraints),
    /// and rustls/webpki reject it.
    CERT_VERSION_1 = "cert.version_1", Certificate, Error, "X.509 version 1 certificate",
        fix: "Reissue as a version 3 certificate with extensions (OpenSSL does this when given `-extfile` or `-addext`).";
    /// The server certificate has basicConstraints CA:TRUE. Strict clients (rustls/webpki) refuse a CA
    /// certificate as a server certificate.
    CERT_LEAF_IS_CA = "cert.leaf_is_ca", Certificate, Error, "Server certificate is a CA",
        fix: "Issue a separate end-entity certificate (CA:FALSE) for the server, signed by the CA.";
    /// keyUsage is present but lacks the bits TLS servers need (digitalSignature; keyEncipherment for RSA key
    /// exchange).
    CERT_KEY_USAGE = "cert.key_usage", Certificate, Error, "keyUsage does not allow TLS server use",
        fix: "Reissue with `keyUsage = digitalSignature, keyEncipherment` (or drop keyUsage).";
    /// extendedKeyUsage is present but does not include serverAuth, so clients refuse it for a server.
    CERT_EKU_NO_SERVER_AUTH = "cert.eku_no_server_auth", Certificate, Error, "extendedKeyUsage lacks serverAuth",
        fix: "Reissue with `extendedKeyUsage = serverAuth` (add clientAuth too if the device also uses it as a client).";
    /// extendedKeyUsage allows only clientAuth: this is a client certificate, installed where a server
    /// certificate belongs.
    CERT_CLIENT_ONLY = "cert.client_only", Certificate, Error, "Client certificate used as server certificate",
        fix: "Install the server certificate (extendedKeyUsage serverAuth); keep this one for client authentication.";
    /// A certificate that issues another one is not a CA (no basicConstraints CA:TRUE, or keyUsage without
    /// keyCertSign).
    CERT_ISSUER_NOT_CA = "cert.issuer_not_ca", Certificate, Error, "Issuer is not a CA",
        fix: "Sign server certificates with a real CA certificate (basicConstraints CA:TRUE, keyUsage keyCertSign).";
    /// The private key does not belong to the server certificate: a server configured with this pair fails to
    /// start or fails every handshake.
    CERT_KEY_MISMATCH = "cert.key_mismatch", Certificate, Error, "Private key does not match certificate",
        fix: "Find the key the certificate was issued for (compare `openssl x509 -noout -pubkey` with `openssl pkey -pubout`), or issue a new certificate for this key.";
    /// The private key is encrypted and no passphrase was given, so the key pair could not be checked.
    CERT_KEY_ENCRYPTED = "cert.key_encrypted", Certificate, Warning, "Private key is encrypted",
        fix: "Give the passphrase (`--key-passphrase-env VAR`) to check the pair, or decrypt a copy with `openssl pkey -in key.pem -out plain.pem`. Most RTSP servers need an unencrypted key.";
    /// The private key could not be read (not a PKCS#1, PKCS#8 or SEC1 key, damaged, or an unsupported
    /// algorithm), so the key pair could not be checked.
    CERT_KEY_PARSE_ERROR = "cert.key_parse_error", Certificate, Error, "Private key cannot be read",
        fix: "Export the key as PEM PKCS#8 (`openssl pkey -in KEY -out key.pem`) and check it is the key file, not the certificate.";
    /// The TLS client's verifier (rustls with webpki) rejected the certificate for a reason the analysis
    /// did not otherwise name (the evidence gives the verifier's error). Strict clients refuse it the same way.
    CERT_VERIFICATION_FAILED = "cert.verification_failed", Certificate, Error, "Rejected by the TLS verifier",
        fix: "Read the verifier's error in the evidence; re-issue the certificate from a CA clients trust, for the name or address in the URL, with serverAuth usage.";
    /// The server presented a certificate other than the pinned one (`--pin`, an inventory's `fingerprint`):
    /// the evidence gives both fingerprints. Either the certificate was replaced (renewed, or reset to the
    /// vendor's default by a factory reset or firmware update) or something else answers at that address.
    CERT_PIN_MISMATCH = "cert.pin_mismatch", Certificate, Error, "Not the pinned certificate",
        fix: "Find out why the certificate changed (renewal, factory reset, another device on the address). If the new certificate is legitimate, pin its fingerprint (the evidence's `presented`) in every client and inventory that pins it.";
    /// The certificate differs from the one recorded for this camera by an earlier audit (`rtspeek audit
    /// --pin-store`, trust on first use): the evidence gives the old and new fingerprints, subjects, issuers
    /// and expiry dates. A certificate reset to the vendor's default after a factory reset looks like this.
    CERT_FINGERPRINT_CHANGED = "cert.fingerprint_changed", Certificate, Warning, "Certificate changed since the last audit",
        fix: "Check why the camera's certificate changed (planned renewal, factory reset, firmware update, another device). Once it is known to be right, accept it: `rtspeek audit accept --pin-store FILE URL`; update clients that pin the old one.";
}
