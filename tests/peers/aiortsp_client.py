#!/usr/bin/env python3
"""Plays an rtsp:// or rtsps:// URL with aiortsp (PyPI, asyncio RTSP client) and counts RTP packets: the
"OpenSSL 3 (Python ssl)" client of rtspeek's interop matrix.

TLS is aiortsp's own default for rtsps://: `ssl.create_default_context()` (Python's secure defaults on
OpenSSL 3: TLS 1.2+, forward-secret suites, security level 2, full verification with host name check),
trusting the system store or SSL_CERT_FILE. Credentials come from the URL's userinfo. Transports are
aiortsp's choice by scheme: rtsp:// UDP, rtsps:// TCP interleaved.

Prints `packets N` and exits 0 once --packets arrived; otherwise prints `error ...` (the exception that ended
the stream) and exits 1, or 2 on timeout. Run it with the interpreter of the venv `cargo xtask test` made
(target/peers-venv), which has aiortsp.
"""
import argparse
import asyncio
import logging
import sys

from aiortsp.rtsp.reader import RTSPReader


async def play(url, packets, timeout):
    count = 0
    async with RTSPReader(url, timeout=timeout, log_level=logging.CRITICAL) as reader:
        async for _ in reader.iter_packets():
            count += 1
            if count >= packets:
                print(f"packets {count}", flush=True)
                return 0
        runner = reader._runner
        error = runner.exception() if runner is not None and runner.done() and not runner.cancelled() else None
    print(f"error {error!r} after {count} packets", flush=True)
    return 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--packets", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args()
    try:
        code = asyncio.run(asyncio.wait_for(play(args.url, args.packets, args.timeout), args.timeout))
    except asyncio.TimeoutError:
        print("error timeout", flush=True)
        code = 2
    sys.exit(code)


if __name__ == "__main__":
    main()
