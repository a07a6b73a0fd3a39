#!/usr/bin/env python3
"""The third-party WS-Discovery peer of rtspeek's discovery tests: Python's `WSDiscovery` (PyPI), in the venv
`cargo xtask test` makes (target/peers-venv).

  publish --epr URN --xaddr URL [--scope S ...] [--seconds N]
      Publishes an ONVIF NVT (dn:NetworkVideoTransmitter, tds:Device) with those XAddrs and scopes: Hello,
      answers to Probes, Bye when stdin closes or after --seconds. Prints `ready` once published.
  search [--scope S ...] [--timeout N]
      Probes for dn:NetworkVideoTransmitter and prints one JSON line per service found:
      {"epr": ..., "types": ["{ns}local", ...], "scopes": [...], "xaddrs": [...]}, then `done`.

WSDiscovery sends on every IPv4 address of the host, so run it inside the network namespace under test.
"""
import argparse
import json
import sys
import threading
import time

from wsdiscovery import QName, Scope
from wsdiscovery.discovery import ThreadedWSDiscovery
from wsdiscovery.publishing import ThreadedWSPublishing

NVT = QName("http://www.onvif.org/ver10/network/wsdl", "NetworkVideoTransmitter", "dn")
DEVICE = QName("http://www.onvif.org/ver10/device/wsdl", "Device", "tds")


def publish(args):
    wsp = ThreadedWSPublishing(uuid_=args.epr)
    wsp.start()
    wsp.publishService(types=[NVT, DEVICE], scopes=[Scope(s) for s in args.scope], xAddrs=args.xaddr)
    print("ready", flush=True)
    # Until the test closes stdin (or dies), bounded by --seconds.
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait(args.seconds)
    wsp.stop()
    return 0


def search(args):
    wsd = ThreadedWSDiscovery()
    wsd.start()
    scopes = [Scope(s) for s in args.scope] or None
    services = wsd.searchServices(types=[NVT], scopes=scopes, timeout=args.timeout)
    for s in services:
        print(json.dumps({
            "epr": s.getEPR(),
            "types": ["{%s}%s" % (t.getNamespace(), t.getLocalname()) for t in s.getTypes()],
            "scopes": [sc.getValue() for sc in s.getScopes()],
            "xaddrs": list(s.getXAddrs()),
        }), flush=True)
    print("done", flush=True)
    wsd.stop()
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    pub = sub.add_parser("publish")
    pub.add_argument("--epr", required=True)
    pub.add_argument("--xaddr", action="append", default=[])
    pub.add_argument("--scope", action="append", default=[])
    pub.add_argument("--seconds", type=float, default=60)
    se = sub.add_parser("search")
    se.add_argument("--scope", action="append", default=[])
    se.add_argument("--timeout", type=float, default=3)
    args = p.parse_args()
    return publish(args) if args.cmd == "publish" else search(args)


if __name__ == "__main__":
    sys.exit(main())
