#!/usr/bin/env python3
"""Writes the starting corpus of fuzz_process (corpus/process/seed-*): a few flows through each
scheduler, UDP, IPv6, a persistent port-zero service, VLAN tags, fragments and sweeps, in the
input format FuzzProcess.cpp describes. Inputs libFuzzer finds later are kept beside them."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "process")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def eth(proto, vlan=None):
    head = bytes.fromhex("020000000002") + bytes.fromhex("020000000001")
    if vlan is not None:
        head += struct.pack("!HH", 0x8100, vlan)
    return head + struct.pack("!H", proto)


def ip4(src, dst, proto, payload, frag=0):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, frag, 64, proto, 0,
                      bytes(map(int, src.split("."))), bytes(map(int, dst.split("."))))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def tcp(sport, dport, flags):
    return struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 0x50, flags, 65535, 0, 0)


def udp(sport, dport, data):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data


def ip6(src, dst, nh, payload):
    import ipaddress
    return (struct.pack("!IHBB", 6 << 28, len(payload), nh, 64) +
            ipaddress.IPv6Address(src).packed + ipaddress.IPv6Address(dst).packed + payload)


def record(frame):
    return struct.pack("!H", len(frame)) + frame


SWEEP = b"\xff\xff"
SYN, ACK, FIN, RST = 0x02, 0x10, 0x01, 0x04
VIP = "198.18.1.100"


def flow(sport, vip=VIP, dport=80, vlan=None):
    frames = [tcp(sport, dport, SYN), tcp(sport, dport, ACK), tcp(sport, dport, FIN | ACK)]
    return b"".join(record(eth(0x0800, vlan) + ip4("198.18.0.10", vip, 6, f)) for f in frames)


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {}
    for sched in range(14):
        seeds["sched-%02d" % sched] = bytes([sched, 1]) + flow(40000) + flow(40001) + SWEEP
    seeds["fallback-port"] = bytes([0x88, 1]) + flow(40000) + flow(40001)
    seeds["udp"] = bytes([0, 1]) + b"".join(
        record(eth(0x0800) + ip4("198.18.0.10", VIP, 17, udp(5000 + i, 53, b"q"))) for i in range(3))
    seeds["ipv6"] = bytes([0, 1]) + b"".join(
        record(eth(0x86DD) + ip6("2001:db8::10", "2001:db8::100", 6, tcp(40000, 80, f)))
        for f in (SYN, ACK, RST))
    seeds["persistent"] = bytes([3, 5]) + flow(40000, "198.18.1.101", 8080) + flow(
        40001, "198.18.1.101", 443) + SWEEP * 40
    seeds["vlan"] = bytes([1, 9]) + flow(40000, vlan=7)
    seeds["fragment"] = bytes([0, 1]) + record(
        eth(0x0800) + ip4("198.18.0.10", VIP, 17, udp(1, 53, b"x" * 16), frag=0x2000))
    for name, data in seeds.items():
        with open(os.path.join(OUT, "seed-" + name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
