/* Reads and writes MIKEY with GStreamer's own gstmikey (libgstsdp), for core/tests/data/srtp/README.md. No
 * development headers are needed: the few functions are declared here and the libraries linked directly:
 *   L=/usr/lib/x86_64-linux-gnu; gcc -o gst-mikey gst-mikey.c $L/libgstsdp-1.0.so.0 $L/libgstreamer-1.0.so.0 \
 *     $L/libglib-2.0.so.0 $L/libgobject-2.0.so.0
 *   ./gst-mikey make "<application/x-srtp caps>"   -> base64 MIKEY (CS map: SSRC 0xcafebabe, ROC 0)
 *   ./gst-mikey parse <base64>                     -> the caps GStreamer reads from it */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
typedef void *P;
extern void gst_init(int *argc, char ***argv);
extern P gst_caps_from_string(const char *s);
extern char *gst_caps_to_string(P caps);
extern P gst_caps_new_empty_simple(const char *media);
extern P gst_mikey_message_new_from_caps(P caps);
extern char *gst_mikey_message_base64_encode(P msg);
extern P gst_mikey_message_new_from_data(const void *data, size_t size, P info, P *error);
extern int gst_mikey_message_to_caps(P msg, P caps);
extern int gst_mikey_message_add_cs_srtp(P msg, unsigned char policy, unsigned int ssrc, unsigned int roc);
extern unsigned char *g_base64_decode(const char *text, size_t *out_len);
int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  if (argc > 2 && strcmp(argv[1], "make") == 0) {
    P caps = gst_caps_from_string(argv[2]);
    P msg = gst_mikey_message_new_from_caps(caps);
    if (!msg) { fprintf(stderr, "no msg\n"); return 1; }
    gst_mikey_message_add_cs_srtp(msg, 0, 0xcafebabe, 0);
    printf("%s\n", gst_mikey_message_base64_encode(msg));
    return 0;
  }
  if (argc > 2 && strcmp(argv[1], "parse") == 0) {
    size_t n; unsigned char *d = g_base64_decode(argv[2], &n);
    P err = NULL;
    P msg = gst_mikey_message_new_from_data(d, n, NULL, &err);
    if (!msg) { printf("REJECTED\n"); return 2; }
    P caps = gst_caps_new_empty_simple("application/x-srtp");
    if (!gst_mikey_message_to_caps(msg, caps)) { printf("NO CAPS\n"); return 3; }
    printf("%s\n", gst_caps_to_string(caps));
    return 0;
  }
  return 1;
}
