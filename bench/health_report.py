#!/usr/bin/env python3
"""Writes the section "Health checker" of docs/PERFORMANCE.md from bench/health_cpu's rows. The
rest of the file is left as it is; the section sits between two markers after the sections
bench/report.py keeps (everything from the core-compare marker on)."""
import sys

BEGIN = "<!-- begin health-cpu (bench/health-cpu) -->"
END = "<!-- end health-cpu -->"
TARGET = 10.0


def section(rows, machine, command):
    L = [BEGIN, "", "## Health checker", "",
         "The checker's CPU time (user + system, the whole process) while it checks N reals every",
         "second, each with one check (timeout 0.5 s, the first checks spread over the first",
         "interval), the reals being loopback addresses served by one small HTTP server in a",
         "child process whose CPU time is not counted. Target: under 10% of one core for 1000",
         "reals.", "", machine.strip(), "", "```", command, "```", "",
         "| kind | reals | seconds | checks | failed | CPU seconds | share of one core |",
         "|---|---:|---:|---:|---:|---:|---:|"]
    L += rows
    worst = max(float(r.rsplit("|", 2)[-2].strip().rstrip("%")) for r in rows)
    L += ["", f"Worst share: {worst:.1f}% of one core, "
              f"{'within' if worst < TARGET else 'above'} the target of {TARGET:.0f}%.", "",
          "An HTTP check costs a connection, a request, a parsed answer and a close; a TCP check",
          "only the handshake. Both are a few system calls on Boost.Asio's epoll loop: there is",
          "no thread per check.", "", END]
    return "\n".join(L) + "\n"


def main(rows_file, machine_file, command, out):
    rows = [l.rstrip("\n") for l in open(rows_file) if l.startswith("|")]
    text = open(out).read()
    new = section(rows, open(machine_file).read(), command)
    if BEGIN in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1].lstrip("\n")
        text = head + new + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + new
    open(out, "w").write(text)


if __name__ == "__main__":
    main(*sys.argv[1:5])
