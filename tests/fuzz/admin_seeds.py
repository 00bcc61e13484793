#!/usr/bin/env python3
"""Writes the starting corpus of fuzz_admin (corpus/admin/seed-*): one request line of each
command as vipadm sends it, IPv6, every optional field, and the hostile lines vipd once failed
on (invalid UTF-8, deep nesting, wrapped numbers, unknown enum names, a truncated line). Inputs
libFuzzer finds later are kept beside them."""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "admin")

KEY4 = {"protocol": "tcp", "address": "198.18.0.50", "port": 80}
KEY6 = {"protocol": "udp", "address": "2001:db8::50", "port": 53}
REAL = {"address": "198.18.1.11", "port": 80, "forward": "route", "weight": 1,
        "upperThreshold": 0, "lowerThreshold": 0}
SERVICE = {"key": KEY4, "scheduler": "wlc", "schedFlags": [], "onePacket": False}


def req(command, **fields):
    return dict({"version": 1, "command": command}, **fields)


SEEDS = {
    "add-service": req("add-service", service=SERVICE),
    "add-service-v6": req("add-service", service={
        "key": KEY6, "scheduler": "sh", "schedFlags": ["sh-fallback", "sh-port"],
        "onePacket": True, "persistence": 300, "netmask": 64}),
    "edit-service": req("edit-service", service=dict(SERVICE, persistence=360,
                                                     netmask=4294967040)),
    "delete-service": req("delete-service", key=KEY4),
    "clear": req("clear"),
    "add-server": req("add-server", key=KEY4, real=REAL),
    "edit-server": req("edit-server", key=KEY4, real=dict(REAL, weight=65535,
                                                          upperThreshold=2147483647)),
    "delete-server": req("delete-server", key=KEY6,
                         real={"address": "2001:db8::11", "port": 53}),
    "list": req("list"),
    "list-one": req("list", key=KEY4),
    "zero": req("zero", key=KEY4),
    "set-timeouts": req("set-timeouts", timeouts={"tcp": 900, "tcpfin": 0, "udp": 2678400}),
    "get-timeouts": req("get-timeouts"),
    "list-connections": req("list-connections"),
    "no-version": {"command": "list"},
    "newer-field": req("list", addedLater={"x": [1, 2]}),
    "wrapped-timeout": req("set-timeouts", timeouts={"tcp": -1, "tcpfin": 4294967297,
                                                      "udp": 1}),
    "wrapped-port": req("add-server", key=dict(KEY4, port=70000), real=REAL),
    "unknown-enum": req("add-server", key=dict(KEY4, protocol="sctp"),
                        real=dict(REAL, forward="fullnat")),
    "version-2": dict(req("list"), version=2),
}

RAW = {
    "invalid-utf8": b"\xff\n",
    "invalid-utf8-in-string": b'{"version":1,"command":"li\xffst"}\n',
    "deep": b'{"command":' + b"[" * 2000 + b"]" * 2000 + b"}\n",
    "truncated": b'{"version":1,"command":"add-se',
    "nul-in-address": b'{"command":"delete-service","key":{"protocol":"tcp",'
                      b'"address":"198.18.0.50\\u0000x","port":80}}\n',
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, value in SEEDS.items():
        with open(os.path.join(OUT, "seed-" + name), "wb") as f:
            f.write(json.dumps(value, separators=(",", ":")).encode() + b"\n")
    for name, data in RAW.items():
        with open(os.path.join(OUT, "seed-" + name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
