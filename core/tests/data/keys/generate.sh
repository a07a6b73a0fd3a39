#!/usr/bin/env bash
# Regenerates the key and certificate fixtures in this directory with the OpenSSL CLI (3.0 or later).
# Run from anywhere: ./generate.sh. Keys are random, so every run gives new files; the tests only rely on the
# relationships between them (which key signed which certificate), never on the bytes.
set -euo pipefail
cd "$(dirname "$0")"

PASS=rtspeek
DAYS=36500
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A self-signed certificate for key $1, written to $2, with extra `openssl req` options after that.
selfsigned() {
    local key=$1 out=$2
    shift 2
    openssl req -x509 -new -key "$key" -days "$DAYS" -subj "/CN=rtspeek fixture ${out%.crt}" "$@" -out "$out"
}

# RSA 2048: PKCS#8 (openssl's default output) and PKCS#1 ("traditional") encodings of the same key.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa2048.pkcs8.pem
openssl pkey -in rsa2048.pkcs8.pem -traditional -out rsa2048.pkcs1.pem
selfsigned rsa2048.pkcs8.pem rsa2048-sha256.crt -sha256
selfsigned rsa2048.pkcs8.pem rsa2048-sha1.crt -sha1
selfsigned rsa2048.pkcs8.pem rsa2048-md5.crt -md5
# RSASSA-PSS signatures by the same (rsaEncryption) key: SHA-256 with a 32-byte salt, and SHA-384 with MGF1 over
# SHA-256 and the default 20-byte salt (so the saltLength field is absent from the DER).
selfsigned rsa2048.pkcs8.pem rsa2048-pss-sha256.crt -sha256 \
    -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256
selfsigned rsa2048.pkcs8.pem rsa2048-pss-sha384-mgf1sha256.crt -sha384 \
    -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:20 -sigopt rsa_mgf1_md:sha256
# Encrypted PKCS#8 (PBES2: PBKDF2-HMAC-SHA256, AES-256-CBC) and OpenSSL legacy PEM encryption (AES-128-CBC).
openssl pkcs8 -topk8 -in rsa2048.pkcs8.pem -v2 aes-256-cbc -v2prf hmacWithSHA256 -passout pass:$PASS \
    -out rsa2048.encrypted.pkcs8.pem
openssl rsa -in rsa2048.pkcs8.pem -traditional -aes128 -passout pass:$PASS -out rsa2048.legacy-encrypted.pem

# RSA 1023 (an odd size, to check bit counting): a second key that signs a certificate for the RSA 2048 key,
# so that certificate's signature does not verify with its own key but does with this one.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1023 -out rsa1023.pkcs8.pem
selfsigned rsa1023.pkcs8.pem rsa1023-sha256.crt -sha256
openssl req -new -key rsa2048.pkcs8.pem -subj "/CN=rtspeek fixture signed-by-rsa1023" -out "$tmp/rsa2048.csr"
openssl x509 -req -in "$tmp/rsa2048.csr" -CA rsa1023-sha256.crt -CAkey rsa1023.pkcs8.pem -set_serial 2 \
    -days "$DAYS" -sha256 -out rsa2048-signed-by-rsa1023.crt

# EC P-256: SEC1 with and without the embedded public key, PKCS#8, the public key alone in compressed form,
# and self-signed certificates with SHA-256 and (cross combination) SHA-384.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve \
    -out ec-p256.pkcs8.pem
openssl ec -in ec-p256.pkcs8.pem -out ec-p256.sec1.pem
openssl ec -in ec-p256.pkcs8.pem -no_public -out ec-p256.nopub.sec1.pem
openssl ec -in ec-p256.pkcs8.pem -pubout -conv_form compressed -out ec-p256.compressed.pub.pem
selfsigned ec-p256.pkcs8.pem ec-p256-sha256.crt -sha256
selfsigned ec-p256.pkcs8.pem ec-p256-sha384.crt -sha384

# EC P-384: SEC1 without the public key (so it is computed), and a certificate signed with SHA-1, a digest
# shorter than half the curve order.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -pkeyopt ec_param_enc:named_curve \
    -out "$tmp/ec-p384.pkcs8.pem"
openssl ec -in "$tmp/ec-p384.pkcs8.pem" -no_public -out ec-p384.nopub.sec1.pem
selfsigned "$tmp/ec-p384.pkcs8.pem" ec-p384-sha1.crt -sha1

# Ed25519: PKCS#8 and a self-signed certificate.
openssl genpkey -algorithm ED25519 -out ed25519.pkcs8.pem
selfsigned ed25519.pkcs8.pem ed25519.crt
