#!/usr/bin/env python3
"""Writes the section "Packet core: before and after" of docs/PERFORMANCE.md from bench/core-before-after's
outputs (verifier_count's and core_compare's TSV). The rest of the file is left as it is; the
section sits between two markers, which bench/report.py keeps when it rewrites the file."""
import sys

BEGIN = "<!-- begin core-compare (bench/core-before-after) -->"
END = "<!-- end core-compare -->"


def tsv(path):
    return [l.rstrip("\n").split("\t") for l in open(path) if l.strip() and not l.startswith("#")]


def section(verifier, compare, machine, command):
    L = [BEGIN, "", "## Packet core: before and after", "",
         "The XDP program built from the packet core (`fastpath/`, on the BPF platform) beside the",
         "program as it was before the core was split out, measured in one session on one set of",
         "maps (`bench/core_compare`: rr over 8 reals; BPF_PROG_TEST_RUN, 100 000 repetitions per",
         "run, the kernel's average per repetition; the two programs alternate, round by round).",
         "", machine.strip(), "", "```", command, "```", "",
         "Instructions the verifier processed to accept each program (global subprograms included):",
         "", "| program | before | after | change |", "|---|---:|---:|---:|"]
    counts = {}
    for who, prog, n in verifier:
        counts.setdefault(prog, {})[who] = int(n)
    for prog, c in counts.items():
        b, a = c.get("before"), c.get("after")
        L.append(f"| {prog} | {b} | {a} | {100.0 * (a - b) / b:+.1f}% |")
    L += ["", "ns per packet, median of the runs (min–max; every run listed):", "",
          "| packet | before | after | change | runs before | runs after |",
          "|---|---:|---:|---:|---|---|"]
    rows = {}
    for cell, who, median, lo, hi, runs in compare:
        rows.setdefault(cell, {})[who] = (int(median), int(lo), int(hi), runs)
    for cell, r in rows.items():
        b, a = r["before"], r["after"]
        L.append(f"| {cell.replace('_', ' ')} | {b[0]} ({b[1]}–{b[2]}) | {a[0]} ({a[1]}–{a[2]}) | "
                 f"{100.0 * (a[0] - b[0]) / b[0]:+.1f}% | {b[3]} | {a[3]} |")
    L += ["", "The spread of the runs (min–max) is the noise of this machine for that packet: a change",
          "inside it is not a change the benchmark can see.", "", END]
    return "\n".join(L) + "\n"


def main(verifier_tsv, compare_tsv, machine_file, command, out):
    text = open(out).read()
    new = section(tsv(verifier_tsv), tsv(compare_tsv), open(machine_file).read(), command)
    if BEGIN in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1].lstrip("\n")
        text = head + new + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + new
    open(out, "w").write(text)


if __name__ == "__main__":
    main(*sys.argv[1:6])
