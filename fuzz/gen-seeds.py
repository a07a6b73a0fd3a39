#!/usr/bin/env python3
"""Regenerates the seeds of the probe_session, server_session, mp4, decoder_config, bridge_command, mikey and
srtp fuzz targets (see README.md) from the repository's captured fixtures, ffmpeg (libx264, libx265) and hand-written
messages. Run from anywhere: `python3 fuzz/gen-seeds.py`. The record formats are described in each target's
entry (`entries/<target>.rs`).

The ffmpeg-made files differ from run to run only in the encoder's version string; the other seeds are
byte-for-byte reproducible.
"""

import base64
import json
import os
import shutil
import struct
import subprocess
import tempfile

FUZZ = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(FUZZ)
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
CORE_DATA = os.path.join(ROOT, "core", "tests", "data")


def read(*path):
    with open(os.path.join(*path), "rb") as f:
        return f.read()


def write(target, name, data):
    d = os.path.join(FUZZ, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def record(op, payload=b""):
    """One `[op][length: u16 big-endian][payload]` record."""
    return bytes([op]) + struct.pack(">H", len(payload)) + payload


def response(name):
    return read(FIXTURES, "rtsp", name + ".txt")


def interleaved(name, count):
    """The first `count` `$` frames of a captured interleaved stream."""
    data = read(FIXTURES, "rtp", name + ".interleaved")
    out, pos = b"", 0
    for _ in range(count):
        if pos + 4 > len(data):
            break
        n = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        out += data[pos:pos + 4 + n]
        pos += 4 + n
    return out


def datagrams(name, count):
    """The first `count` RFC 4571-framed datagrams of a captured UDP stream."""
    data = read(FIXTURES, "rtp", name + ".rtpstream")
    out, pos = [], 0
    while len(out) < count and pos + 2 <= len(data):
        n = struct.unpack(">H", data[pos:pos + 2])[0]
        out.append(data[pos + 2:pos + 2 + n])
        pos += 2 + n
    return out


def chunks(data, size=1400):
    """Data records of at most `size` bytes each (TCP segments), on the newest connection."""
    return b"".join(record(0, data[i:i + size]) for i in range(0, len(data), size))


WAIT = record(7)  # time passes up to the probe's next timer
INTERRUPT = record(0xFF)


# ---- probe_session -------------------------------------------------------------------------------------------

def probe_session():
    t = "probe_session"
    # rtsps://, modern TLS accepted: the gst-rtsp-server RTSPS session as captured, media, teardown.
    write(t, "gst-rtsps-h264-session.bin", bytes([0x01, 0x00])
          + chunks(response("gst-options-rtsps")) + chunks(response("gst-describe-rtsps"))
          + chunks(response("gst-setup-rtsps")) + chunks(response("gst-play-rtsps"))
          + chunks(interleaved("gst-h264", 25)) + WAIT + chunks(response("gst-teardown-rtsps")) + WAIT)
    # rtsp://, zero media window (until decodable), H.265 over TCP.
    write(t, "gst-rtsp-h265-until-decodable.bin", bytes([0x04, 0x10])
          + chunks(response("gst-options-h264")) + chunks(response("gst-describe-h265"))
          + chunks(response("gst-setup-h265-tcp")) + chunks(response("gst-play-h265"))
          + chunks(interleaved("gst-h265", 12)) + WAIT)
    # rtsp://, UDP: the media arrives as datagrams on the bound pair.
    media = b"".join(record(4, d) for d in datagrams("ffmpeg-h264-udp", 12))
    write(t, "gst-rtsp-h264-udp.bin", bytes([0x08, 0x00])
          + chunks(response("gst-options-h264")) + chunks(response("gst-describe-h264"))
          + chunks(response("gst-setup-h264-udp")) + chunks(response("gst-play-h264"))
          + media + WAIT + chunks(response("gst-teardown-h264")))
    # Credentials: Digest 401 then 200, and Basic 401 then 200 (credentials in the URL).
    write(t, "gst-digest-401-then-200.bin", bytes([0x03, 0x00])
          + chunks(response("gst-options-digest-no-credentials")) + chunks(response("gst-describe-401-digest"))
          + chunks(response("gst-describe-digest-authorized")) + chunks(response("gst-setup-digest-authorized"))
          + WAIT + WAIT)
    write(t, "gst-basic-401-credentials-in-url.bin", bytes([0x02, 0x08])
          + chunks(response("gst-options-h264")) + chunks(response("gst-describe-401-basic"))
          + chunks(response("gst-describe-basic-authorized")) + WAIT)
    # A redirect to another host (credentials must not follow), then a 404 there.
    write(t, "redirect-then-404.bin", bytes([0x02, 0x00])
          + chunks(response("gst-options-h264"))
          + record(0, b"RTSP/1.0 302 Found\r\nCSeq: 2\r\nLocation: rtsp://192.0.2.11/other\r\n\r\n")
          + chunks(response("gst-options-h264")) + chunks(response("gst-describe-404")))
    # rtsps://, the modern handshake fails: the TLS scan's raw connections get captured server flights
    # (TLS 1.0 only, a protocol_version alert), then the plain RTSP check gets an RTSP answer.
    legacy = read(CORE_DATA, "tls", "tls10-rsa-cbc_legacy.bin")
    alert = read(CORE_DATA, "tls", "tls10-rsa-cbc_modern.bin")
    scan = b"".join(record(0 | (k << 3), alert if k % 2 else legacy) + record(6 | (k << 3)) for k in range(6))
    write(t, "tls-fails-scan-tls10.bin", bytes([0x41, 0x00]) + scan + WAIT
          + record(0, b"RTSP/1.0 400 Bad Request\r\nCSeq: 0\r\n\r\n") + WAIT)
    # The same with --legacy-tls: the session then runs over the legacy client.
    write(t, "tls-fails-legacy-session.bin", bytes([0x41, 0x01]) + scan + WAIT
          + chunks(response("gst-options-rtsps")) + chunks(response("gst-describe-rtsps"))
          + chunks(response("gst-setup-rtsps")) + chunks(response("gst-play-rtsps"))
          + chunks(interleaved("gst-h264", 10)) + WAIT)
    # The certificate is rejected, TLS scan always, a client certificate asked for, the server resets.
    write(t, "untrusted-client-cert-reset.bin", bytes([0x91, 0x20]) + record(6, b"\x01") + WAIT)
    # Port discovery: one port answers TLS, the other RTSP.
    write(t, "discovery-two-ports.bin", bytes([0x00, 0x02])
          + record(0, alert) + record(8, b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n") + WAIT + WAIT)
    # Interrupted while playing; TLS alert after the handshake (certificate_required).
    write(t, "interrupt-while-playing.bin", bytes([0x01, 0x00])
          + chunks(response("gst-options-rtsps")) + chunks(response("gst-describe-rtsps"))
          + chunks(response("gst-setup-rtsps")) + chunks(response("gst-play-rtsps"))
          + chunks(interleaved("gst-h264", 5)) + INTERRUPT)
    write(t, "alert-after-handshake.bin", bytes([0x01, 0x20]) + record(6, b"\x02\x74"))
    # Garbage instead of RTSP, and a response split byte by byte.
    write(t, "garbage.bin", bytes([0x00, 0x00]) + record(0, bytes(range(256))) + WAIT)
    options = response("gst-options-h264")
    write(t, "options-byte-by-byte.bin", bytes([0x00, 0x00]) + b"".join(record(0, bytes([b])) for b in options))


# ---- server_session ------------------------------------------------------------------------------------------

SESSION = "DDB14B31E762BEB9"  # the id the session's seeded generator gives the first SETUP of a connection
# An RTCP receiver report about the mount's stream (SSRC 0x12345678): 1 packet lost, highest sequence 4242.
RECEIVER_REPORT = bytes.fromhex("81c90007" "deadbeef" "12345678" "00000001" "00001092" "00000000" "00000000" "00000000")


def server_session():
    t = "server_session"

    def req(text):
        return record(0, text.replace("\n", "\r\n").encode())

    host = "rtsp://192.0.2.1:8554"
    full = (req(f"OPTIONS {host}/cam RTSP/1.0\nCSeq: 1\nUser-Agent: LibVLC/3.0.20\n\n")
            + req(f"DESCRIBE {host}/cam RTSP/1.0\nCSeq: 2\nAccept: application/sdp\n\n")
            + req(f"SETUP {host}/cam/trackID=0 RTSP/1.0\nCSeq: 3\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\n\n")
            + req(f"PLAY {host}/cam/ RTSP/1.0\nCSeq: 4\nSession: {SESSION}\nRange: npt=0.000-\n\n")
            + record(0, b"$\x01\x00\x20" + RECEIVER_REPORT)
            + req(f"GET_PARAMETER {host}/cam/ RTSP/1.0\nCSeq: 5\nSession: {SESSION}\n\n")
            + req(f"PAUSE {host}/cam/ RTSP/1.0\nCSeq: 6\nSession: {SESSION}\n\n")
            + req(f"TEARDOWN {host}/cam/ RTSP/1.0\nCSeq: 7\nSession: {SESSION}\n\n"))
    write(t, "tcp-full-session.bin", bytes([0x00]) + full)
    write(t, "rtsps-full-session-h265.bin", bytes([0x11]) + full.replace(b"rtsp://", b"rtsps://"))
    udp = (req(f"SETUP {host}/cam/trackID=0 RTSP/1.0\nCSeq: 1\nTransport: RTP/AVP;unicast;client_port=50000-50001\n\n")
           + req(f"PLAY {host}/cam/ RTSP/1.0\nCSeq: 2\nSession: {SESSION}\n\n")
           + record(2, RECEIVER_REPORT)
           + record(3 | (61 << 2)))
    write(t, "udp-play-rtcp-then-quiet.bin", bytes([0x00]) + udp)
    write(t, "udp-refused-under-tls.bin", bytes([0x01]) + udp)
    basic = base64.b64encode(b"viewer:s3cret-fuzz").decode()
    locked = (req(f"DESCRIBE {host}/locked RTSP/1.0\nCSeq: 1\n\n")
              + req(f"DESCRIBE {host}/locked RTSP/1.0\nCSeq: 2\nAuthorization: Basic {basic}\n\n")
              + req(f"DESCRIBE {host}/locked RTSP/1.0\nCSeq: 3\nAuthorization: Digest username=\"viewer\", "
                    f"realm=\"rtspeek\", nonce=\"0123456789abcdef\", uri=\"{host}/locked\", "
                    f"response=\"00000000000000000000000000000000\", algorithm=MD5\n\n"))
    write(t, "auth-basic-and-digest.bin", bytes([0x02]) + locked)
    write(t, "auth-digest-only.bin", bytes([0x0a]) + locked)
    # A request split across records and slow (request timeout), then garbage (400 and close).
    slow = b"OPTIONS rtsp://192.0.2.1/cam RTSP/1.0\r\nCSeq: 1\r\n\r\n"
    write(t, "slowloris.bin", bytes([0x00]) + record(0, slow[:20]) + record(3 | (5 << 2)) + record(0, slow[20:30])
          + record(3 | (6 << 2)) + record(0, slow[30:]))
    write(t, "tls-client-hello-on-plain-port.bin", bytes([0x00])
          + record(0, read(CORE_DATA, "tls", "hello-modern.bin")))
    write(t, "errors.bin", bytes([0x04])
          + req(f"PLAY {host}/cam RTSP/1.0\nCSeq: 1\n\n")
          + req(f"DESCRIBE {host}/nowhere RTSP/1.0\nCSeq: 2\n\n")
          + req(f"DESCRIBE {host}/cam RTSP/1.0\nCSeq: 3\nAccept: text/html\n\n")
          + req("RECORD rtsp://192.0.2.1/cam RTSP/1.0\nCSeq: 4\n\n")
          + req("OPTIONS * RTSP/2.0\nCSeq: 5\n\n")
          + req("FROB rtsp://192.0.2.1/cam RTSP/1.0\nCSeq: 6\n\n")
          + req("OPTIONS rtsp://192.0.2.1/cam RTSP/1.0\n\n")
          + req(f"SETUP {host}/cam/trackID=0 RTSP/1.0\nCSeq: 7\nTransport: RTP/AVP/UDP;multicast\n\n")
          + req(f"SETUP {host}/cam/trackID=0 RTSP/1.0\nCSeq: 8\nTransport: RTP/AVP/TCP;interleaved=0-1\n\n")
          + req(f"PLAY {host}/cam RTSP/1.0\nCSeq: 9\nSession: {SESSION}\nRange: clock=20260101T000000Z-\n\n")
          + req(f"PLAY {host}/cam RTSP/1.0\nCSeq: 10\nSession: {SESSION}\n\n")
          + req(f"SETUP {host}/site/front/trackID=0 RTSP/1.0\nCSeq: 11\nSession: {SESSION}\nTransport: RTP/AVP/TCP;interleaved=2-3\n\n")
          + req("SET_PARAMETER * RTSP/1.0\nCSeq: 12\nContent-Length: 7\n\nvolume\n"))


# ---- mp4 -------------------------------------------------------------------------------------------------------

def ffmpeg(args, out):
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=size=32x32:rate=10"] + args + [out], check=True)


def mp4():
    t = "mp4"
    tmp = tempfile.mkdtemp()
    try:
        x264 = ["-frames:v", "3", "-c:v", "libx264", "-preset", "ultrafast", "-g", "2", "-bf", "0",
                "-x264-params", "log=-1"]
        x265 = ["-frames:v", "2", "-c:v", "libx265", "-preset", "ultrafast", "-g", "2", "-bf", "0",
                "-x265-params", "log-level=none:info=0"]
        files = {
            "x264-3-frames.mp4": x264,
            "x264-3-frames-faststart.mov": x264 + ["-movflags", "+faststart", "-f", "mov"],
            "x264-fragmented.mp4": x264 + ["-movflags", "frag_keyframe+empty_moov"],
            "x264-3-frames.264": x264 + ["-x264-params", "log=-1:aud=1", "-f", "h264"],
            "x265-2-frames.mp4": x265 + ["-tag:v", "hvc1"],
            "x265-2-frames.265": x265 + ["-f", "hevc"],
        }
        for name, args in files.items():
            out = os.path.join(tmp, name)
            ffmpeg(args, out)
            write(t, name, read(out))
        whole = read(tmp, "x264-3-frames.mp4")
        write(t, "x264-truncated.mp4", whole[:len(whole) * 2 // 3])
        # The Annex B stream without its first access unit: it starts mid-GOP (frames skipped to the keyframe).
        annexb = read(tmp, "x264-3-frames.264")
        second = annexb.find(b"\x00\x00\x00\x01\x09", 4)
        write(t, "x264-starts-mid-gop.264", annexb[second:])
    finally:
        shutil.rmtree(tmp)


# ---- decoder_config ------------------------------------------------------------------------------------------

def find_box(data, kind):
    """The body of the first box of type `kind` anywhere in `data` (a plain search: fine for these files)."""
    at = data.find(kind)
    size = struct.unpack(">I", data[at - 4:at])[0]
    return data[at + 4:at - 4 + size]


def sprop(sdp_name, key):
    sdp = read(FIXTURES, "sdp", sdp_name).decode()
    value = sdp.split(key + "=")[1].split(";")[0].split()[0]
    return [base64.b64decode(v) for v in value.split(",")]


def avcc(sps, pps, length_size=4):
    out = bytes([1, sps[0][1], sps[0][2], sps[0][3], 0xFC | (length_size - 1), 0xE0 | len(sps)])
    for s in sps:
        out += struct.pack(">H", len(s)) + s
    out += bytes([len(pps)])
    for p in pps:
        out += struct.pack(">H", len(p)) + p
    return out


def hvcc(arrays, length_size=4):
    # Profile/tier/level and format fields copied from x265's Main profile record (22 bytes after the version).
    out = bytes([1, 0x01, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 0x3C, 0xF0, 0, 0xFC, 0xFD, 0xF8, 0xF8, 0, 0,
                 0x0C | (length_size - 1), len(arrays)])
    for nal_type, nals in arrays:
        out += bytes([0x80 | nal_type]) + struct.pack(">H", len(nals))
        for n in nals:
            out += struct.pack(">H", len(n)) + n
    return out


def decoder_config():
    t = "decoder_config"
    x264 = find_box(read(FIXTURES, "media", "h264.mp4"), b"avcC")
    x265 = find_box(read(FIXTURES, "media", "h265.mp4"), b"hvcC")
    write(t, "x264-avcC.bin", x264)
    write(t, "x265-hvcC.bin", x265)
    sps, pps = sprop("gst-h264.sdp", "sprop-parameter-sets")
    write(t, "gst-h264-avcC.bin", avcc([sps], [pps]))
    write(t, "gst-h264-avcC-length-size-1.bin", avcc([sps], [pps], length_size=1))
    o_sps, o_pps = sprop("gst-openh264.sdp", "sprop-parameter-sets")
    write(t, "openh264-avcC-two-sps.bin", avcc([o_sps, sps], [o_pps, pps]))
    vps = sprop("gst-h265.sdp", "sprop-vps")[0]
    h_sps = sprop("gst-h265.sdp", "sprop-sps")[0]
    h_pps = sprop("gst-h265.sdp", "sprop-pps")[0]
    write(t, "gst-h265-hvcC.bin", hvcc([(32, [vps]), (33, [h_sps]), (34, [h_pps])]))
    sei = bytes([0x4E, 0x01, 0x05, 0x04, 0xDE, 0xAD, 0xBE, 0xEF, 0x80])
    write(t, "gst-h265-hvcC-with-sei-length-size-2.bin",
          hvcc([(32, [vps]), (33, [h_sps]), (34, [h_pps]), (39, [sei])], length_size=2))
    write(t, "x264-avcC-truncated.bin", x264[:len(x264) // 2])
    write(t, "x264-avcC-version-2.bin", bytes([2]) + x264[1:])
    write(t, "gst-h264-avcC-no-pps.bin", avcc([sps], []))
    write(t, "gst-h265-hvcC-no-vps.bin", hvcc([(33, [h_sps]), (34, [h_pps])]))


# ---- bridge_command --------------------------------------------------------------------------------------------

def bridge_command():
    t = "bridge_command"
    messages = {
        "probe-full.json": {"type": "probe", "id": 7, "url": "rtsps://cam.example/x", "user": "admin",
                            "password": "hunter2-pw", "ca_pem": "-----BEGIN CERTIFICATE-----", "insecure": True,
                            "transport": "tcp", "duration": 2.5, "timeout": 4, "tls_scan": False,
                            "legacy_tls": True, "preview": True},
        "probe-minimal.json": {"type": "probe", "id": 0, "url": "rtsps://192.0.2.10:322/stream"},
        "stop.json": {"type": "stop", "id": 4294967295},
        "url-with-password.json": {"type": "probe", "id": 1, "url": "rtsps://admin:hunter2-pw@cam.example/live"},
        "host-form-with-password.json": {"type": "probe", "id": 2, "url": "admin:hunter2-pw@192.0.2.10:322/live"},
        "bad-url-with-password.json": {"type": "probe", "id": 3, "url": "rtsps://admin:hunter2-pw@cam.example:99999/"},
        "password-and-bad-transport.json": {"type": "probe", "id": 4, "url": "rtsp://cam/x", "password": "hunter2-pw",
                                            "transport": "hunter2-pw"},
        "password-as-number.json": {"type": "probe", "id": 5, "url": "rtsp://cam/x", "password": 12345678},
        "misspelt-password.json": {"type": "probe", "id": 6, "url": "rtsp://cam/x", "pasword": "hunter2-pw"},
        "long-password.json": {"type": "probe", "id": 8, "url": "rtsp://cam/x", "password": "p" * 1025},
        "duration-out-of-range.json": {"type": "probe", "id": 9, "url": "rtsp://cam/x", "password": "hunter2-pw",
                                       "duration": 1e300, "timeout": -1},
        "bad-ca-pem.json": {"type": "probe", "id": 10, "url": "rtsps://cam/x", "password": "hunter2-pw",
                            "ca_pem": "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n"},
        "unknown-type.json": {"type": "dance", "id": 1, "password": "hunter2-pw"},
        "no-id.json": {"type": "probe", "url": "rtsp://cam/x", "password": "hunter2-pw"},
    }
    for name, message in messages.items():
        write(t, name, json.dumps(message))
    write(t, "duplicate-keys-and-escapes.json",
          '{"type":"probe","id":1,"id":2,"url":"rtsp://u:p\\u0061ss@cam/x","password":"\\u00e9t\\u00e9\\n"}')
    write(t, "not-json.txt", '{"password": "hunter2-pw", "type": "probe"')
    write(t, "array.json", '[{"type":"stop","id":1}]')
    write(t, "nested.json", '{"type":"probe","id":1,"url":{"password":"hunter2-pw"},"user":["admin"]}')


# A MIKEY-NULL offer of a GStreamer-style server (core/tests/it/srtp.rs explains it).
MIKEY_NULL = ("AQAFAElq4SIBAAA6zCzrAAAAAAsA7d5mHVUyqcsKEP9Ynnh3rIApS64s5GNDOb4BAAAAHgABAQEBEAIBAQMBFAQBDgUBAAcBAQgBAQoBAQsB"
              "CgAAACcAIQAepnM1qcQLCtXMUZ8imXhhE4K37b1PTMal3WhDgdssBAAAAAEA")


def mikey():
    t = "mikey"
    real = base64.b64decode(MIKEY_NULL)
    write(t, "null-offer-aes-cm.bin", real)
    write(t, "null-offer-aes-cm.b64", MIKEY_NULL)
    write(t, "truncated-in-kemac.bin", real[:100])
    write(t, "version-2.bin", b"\x02" + real[1:])
    # PSK mode: a KEMAC said to be AES-CM encrypted with an HMAC-SHA1 MAC (random bytes: decryption must fail).
    kemac = bytes([0, 1]) + struct.pack(">H", 39) + bytes(range(39)) + bytes([1]) + bytes(range(20))
    write(t, "psk-kemac.bin", real[:82] + kemac)  # HDR, T, RAND and SP are 82 bytes
    # GCM policy, salted TEK, interval validity, two key data sub-payloads, an ID and an ERR payload.
    hdr = bytes([1, 0, 6, 0]) + struct.pack(">IBB", 0xDEADBEEF, 2, 0) + struct.pack(">BII", 0, 1, 0) * 2
    ident = bytes([5, 1]) + struct.pack(">H", 4) + b"cam1"  # next T
    ts = bytes([11, 2]) + struct.pack(">I", 7)  # next RAND, counter
    rnd = bytes([10, 16]) + bytes(16)
    params = bytes([0, 1, 6, 1, 1, 16, 2, 1, 0, 4, 1, 12, 20, 1, 16, 8, 1, 0])
    sp = bytes([12, 0, 0]) + struct.pack(">H", len(params)) + params  # next ERR
    err = bytes([1, 13]) + bytes(2)  # next KEMAC
    k1 = bytes([20, 0x32]) + struct.pack(">H", 16) + bytes(16) + struct.pack(">H", 12) + bytes(12) \
        + bytes([6]) + bytes(6) + bytes([6]) + b"\xff" * 6
    k2 = bytes([0, 0x21]) + struct.pack(">H", 28) + bytes(28) + bytes([1, 9])
    kem = bytes([0, 0]) + struct.pack(">H", len(k1 + k2)) + k1 + k2 + bytes([0])
    write(t, "gcm-salted-interval-id-err.bin", hdr + ident + ts + rnd + sp + err + kem)
    write(t, "sdes-aes-cm-80-lifetime-mki.txt",
          "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:tGU6L4vui7vFvia/bPo6uXiXDpB/D9hY30fs4+U7|2^31|123456789:4")
    write(t, "sdes-two-keys-params.txt",
          "1 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:4;"
          "inline:QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNk|2^20|2:4 KDR=1 UNENCRYPTED_SRTCP")
    write(t, "sdes-gcm-unknown-suite.txt", "9 AEAD_AES_256_GCM inline:" + base64.b64encode(bytes(44)).decode())


def srtp():
    t = "srtp"
    # libsrtp's known answers (RFC 3711 B.3 master key) and RFC 7714's AES-GCM packets.
    write(t, "libsrtp-kat-srtp.bin", bytes.fromhex(
        "800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb"))
    write(t, "libsrtp-kat-srtcp.bin", bytes.fromhex(
        "81c8000bcafebabe7128035be487b9bdbef89041f977a5a880000001993e08cd54d6c1230798"))
    write(t, "rfc7714-srtp.bin", bytes.fromhex(
        "8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de3adf883389"
        "9d7f27beb16a9152cf765ee4390cce"))
    write(t, "rtp-csrc-extension.bin", bytes.fromhex("910100010000000000000005" "00000001" "bede0001" "01020304") + b"payload")
    write(t, "rtcp-sr.bin", bytes.fromhex("80c8000612345678") + bytes(range(24)))
    write(t, "short.bin", bytes.fromhex("80"))


if __name__ == "__main__":
    probe_session()
    server_session()
    mp4()
    decoder_config()
    bridge_command()
    mikey()
    srtp()
