#!/usr/bin/python3
"""rtspeek's launcher for gst-rtsp-server (the third-party GStreamer RTSP/RTSPS server), on loopback.

Run it with Debian's /usr/bin/python3 (python3-gi and the GStreamer bindings live there, not in a pyenv
python). Debian packages: gstreamer1.0-tools gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
gstreamer1.0-plugins-ugly gstreamer1.0-rtsp gir1.2-gst-rtsp-server-1.0 python3-gst-1.0 python3-gi
glib-networking (x264enc is in -ugly, x265enc and openh264enc in -bad).

  /usr/bin/python3 gst_rtsp_server.py --port 8554                        # rtsp://127.0.0.1:8554/test
  /usr/bin/python3 gst_rtsp_server.py --port 0                           # a free port, printed on stdout
  /usr/bin/python3 gst_rtsp_server.py --port 8322 --cert cert.pem --key key.pem   # rtsps://127.0.0.1:8322/test
  ... --auth digest --user admin --password secret     # Digest MD5 (or basic, or both: two WWW-Authenticate)
  ... --client-cert require --ca ca.pem                # mTLS (every cert is checked against --ca)
  ... --protocols udp                                  # refuse TCP-interleaved SETUP (461)
  ... --size 320x180 --fps 25 --gop 25 --bitrate 300   # the encoded test picture (bitrate in kbit/s)
  ... --timeout 60                                     # exit by itself after 60 s (always bound it in tests)
  ... --srtp                                           # play mounts offer only RTP/SAVP (SRTP, MIKEY in the SDP)
  ... --file264 clip.264 --paced                       # /file264 at the clip's frame rate, like a live camera

Mounts (all with the same --protocols and, with --auth, the same credentials):
  /test      H.264 from x264enc (tune=zerolatency speed-preset=ultrafast key-int-max=GOP), rtph264pay pt=96
  /h265      H.265 from x265enc (tune=zerolatency speed-preset=ultrafast key-int-max=GOP), rtph265pay pt=96
  /openh264  H.264 from openh264enc (Cisco OpenH264, constrained baseline, gop-size=GOP), only if installed
  /file264   an Annex B H.264 file given with --file264, rtph264pay pt=96; read as fast as filesrc goes, or
             with --paced through clocksync (h264parse timestamps each frame from the stream's VUI timing,
             clocksync releases it at that time), so that the server sees a live, paced source
  /record    RECORD mode (ANNOUNCE/SETUP/RECORD publishers such as ffmpeg -f rtsp): decodebin ! fakesink
With --srtp every mount but /record has the profile SAVP only: its srtpenc draws a random key, announced as
MIKEY-NULL in `a=key-mgmt:mikey` (AES_CM_128_HMAC_SHA1_80, SRTCP encrypted); RTP/AVP SETUPs get 461.
The picture is I420 (4:2:0 8-bit: without it x265enc would pick 4:4:4 12-bit, Rext profile). Payloaders send
SPS/PPS(/VPS) in-band once a second (config-interval=1). Media are shared between clients.

Stdout: one line `serving rtsp[s]://ADDRESS:PORT{/test,...}` once the socket is bound (PORT is the real one
when --port 0 was given), then one line per client certificate decision in mTLS mode. Exit 0 on
SIGTERM/SIGINT/--timeout; exit 1 if the port cannot be bound.

Known behaviour worth a finding (observed with GStreamer 1.22): inside TLS it still writes rtsp:// URLs in
Content-Base and RTP-Info; it offers TLS 1.0-1.3; one certificate per server (no SNI); in client-certificate
mode it rejects every certificate unless `accept-certificate` is handled (done below).
"""
import argparse
import os
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
gi.require_version("GstRtsp", "1.0")
from gi.repository import Gio, GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description="gst-rtsp-server test peer (see module docstring)")
    p.add_argument("--address", default="127.0.0.1")
    p.add_argument("--port", default="8554", help="TCP port; 0 picks a free one (printed on stdout)")
    p.add_argument("--cert", help="PEM certificate (chain) for RTSPS; the key may be in the same file")
    p.add_argument("--key", help="PEM private key for --cert")
    p.add_argument("--auth", choices=["none", "basic", "digest", "both"], default="none")
    p.add_argument("--user", default="admin")
    p.add_argument("--password", default="secret")
    p.add_argument("--client-cert", choices=["none", "request", "require"], default="none")
    p.add_argument("--ca", help="PEM CA used to verify client certificates")
    p.add_argument("--protocols", default="udp,tcp", help="comma list of udp,tcp,mcast")
    p.add_argument("--file264", help="Annex B H.264 file served on /file264")
    p.add_argument("--size", default="640x360", help="WxH of the test picture")
    p.add_argument("--fps", type=int, default=25)
    p.add_argument("--gop", type=int, default=25, help="key-frame interval in frames")
    p.add_argument("--bitrate", type=int, default=0, help="kbit/s for every encoder (0 = encoder default)")
    p.add_argument("--pattern", default="ball", help="videotestsrc pattern")
    p.add_argument("--timeout", type=int, default=0, help="exit after N seconds (0 = run forever)")
    p.add_argument("--paced", action="store_true",
                   help="/file264 is released at the clip's own frame rate (clocksync), as a live source")
    p.add_argument("--srtp", action="store_true",
                   help="play mounts offer only RTP/SAVP (SRTP, keys by MIKEY in the SDP)")
    return p.parse_args()


