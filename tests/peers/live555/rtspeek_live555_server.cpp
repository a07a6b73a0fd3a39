// rtspeek's thin live555 test server: one H.264 Annex B file on one path, on 127.0.0.1 only, with optional
// RTSPS, SRTP (MIKEY in the SDP) and Digest authentication, for the loopback tests (tests/src/peers/live555.rs).
// Written for rtspeek after the shape of live555's testOnDemandRTSPServer; built against the unmodified
// live555 library sources by tests/peers/live555/Makefile.
//
//   rtspeek_live555_server --file clip.264 [--path test] [--port 0] [--cert C --key K] [--srtp]
//       [--no-encrypt] [--user U --password P] [--no-tcp] [--timeout 60]
//
// Stdout: `serving rtsp[s]://127.0.0.1:PORT/PATH srtp=on|off encrypt=on|off` once listening (PORT is the real
// one for --port 0). Exit 0 after --timeout seconds, 1 if it cannot serve, 2 on bad arguments.
//
// SRTP: with --cert, live555's own switch (RTSPServer::setTLSState), which also refuses RTP over TCP. Without
// --cert live555 has no switch for it (its SRTP is meant for RTSPS): the media session's public
// `streamingUsesSRTP` flags are set directly, which gives SRTP with MIKEY keys in the clear SDP.

#include "BasicUsageEnvironment.hh"
#include "GroupsockHelper.hh"
#include "liveMedia.hh"

#include <arpa/inet.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>

static char volatile stop = 0;

static void onTimeout(void*) { stop = 1; }

static void usage(char const* why) {
  fprintf(stderr,
          "rtspeek_live555_server: %s\n"
          "usage: rtspeek_live555_server --file F.264 [--path P] [--port N] [--cert C --key K] [--srtp]\n"
          "       [--no-encrypt] [--user U --password P] [--no-tcp] [--timeout SECONDS]\n",
          why);
  exit(2);
}

static unsigned number(char const* text, char const* what) {
  char* end = NULL;
  unsigned long n = strtoul(text, &end, 10);
  if (*text == '\0' || *end != '\0' || n > 0xFFFFFFFFul) usage(what);
  return (unsigned)n;
}

int main(int argc, char** argv) {
  char const* file = NULL;
  char const* path = "test";
  char const* cert = NULL;
  char const* key = NULL;
  char const* user = NULL;
  char const* password = NULL;
  unsigned port = 0, timeout = 60;
  bool srtp = false, encrypt = true, tcp = true;

  for (int i = 1; i < argc; ++i) {
    char const* arg = argv[i];
    // Every option but the switches takes the next argument as its value.
    bool isSwitch = !strcmp(arg, "--srtp") || !strcmp(arg, "--no-encrypt") || !strcmp(arg, "--no-tcp");
    if (!isSwitch && i + 1 >= argc) usage("an option lacks its value");
    if (!strcmp(arg, "--srtp")) srtp = true;
    else if (!strcmp(arg, "--no-encrypt")) encrypt = false;
    else if (!strcmp(arg, "--no-tcp")) tcp = false;
    else if (!strcmp(arg, "--file")) file = argv[++i];
    else if (!strcmp(arg, "--path")) path = argv[++i];
    else if (!strcmp(arg, "--cert")) cert = argv[++i];
    else if (!strcmp(arg, "--key")) key = argv[++i];
    else if (!strcmp(arg, "--user")) user = argv[++i];
    else if (!strcmp(arg, "--password")) password = argv[++i];
    else if (!strcmp(arg, "--port")) port = number(argv[++i], "--port wants a number");
    else if (!strcmp(arg, "--timeout")) timeout = number(argv[++i], "--timeout wants a number");
    else usage("unknown option");
  }
  if (file == NULL) usage("--file is required");
  if (port > 65535) usage("--port is at most 65535");
  if ((user == NULL) != (password == NULL)) usage("--user and --password go together");
  if (key != NULL && cert == NULL) usage("--key needs --cert");
  while (*path == '/') ++path;
  // live555 only notices a missing file when the first client asks: say so now instead.
  FILE* probe = fopen(file, "rb");
  if (probe == NULL) {
    fprintf(stderr, "rtspeek_live555_server: cannot read %s\n", file);
    return 1;
  }
  fclose(probe);

  // Loopback only: the RTSP listeners and every RTP/RTCP socket bind to these.
  ReceivingInterfaceAddr = inet_addr("127.0.0.1");
  ReceivingInterfaceAddr6 = in6addr_loopback;

  TaskScheduler* scheduler = BasicTaskScheduler::createNew();
  UsageEnvironment* env = BasicUsageEnvironment::createNew(*scheduler);
  UserAuthenticationDatabase* auth = NULL;
  if (user != NULL) {
    auth = new UserAuthenticationDatabase;
    auth->addUserRecord(user, password);
  }
  RTSPServer* server = RTSPServer::createNew(*env, Port(port), auth);
  if (server == NULL) {
    fprintf(stderr, "rtspeek_live555_server: cannot listen: %s\n", env->getResultMsg());
    return 1;
  }
  if (cert != NULL) server->setTLSState(cert, key != NULL ? key : cert, srtp, encrypt);
  if (!tcp) server->disableStreamingRTPOverTCP();

  ServerMediaSession* session =
      ServerMediaSession::createNew(*env, path, "rtspeek live555 test stream", "H.264 file");
  // reuseFirstSource False: every client gets the file from its start.
  session->addSubsession(H264VideoFileServerMediaSubsession::createNew(*env, file, False));
  server->addServerMediaSession(session);
  if (cert == NULL && srtp) {
    // After addServerMediaSession, which copies the server's (TLS-only) SRTP switches into the session.
    session->streamingUsesSRTP = True;
    session->streamingIsEncrypted = encrypt;
  }

  // The prefix is `rtsp[s]://ADDRESS:PORT/`: take the port live555 bound.
  char* prefix = server->rtspURLPrefix();
  char const* colon = strrchr(prefix, ':');
  unsigned bound = colon != NULL ? (unsigned)strtoul(colon + 1, NULL, 10) : 0;
  delete[] prefix;
  if (bound == 0) {
    fprintf(stderr, "rtspeek_live555_server: cannot tell the bound port\n");
    return 1;
  }
  printf("serving rtsp%s://127.0.0.1:%u/%s srtp=%s encrypt=%s\n", cert != NULL ? "s" : "", bound, path,
         srtp ? "on" : "off", srtp && encrypt ? "on" : "off");
  fflush(stdout);

  env->taskScheduler().scheduleDelayedTask((int64_t)timeout * 1000000, onTimeout, NULL);
  env->taskScheduler().doEventLoop(&stop);
  return 0;
}
