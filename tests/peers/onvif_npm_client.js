// An ONVIF client for the tests: the npm `onvif` package (agsh/onvif) connects to a device (it reads the clock,
// capabilities, services and profiles; it uses Media2 when the device offers it), asks each profile's stream URI
// with PROTOCOL (Media2: RtspsUnicast, RTSP...) and prints one JSON document.
//
// usage: node onvif_npm_client.js HOST PORT USER PASSWORD PROTOCOL
// exit 0 with {"info", "media2", "profiles": [{"token", "uri"} or {"token", "fault"}]}; exit 3 with {"fault"} when
// the device refuses the credentials; exit 1 on anything else.

const { Cam } = require("onvif");

const [host, port, username, password, protocol] = process.argv.slice(2);
setTimeout(() => { console.log(JSON.stringify({ error: "no answer in 30 s" })); process.exit(1); }, 30_000).unref();

new Cam({ hostname: host, port: Number(port), username, password, timeout: 10_000 }, function (err) {
  if (err) { console.log(JSON.stringify({ error: `connect: ${err.message}` })); process.exit(1); }
  const cam = this;
  cam.getDeviceInformation(async (e, info) => {
    if (e) { console.log(JSON.stringify({ fault: e.message })); process.exit(3); }
    const profiles = [];
    for (const p of cam.profiles) {
      const token = p.$.token;
      const uri = await new Promise((ok) => cam.getStreamUri({ protocol, profileToken: token }, (e2, u) => ok(e2 ? { token, fault: e2.message } : { token, uri: u.uri })));
      profiles.push(uri);
    }
    console.log(JSON.stringify({ info, media2: Boolean(cam.media2Support), profiles }));
    process.exit(0);
  });
});
