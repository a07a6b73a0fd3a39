#!/usr/bin/python3
"""Plays an rtsp:// or rtsps:// URL with GStreamer's rtspsrc (GnuTLS via glib-networking) and counts the
depayloaded buffers: a third-party client for rtspeek serve's interop tests.

TLS: the server certificate is verified with the default (full) validation flags, against --ca given to
rtspsrc as a Gio.TlsFileDatabase, or without --ca against the system store (rtspsrc's default); nothing is
relaxed. --protocols default leaves rtspsrc's own choice (UDP first, then TCP), as a user's pipeline does. Prints `buffers N` and exits 0 once --buffers arrived,
1 on a pipeline error (printed), 2 on timeout.

--rtsps-request-urls rewrites the `rtsp://` request URLs GStreamer 1.22 writes inside TLS to `rtsps://` (in
rtspsrc's before-send signal): live555 answers an `rtsp://` URL on its TLS port with a redirect to the same
`rtsps://` URL, which rtspsrc would follow forever. A test-only workaround, through ctypes, for x86-64 Linux.
"""
import argparse
import os
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib, Gst  # noqa: E402


def rtsps_request_url(_src, message):
    """Replaces the `rtsp://` of a request's URL with `rtsps://`.

    GstRTSPMessage's request URL is not writable from Python: the struct is edited in place. Layout
    (gstrtspmessage.h, x86-64): the message type (enum) at 0, then the type_data union at 8 whose request
    member is the method (enum) at 8 and the URL (gchar*) at 16. PyGObject's hash of a boxed value is its
    pointer."""
    import ctypes

    class Request(ctypes.Structure):
        _fields_ = [("type", ctypes.c_int), ("_pad", ctypes.c_int), ("method", ctypes.c_int),
                    ("uri", ctypes.c_void_p)]

    glib = ctypes.CDLL("libglib-2.0.so.0")
    glib.g_strdup.restype = ctypes.c_void_p
    glib.g_strdup.argtypes = [ctypes.c_char_p]
    glib.g_free.argtypes = [ctypes.c_void_p]
    request = Request.from_address(hash(message))
    if request.type != 1 or not request.uri:  # GST_RTSP_MESSAGE_REQUEST
        return True
    uri = ctypes.string_at(request.uri)
    if uri.startswith(b"rtsp://"):
        old = request.uri
        request.uri = glib.g_strdup(b"rtsps://" + uri[len(b"rtsp://"):])
        glib.g_free(old)
    return True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--ca", help="PEM CA file to trust for rtsps://")
    parser.add_argument("--protocols", default="tcp", choices=["tcp", "udp", "default"])
    parser.add_argument("--codec", default="h264", choices=["h264", "h265"])
    parser.add_argument("--buffers", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--rtsps-request-urls", action="store_true",
                        help="send rtsps:// request URLs inside TLS (see the docstring)")
    args = parser.parse_args()

    Gst.init(None)
    protocols = "" if args.protocols == "default" else f" protocols={args.protocols}"
    pipeline = Gst.parse_launch(
        f"rtspsrc name=src latency=0{protocols} ! rtp{args.codec}depay ! {args.codec}parse ! "
        "fakesink name=sink signal-handoffs=true sync=false"
    )
    src = pipeline.get_by_name("src")
    src.set_property("location", args.url)
    if args.ca:
        # GLib wants an absolute path for the anchors file.
        src.set_property("tls-database", Gio.TlsFileDatabase.new(os.path.abspath(args.ca)))
    if args.rtsps_request_urls:
        src.connect("before-send", rtsps_request_url)
    loop = GLib.MainLoop()
    state = {"buffers": 0, "code": 2}

    def on_handoff(_sink, _buffer, _pad):
        state["buffers"] += 1
        if state["buffers"] >= args.buffers and state["code"] == 2:
            state["code"] = 0
            GLib.idle_add(loop.quit)

    def on_message(_bus, message):
        if message.type == Gst.MessageType.ERROR:
            err, debug = message.parse_error()
            print(f"error {err.message} ({debug})", flush=True)
            state["code"] = 1
            loop.quit()
        elif message.type == Gst.MessageType.EOS:
            loop.quit()

    pipeline.get_by_name("sink").connect("handoff", on_handoff)
    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)
    GLib.timeout_add(int(args.timeout * 1000), loop.quit)
    pipeline.set_state(Gst.State.PLAYING)
    loop.run()
    pipeline.set_state(Gst.State.NULL)
    print(f"buffers {state['buffers']}", flush=True)
    sys.exit(state["code"])


if __name__ == "__main__":
    main()
