#!/usr/bin/env bash
# Regenerates the seed corpus of the `cert_input` fuzz target with the openssl CLI (OpenSSL 3): small valid
# certificates, chains and keys in every container rtspeek reads, and broken variants of them. The keys are
# fresh on every run (the seeds need not be reproducible, only small and varied). Keep the corpus small: the
# replay test runs every file on every `cargo test`.
set -euo pipefail
out="$(cd "$(dirname "$0")" && pwd)/corpus/cert_input"
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

leaf_ext="subjectAltName=DNS:cam.example,IP:192.0.2.10
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth"
printf '%s\n' "$leaf_ext" > leaf.ext

# A P-256 CA and a leaf for cam.example issued by it.
openssl ecparam -name prime256v1 -genkey -noout -out ca.sec1
openssl pkcs8 -topk8 -nocrypt -in ca.sec1 -out ca.key
openssl req -x509 -new -key ca.key -subj "/CN=rtspeek fuzz seed CA" -days 3650 -set_serial 1 \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.pem
openssl ecparam -name prime256v1 -genkey -noout -out leaf.sec1
openssl pkcs8 -topk8 -nocrypt -in leaf.sec1 -out leaf.key
openssl req -new -key leaf.key -subj "/CN=cam.example" -out leaf.csr
openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -set_serial 2 -days 397 -extfile leaf.ext -out leaf.pem

cp leaf.pem "$out/ec-leaf.pem"
openssl x509 -in leaf.pem -outform DER -out "$out/ec-leaf.der"
cat leaf.pem ca.pem > "$out/ec-chain.pem"
{ openssl x509 -in leaf.pem -outform DER; openssl x509 -in ca.pem -outform DER; } > "$out/ec-chain.der"
cat ca.pem leaf.pem > "$out/ec-chain-reversed.pem"
cp leaf.key "$out/ec-key.pkcs8.pem"
cp leaf.sec1 "$out/ec-key.sec1.pem"
openssl pkcs8 -topk8 -in leaf.key -v2 aes-256-cbc -passout pass:fuzz -out "$out/ec-key.encrypted.pem"
cat leaf.pem leaf.key > "$out/ec-leaf-and-key.pem"
# Key of another certificate: the halves of this file do not match.
cat leaf.pem ca.key > "$out/ec-leaf-and-wrong-key.pem"

# Self-signed RSA 2048 with a PKCS#1 key, and Ed25519.
openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key -subj "/CN=cam.example" -days 397 \
  -addext "subjectAltName=DNS:cam.example" -out "$out/rsa-self-signed.pem" 2>/dev/null
openssl rsa -in rsa.key -traditional -out "$out/rsa-key.pkcs1.pem" 2>/dev/null
openssl req -x509 -newkey ed25519 -nodes -keyout ed.key -subj "/CN=cam.example" -days 397 \
  -addext "subjectAltName=DNS:*.example" -out "$out/ed25519-self-signed.pem"
cp ed.key "$out/ed25519-key.pkcs8.pem"

# A version 1 certificate with no extensions (CN only).
openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -set_serial 3 -days 397 -out v1.pem
cp v1.pem "$out/ec-v1-cn-only.pem"

# Broken variants: truncated PEM and DER, flipped bytes in a DER, bad base64, a lone PEM header, trailing junk.
head -c "$(( $(wc -c < "$out/ec-chain.pem") * 3 / 5 ))" "$out/ec-chain.pem" > "$out/broken-truncated-chain.pem"
head -c 200 "$out/ec-leaf.der" > "$out/broken-truncated.der"
perl -e 'local $/; open my $i, "<:raw", $ARGV[0] or die; my $b = <$i>;
  for (my $p = 7; $p < length $b; $p += 41) { substr($b, $p, 1) ^= "\x5a" }
  open my $o, ">:raw", $ARGV[1] or die; print $o $b' "$out/ec-leaf.der" "$out/broken-garbled.der"
printf -- '-----BEGIN CERTIFICATE-----\nMIIB!!not*base64@@\n-----END CERTIFICATE-----\n' > "$out/broken-bad-base64.pem"
printf -- '-----BEGIN CERTIFICATE-----\n' > "$out/broken-header-only.pem"
{ cat "$out/ec-leaf.der"; printf 'trailing junk'; } > "$out/broken-trailing-junk.der"

du -cb "$out"/* | tail -1
