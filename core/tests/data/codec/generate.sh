#!/bin/sh
# Regenerates the codec fixtures (see README.md). Needs ffmpeg (libx264, libx265) and GStreamer 1.22
# (plugins-good for rtph264pay/rtph265pay/rtpstreampay, plugins-bad for openh264enc and the parsers).
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
q='ffmpeg -hide_banner -loglevel error -y'

# x264 High@1.3, 320x182 (coded 320x192: 10 lines cropped), 25 fps, B-frames, IDR every 10 frames.
$q -f lavfi -i testsrc2=size=320x182:rate=25 -frames:v 15 -c:v libx264 -profile:v high -level 1.3 \
   -pix_fmt yuv420p -x264-params keyint=10:min-keyint=10:scenecut=0:bframes=2 "$tmp/x264_high.mp4"
# The same stream as Annex B and twice as RTP: FU-A + single NAL units, and with STAP-A
# (aggregate-mode=zero-latency bundles SPS, PPS and SEI). SPS/PPS are in band before each IDR.
gst-launch-1.0 -q filesrc location="$tmp/x264_high.mp4" ! qtdemux ! h264parse config-interval=-1 \
   ! video/x-h264,stream-format=byte-stream,alignment=au ! tee name=t \
   t. ! queue ! filesink location=x264_high_320x182.h264 \
   t. ! queue ! rtph264pay mtu=1200 pt=96 ssrc=0x11223344 seqnum-offset=65530 timestamp-offset=4294960000 \
      ! rtpstreampay ! filesink location=x264_high_320x182.rtpstream \
   t. ! queue ! rtph264pay mtu=1200 pt=96 aggregate-mode=zero-latency ssrc=0x11223344 seqnum-offset=100 \
      timestamp-offset=1000 ! rtpstreampay ! filesink location=x264_high_320x182_stapa.rtpstream

# x264 Main@2.1, 320x240 interlaced (field coding: frame_mbs_only_flag = 0), 29.97 fps.
$q -f lavfi -i testsrc2=size=320x240:rate=30000/1001 -frames:v 6 -c:v libx264 -profile:v main -level 2.1 \
   -pix_fmt yuv420p -flags +ildct+ilme -x264-params interlaced=1:keyint=6:scenecut=0 \
   x264_main_interlaced_320x240.h264

# openh264 (GStreamer openh264enc from plugins-bad), Constrained Baseline, 320x182, 15 fps.
gst-launch-1.0 -q videotestsrc num-buffers=8 pattern=smpte ! video/x-raw,width=320,height=182,framerate=15/1 \
   ! openh264enc gop-size=4 ! h264parse ! video/x-h264,stream-format=byte-stream \
   ! filesink location=openh264_320x182.h264

# x265 Main, 320x182 (coded 320x184, conformance window 2 lines), 25 fps, B-frames, IRAP every 10 frames.
$q -f lavfi -i testsrc2=size=320x182:rate=25 -frames:v 15 -c:v libx265 -profile:v main \
   -x265-params keyint=10:min-keyint=10:scenecut=0:bframes=2:log-level=error "$tmp/x265_main.mp4"
gst-launch-1.0 -q filesrc location="$tmp/x265_main.mp4" ! qtdemux ! h265parse config-interval=-1 \
   ! video/x-h265,stream-format=byte-stream,alignment=au ! tee name=t \
   t. ! queue ! filesink location=x265_main_320x182.h265 \
   t. ! queue ! rtph265pay mtu=1200 pt=96 aggregate-mode=zero-latency ssrc=0x55667788 seqnum-offset=65500 \
      timestamp-offset=7 ! rtpstreampay ! filesink location=x265_main_320x182.rtpstream

# x265 Main 10, 320x180 (coded 320x184), 30 fps.
$q -f lavfi -i testsrc2=size=320x180:rate=30 -frames:v 6 -c:v libx265 -profile:v main10 \
   -pix_fmt yuv420p10le -x265-params keyint=6:scenecut=0:log-level=error x265_main10_320x180.h265
