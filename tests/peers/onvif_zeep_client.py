"""An ONVIF client for the tests: python-onvif-zeep (PyPI onvif-zeep, with the WSDL files it ships) asks a device
for its information, its Media (ver10) profiles and each profile's stream URI, and prints one JSON document.

usage: onvif_zeep_client.py HOST PORT USER PASSWORD
exit 0 with {"info": {...}, "profiles": [{"token", "name", "uri"}]}; exit 3 with {"fault": "..."} when the device
answers with a SOAP fault (a wrong password); exit 1 on anything else.
"""
import json
import os
import site
import sys

from onvif import ONVIFCamera
from zeep.exceptions import Fault


def wsdl_dir():
    # onvif-zeep installs its WSDL files at site-packages/wsdl.
    for base in site.getsitepackages():
        path = os.path.join(base, "wsdl")
        if os.path.isfile(os.path.join(path, "devicemgmt.wsdl")):
            return path
    raise SystemExit("onvif-zeep's wsdl directory was not found")


def main():
    host, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    try:
        cam = ONVIFCamera(host, port, user, password, wsdl_dir())
        info = cam.devicemgmt.GetDeviceInformation()
        media = cam.create_media_service()
        profiles = []
        for p in media.GetProfiles():
            req = media.create_type("GetStreamUri")
            req.ProfileToken = p.token
            req.StreamSetup = {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}}
            profiles.append({"token": p.token, "name": p.Name, "uri": media.GetStreamUri(req).Uri})
    except Fault as e:
        print(json.dumps({"fault": str(e.message)}))
        sys.exit(3)
    except Exception as e:  # zeep wraps faults of the constructor's own calls in ONVIFError
        if "not authorized" in str(e).lower():
            print(json.dumps({"fault": str(e)}))
            sys.exit(3)
        raise
    print(json.dumps({"info": {"manufacturer": info.Manufacturer, "model": info.Model}, "profiles": profiles}))


main()