def launch_lines(a):
    w, h = a.size.lower().split("x")
    raw = (f"videotestsrc is-live=true pattern={a.pattern} ! "
           f"video/x-raw,format=I420,width={w},height={h},framerate={a.fps}/1")
    br = a.bitrate
    x264 = f"x264enc tune=zerolatency speed-preset=ultrafast key-int-max={a.gop}" + (f" bitrate={br}" if br else "")
    x265 = f"x265enc tune=zerolatency speed-preset=ultrafast key-int-max={a.gop}" + (f" bitrate={br}" if br else "")
    launches = {
        "/test": f"( {raw} ! {x264} ! rtph264pay name=pay0 pt=96 config-interval=1 )",
        "/h265": f"( {raw} ! {x265} ! rtph265pay name=pay0 pt=96 config-interval=1 )",
    }
    if Gst.ElementFactory.find("openh264enc") is not None:
        oh = f"openh264enc gop-size={a.gop}" + (f" bitrate={br * 1000}" if br else "")
        launches["/openh264"] = f"( {raw} ! {oh} ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1 )"
    if a.file264:
        pace = " ! clocksync" if a.paced else ""
        launches["/file264"] = (f"( filesrc location={a.file264} ! h264parse{pace} ! "
                                "rtph264pay name=pay0 pt=96 config-interval=1 )")
    return launches


