#!/usr/bin/env python3
"""Writes the section "Metrics: the cost of a scrape" of docs/PERFORMANCE.md from bench/scrape's
output (bench/scrape_xdp's TSV). The section sits between two markers, after the others;
bench/report.py and bench/core_report.py keep it when they rewrite theirs."""

import sys

BEGIN = "<!-- begin scrape (bench/scrape) -->"
END = "<!-- end scrape -->"


def rows(path):
    out = {}
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        fields = line.rstrip("\n").split("\t")
        out.setdefault(fields[0], []).append(fields[1:])
    return out


def section(data, machine, command):
    (services, reals, series, size, wall, wall99, cpu, collect), = data["scrape"]
    flows = {row[0]: row for row in data["newflow"]}
    quiet, busy = flows["no"], flows["yes"]
    change = 100.0 * (int(busy[1]) - int(quiet[1])) / int(quiet[1])
    L = [BEGIN, "", "## Metrics: the cost of a scrape (`bench/scrape_xdp`)", "",
         machine.rstrip("\n"), "", f"Command: `{command}`.", "",
         f"vipd's collector over the real XDP maps with {reals} reals over {services} services "
         "(configured through the director, as vipadm would), as the exporter runs it per scrape: "
         "the collector's reads and the text it serves (prometheus-cpp's serializer; no HTTP, no "
         f"gzip). {series} series, {int(size):,} bytes of text. Target: a scrape under 50 ms.", "",
         "| scrape | median | p99 |", "|---|---|---|",
         f"| wall time | {wall} ms | {wall99} ms |",
         f"| CPU time of the scraping thread (user + kernel) | {cpu} ms | |",
         f"| of which the collector's reads and families | {collect} ms | |", "",
         "New flows through the XDP program (BPF_PROG_TEST_RUN, every repetition a SYN of a new "
         "flow to the first service, on the last CPU), without and with a thread scraping without "
         f"pause on CPU 0, in alternating runs ({quiet[3]} of each, medians):", "",
         "| scraping | ns per new flow | new flows/s |", "|---|---|---|",
         f"| no | {quiet[1]} | {int(float(quiet[2])):,} |",
         f"| yes ({busy[4]} scrapes during the runs) | {busy[1]} | {int(float(busy[2])):,} |", "",
         f"Difference: {change:+.1f} %. A scrape reads per-CPU map values beside the running "
         "program and takes no lock the program takes; what remains is the machine's (caches, "
         "memory bandwidth, and on a machine shared with other work, CPU time): compare with the "
         "spread of the scheduler cells above before reading anything into it. The wall time "
         "includes waiting for a CPU on a loaded machine; the CPU time does not.", "", END]
    return "\n".join(L) + "\n"


def main(tsv, machine_file, command, out):
    text = open(out).read()
    new = section(rows(tsv), open(machine_file).read(), command)
    if BEGIN in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1].lstrip("\n")
        text = head + new + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + new
    open(out, "w").write(text)


if __name__ == "__main__":
    main(*sys.argv[1:5])
