#!/usr/bin/env python3
"""Captures real servers' answers to rtspeek's ClientHellos (see README.md in this folder).

Python 3 standard library and the `openssl` CLI (OpenSSL 3.0) only. Run from anywhere:

    python3 core/tests/data/tls/capture.py

It (1) makes a root CA, an intermediate CA and a server certificate with openssl (certificates are written
here as PEM and DER, keys stay in a temporary directory), (2) starts each server on 127.0.0.1 (bounded with
`timeout`), (3) sends the committed `hello-*.bin` (built by rtspeek's codec) on a fresh connection, and
(4) writes every byte the server sent back, until it closes or stays silent for a second, to `<server>_<hello>.bin`.
"""

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
IDLE = 1.0  # seconds of silence that end a capture
TIMEOUT = "20"  # seconds each server may live

# name: (server kind, extra s_server flags); kind is "openssl", "http" or "rtsp".
SERVERS = {
    "tls10-rsa-cbc": ("openssl", ["-tls1", "-cipher", "AES128-SHA:@SECLEVEL=0"]),
    "tls10-default": ("openssl", ["-tls1", "-cipher", "DEFAULT@SECLEVEL=0"]),
    "tls11-default": ("openssl", ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"]),
    "tls12-aes128sha": ("openssl", ["-tls1_2", "-cipher", "AES128-SHA"]),
    "tls12-client-cert": ("openssl", ["-tls1_2", "-Verify", "1", "-CAfile", "{dir}/root.pem"]),
    "tls12-fragmented": ("openssl", ["-tls1_2", "-max_send_frag", "512"]),
    "tls13-default": ("openssl", []),
    "tls13-only": ("openssl", ["-tls1_3"]),
    "tls13-p256-only": ("openssl", ["-groups", "P-256"]),
    "http": ("http", []),
    "rtsp": ("rtsp", []),
}

# (server, hello) pairs to capture.
CAPTURES = [
    ("tls10-rsa-cbc", "legacy"),
    ("tls10-rsa-cbc", "modern"),
    ("tls10-default", "legacy"),
    ("tls11-default", "legacy"),
    ("tls12-aes128sha", "legacy"),
    ("tls12-aes128sha", "modern"),
    ("tls12-aes128sha", "single-aes128sha"),
    ("tls12-aes128sha", "single-rc4"),
    ("tls12-client-cert", "legacy"),
    ("tls12-fragmented", "legacy"),
    ("tls13-default", "modern"),
    ("tls13-default", "legacy"),
    ("tls13-only", "legacy"),
    ("tls13-p256-only", "modern"),
    ("http", "legacy"),
    ("rtsp", "legacy"),
]


def run(*args, cwd=None):
    subprocess.run(args, check=True, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_pki(keys):
    """Root CA -> intermediate CA -> server certificate (cam.example, 127.0.0.1)."""
    def req(name, subject):
        run("openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", subject,
            "-keyout", f"{keys}/{name}.key", "-out", f"{keys}/{name}.csr")

    def ext(name, text):
        with open(f"{keys}/{name}.ext", "w") as f:
            f.write(text)

    req("root", "/O=rtspeek tests/CN=rtspeek TLS fixture root")
    ext("root", "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n")
    run("openssl", "x509", "-req", "-in", f"{keys}/root.csr", "-signkey", f"{keys}/root.key", "-days", "3650",
        "-sha256", "-extfile", f"{keys}/root.ext", "-out", f"{HERE}/root.pem")
    req("intermediate", "/O=rtspeek tests/CN=rtspeek TLS fixture intermediate")
    ext("intermediate", "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n")
    run("openssl", "x509", "-req", "-in", f"{keys}/intermediate.csr", "-CA", f"{HERE}/root.pem",
        "-CAkey", f"{keys}/root.key", "-set_serial", "2", "-days", "3650", "-sha256",
        "-extfile", f"{keys}/intermediate.ext", "-out", f"{HERE}/intermediate.pem")
    req("leaf", "/CN=cam.example")
    ext("leaf", "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:cam.example,IP:127.0.0.1\n")
    run("openssl", "x509", "-req", "-in", f"{keys}/leaf.csr", "-CA", f"{HERE}/intermediate.pem",
        "-CAkey", f"{keys}/intermediate.key", "-set_serial", "3", "-days", "3650", "-sha256",
        "-extfile", f"{keys}/leaf.ext", "-out", f"{HERE}/leaf.pem")
    for name in ("root", "intermediate", "leaf"):
        run("openssl", "x509", "-in", f"{HERE}/{name}.pem", "-outform", "DER", "-out", f"{HERE}/{name}.der")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_openssl(port, flags, keys):
    flags = [f.replace("{dir}", HERE) for f in flags]
    cmd = ["timeout", TIMEOUT, "openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-naccept", "1",
           "-cert", f"{HERE}/leaf.pem", "-key", f"{keys}/leaf.key", "-cert_chain", f"{HERE}/intermediate.pem",
           *flags]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    for line in proc.stdout:  # s_server prints ACCEPT once it listens
        if line.strip() == b"ACCEPT":
            return proc
    raise RuntimeError(f"s_server did not start: {' '.join(cmd)}")


def start_http(port):
    cmd = ["timeout", TIMEOUT, sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tempfile.gettempdir())
    wait_listening(port)
    return proc


def start_rtsp(port):
    """A plain RTSP responder: answers whatever arrives with 400 Bad Request, as cameras with RTSPS off do."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(1)

    def serve():
        conn, _ = server.accept()
        with conn:
            conn.recv(4096)
            conn.sendall(b"RTSP/1.0 400 Bad Request\r\nServer: fixture-rtsp\r\nContent-Length: 0\r\n\r\n")
        server.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread


def wait_listening(port):
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def exchange(port, hello):
    """Sends the ClientHello and returns every byte received until close or IDLE seconds of silence."""
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(hello)
        s.settimeout(IDLE)
        while len(received) < 262144:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                break
            if not chunk:
                break
            received += chunk
    return received


def main():
    with tempfile.TemporaryDirectory() as keys:
        make_pki(keys)
        for server, hello_name in CAPTURES:
            kind, flags = SERVERS[server]
            with open(f"{HERE}/hello-{hello_name}.bin", "rb") as f:
                hello = f.read()
            port = free_port()
            if kind == "openssl":
                proc = start_openssl(port, flags, keys)
            elif kind == "http":
                proc = start_http(port)
            else:
                proc = start_rtsp(port)
            answer = exchange(port, hello)
            if isinstance(proc, subprocess.Popen):
                proc.kill()
                proc.wait()
            out = f"{HERE}/{server}_{hello_name}.bin"
            with open(out, "wb") as f:
                f.write(answer)
            print(f"{os.path.basename(out)}: {len(answer)} bytes, starts {answer[:8].hex()}")


if __name__ == "__main__":
    main()