def permit(mounts, paths, role):
    # permissions live on the factories: grant access + construct to `role` on every mount
    for path in paths:
        fac = mounts.match(path)[0]
        perms = GstRtspServer.RTSPPermissions()
        perms.add_role(role)
        perms.add_permission_for_role(role, GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
        perms.add_permission_for_role(role, GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
        fac.set_permissions(perms)


def set_auth_methods_both(auth):
    """gst_rtsp_auth_set_supported_methods(auth, BASIC | DIGEST).

    GstRTSPAuthMethod is a GEnum used as a bit set: PyGObject refuses the value 3, so call the C function
    through ctypes with the GObject pointer (the server then sends two WWW-Authenticate headers)."""
    import ctypes
    api = ctypes.pythonapi
    api.PyCapsule_GetPointer.restype = ctypes.c_void_p
    api.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    ptr = api.PyCapsule_GetPointer(auth.__gpointer__, None)
    lib = ctypes.CDLL("libgstrtspserver-1.0.so.0")
    lib.gst_rtsp_auth_set_supported_methods.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.gst_rtsp_auth_set_supported_methods(
        ptr, int(GstRtsp.RTSPAuthMethod.BASIC) | int(GstRtsp.RTSPAuthMethod.DIGEST))


def main():
    a = parse_args()
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(a.address)
    server.set_service(str(a.port))

    proto = GstRtsp.RTSPLowerTrans(0)
    for x in a.protocols.split(","):
        proto |= {"udp": GstRtsp.RTSPLowerTrans.UDP, "tcp": GstRtsp.RTSPLowerTrans.TCP,
                  "mcast": GstRtsp.RTSPLowerTrans.UDP_MCAST}[x]

    mounts = server.get_mount_points()
    launches = launch_lines(a)
    for path, launch in launches.items():
        f = GstRtspServer.RTSPMediaFactory()
        f.set_launch(launch)
        f.set_shared(True)
        f.set_protocols(proto)
        if a.srtp:
            # SAVP alone: the stream's srtpenc draws a random key, announced as MIKEY in the SDP
            f.set_profiles(GstRtsp.RTSPProfile.SAVP)
        mounts.add_factory(path, f)
    rec = GstRtspServer.RTSPMediaFactory()
    rec.set_transport_mode(GstRtspServer.RTSPTransportMode.RECORD)
    rec.set_launch("( decodebin name=depay0 ! fakesink )")
    rec.set_protocols(proto)
    mounts.add_factory("/record", rec)
    paths = list(launches) + ["/record"]

    auth = GstRtspServer.RTSPAuth()
    use_auth = False
    if a.cert:
        pem = open(a.cert).read() + "\n" + open(a.key or a.cert).read()
        auth.set_tls_certificate(Gio.TlsCertificate.new_from_pem(pem, -1))
        if a.client_cert != "none":
            auth.set_tls_authentication_mode(
                Gio.TlsAuthenticationMode.REQUIRED if a.client_cert == "require"
                else Gio.TlsAuthenticationMode.REQUESTED)
            if a.ca:
                auth.set_tls_database(Gio.TlsFileDatabase.new(os.path.abspath(a.ca)))

            def _accept(_auth, _conn, peer, errors):
                # gst-rtsp-server has no default handler: without this every client cert is rejected
                ok = int(errors) == 0
                name = peer.props.subject_name if hasattr(peer.props, "subject_name") else peer
                print(f"client cert {name} errors={errors!r} -> {'accept' if ok else 'reject'}", flush=True)
                return ok
            auth.connect("accept-certificate", _accept)
        use_auth = True
    if a.auth != "none":
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "user")
        if a.auth in ("basic", "both"):
            auth.add_basic(GstRtspServer.RTSPAuth.make_basic(a.user, a.password), token)
        if a.auth in ("digest", "both"):
            auth.add_digest(a.user, a.password, token)
        if a.auth == "both":
            set_auth_methods_both(auth)
        else:
            auth.set_supported_methods(
                GstRtsp.RTSPAuthMethod.BASIC if a.auth == "basic" else GstRtsp.RTSPAuthMethod.DIGEST)
        use_auth = True
    if use_auth:
        server.set_auth(auth)
        if a.auth != "none":
            permit(mounts, paths, "user")
        else:
            # TLS only: anonymous users may access everything
            tok = GstRtspServer.RTSPToken()
            tok.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "anonymous")
            auth.set_default_token(tok)
            permit(mounts, paths, "anonymous")

    if server.attach(None) == 0:
        sys.exit("attach failed (port busy?)")
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    if a.timeout:
        GLib.timeout_add_seconds(a.timeout, loop.quit)
    scheme = "rtsps" if a.cert else "rtsp"
    print(f"serving {scheme}://{a.address}:{server.get_bound_port()}{{{','.join(paths)}}}", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
