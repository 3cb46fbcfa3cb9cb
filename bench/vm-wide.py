#!/usr/bin/env python3
"""vm-wide.py - the tables of bench/vm-wide.sh (seed 004's axis, CPUs in the mm).

  vm-wide.py csv EXPORT DIR   DIR/thp-munmap.csv and DIR/hotplug.csv from a
                              guest's `mmstorm export` (export.jsonl)
  vm-wide.py table DIR        markdown tables of those CSVs and the linear
                              fits y = a + b*N, with R^2 and y at N = 128
  vm-wide.py trim EXPORT      the export cut to what `csv` reads (runs,
                              metrics, and the counters it uses in the
                              samples it uses): tests/fixtures/wide/

thp-munmap.csv, one row per thread count N, from the runs whose munmap was
timed: passed, or failed only on THP coverage (`passed` counts the passed
ones; thp_coverage_pct is the median of the runs' worst iterations); when
several, the median of each column:
  munmap_ms_per_gib, tlb_irqs_per_gib   the workload's metrics (the TLB line
                      of /proc/interrupts summed over CPUs, around the munmap)
  tlb_irqs_min   the fewest TLB interrupts of one munmap among the runs: the
                 munmap's own flush; the others add flushes that other
                 code (NUMA balancing's change_prot_numa() of the same
                 mm) did inside the munmap window
  tp_shootdown_per_gib   tracepoint tlb:tlb_flush reason "remote shootdown"
                      (a flush done on a CPU for another CPU's request),
                      between the munmap-start and munmap-end samples
  tp_ipi_send_per_gib    tlb:tlb_flush "remote ipi send": flush requests sent
  cal_irqs, thp_coverage_pct
hotplug.csv, one row per online CPU count (cpu.online at the run's start):
  transitions_per_s, ms_per_transition (its inverse: the fitted one, as
  a rate is not linear in N), offline_ms_p50, online_ms_p50, offline_ms_max
A value the kernel or run did not give is empty.
"""
import csv
import json
import os
import statistics
import sys

MUNMAP_COLS = ["threads", "runs", "passed", "size_gib", "munmap_ms_per_gib",
               "tlb_irqs_per_gib", "tlb_irqs_min", "tp_shootdown_per_gib",
               "tp_ipi_send_per_gib", "cal_irqs", "thp_coverage_pct"]
HOTPLUG_COLS = ["online_cpus", "runs", "transitions", "transitions_per_s",
                "ms_per_transition", "offline_ms_p50", "online_ms_p50",
                "offline_ms_max"]
PREDICT_AT = 128


def read_export(path):
    """{uuid: {"run", "metrics", "names", "samples"}} of an export."""
    runs = {}

    def run(uuid):
        return runs.setdefault(uuid, {"run": None, "metrics": {},
                                      "names": [], "samples": []})
    with open(path) as f:
        for line in f:
            rec = json.loads(line)
            kind = rec.get("type")
            if kind == "run":
                run(rec["uuid"])["run"] = rec
            elif kind == "metric":
                run(rec["run"])["metrics"][rec["name"]] = rec["value"]
            elif kind == "counters":
                run(rec["run"])["names"] = rec["names"]
            elif kind == "sample":
                run(rec["run"])["samples"].append(rec)
    return {u: r for u, r in runs.items() if r["run"] is not None}


def counter(names, values, name):
    """A counter's value in one sample: the total when the sampler kept
    one, else the sum of its per-CPU counters (name.cpuN); None if none."""
    if name in names:
        v = values[names.index(name)]
        return None if v is None else float(v)
    parts = [values[i] for i, n in enumerate(names)
             if n.startswith(name + ".cpu") and n[len(name) + 4:].isdigit()
             and i < len(values) and values[i] is not None]
    return float(sum(parts)) if parts else None


def munmap_deltas(r, name):
    """The counter's change over each munmap (munmap-start -> -end)."""
    out, start = [], None
    for s in sorted(r["samples"], key=lambda s: s["seq"]):
        v = counter(r["names"], s["values"], name)
        if s.get("label") == "munmap-start":
            start = v
        elif s.get("label") == "munmap-end" and start is not None:
            if v is not None:
                out.append(v - start)
            start = None
    return out


def median_or_none(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def munmap_row(r):
    m = r["metrics"]
    if "threads" not in m or not m.get("size_gib"):
        return None
    gib = m["size_gib"]
    row = {"threads": int(m["threads"]), "size_gib": gib,
           "passed": 1 if r["run"].get("state") == "passed" else 0,
           "munmap_ms_per_gib": m.get("munmap_ms_per_gib"),
           "tlb_irqs_per_gib": m.get("tlb_irqs_per_gib"),
           "tlb_irqs_min": m.get("munmap_tlb_irqs"),
           "cal_irqs": m.get("munmap_cal_irqs"),
           "thp_coverage_pct": m.get("thp_coverage_pct")}
    for col, reason in (("tp_shootdown_per_gib", "remote_shootdown"),
                        ("tp_ipi_send_per_gib", "remote_ipi_send")):
        d = median_or_none(munmap_deltas(r, "tp.tlb.tlb_flush." + reason))
        row[col] = None if d is None else d / gib
    return row


def hotplug_row(r):
    m = r["metrics"]
    online = [counter(r["names"], s["values"], "cpu.online")
              for s in r["samples"]]
    online = [v for v in online if v is not None]
    if not online or "transitions" not in m:
        return None
    rate = m.get("transitions_per_s")
    return {"online_cpus": int(max(online)),
            "transitions": m.get("transitions"),
            "transitions_per_s": rate,
            "ms_per_transition": 1000 / rate if rate else None,
            "offline_ms_p50": m.get("offline_ms_p50"),
            "online_ms_p50": m.get("online_ms_p50"),
            "offline_ms_max": m.get("offline_ms_max")}


def measured(run):
    """A thp-munmap run whose munmap was timed: passed, or failed only on
    THP coverage (its numbers are whole; thp_coverage_pct says how much
    of the region was THP)."""
    if run["workload"] != "thp-munmap":
        return False
    return run.get("state") == "passed" or (
        run.get("state") == "failed" and
        (run.get("reason") or "").startswith("THP coverage"))


def merge(rows, key, cols):
    """One row per key value, the median of each column over its runs."""
    by = {}
    for row in rows:
        by.setdefault(row[key], []).append(row)
    out = []
    for k in sorted(by):
        group = by[k]
        row = {key: k, "runs": len(group)}
        for c in cols:
            if c == "passed":
                row[c] = sum(g[c] for g in group)
            elif c.endswith("_min"):
                vals = [g[c] for g in group if g.get(c) is not None]
                row[c] = min(vals) if vals else None
            elif c not in row:
                row[c] = median_or_none([g.get(c) for g in group])
        out.append(row)
    return out


def fmt(v):
    if v is None:
        return ""
    if isinstance(v, int) or float(v).is_integer():
        return str(int(v))
    if abs(v) >= 1000:
        return "%.0f" % v
    return "%.4g" % v


def write_csv(path, cols, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(cols)
        for row in rows:
            w.writerow([fmt(row.get(c)) for c in cols])


def cmd_csv(export, outdir):
    runs = read_export(export).values()
    passed = [r for r in runs if r["run"].get("state") == "passed"]
    munmap = [munmap_row(r) for r in runs if measured(r["run"])]
    hotplug = [hotplug_row(r) for r in passed
               if r["run"]["workload"] == "hotplug"]
    munmap = merge([x for x in munmap if x], "threads", MUNMAP_COLS)
    hotplug = merge([x for x in hotplug if x], "online_cpus", HOTPLUG_COLS)
    if not munmap and not hotplug:
        print("vm-wide: no passed thp-munmap or hotplug run in '%s'"
              % export, file=sys.stderr)
        return 1
    write_csv(os.path.join(outdir, "thp-munmap.csv"), MUNMAP_COLS, munmap)
    write_csv(os.path.join(outdir, "hotplug.csv"), HOTPLUG_COLS, hotplug)
    return 0


def linear_fit(xs, ys):
    """(a, b, r2) of y = a + b*x by least squares; None under 3 points."""
    n = len(xs)
    if n < 3 or len(set(xs)) < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    a = my - b * mx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys))
    r2 = 1 - ss_res / ss_tot if ss_tot > 0 else 1.0
    return a, b, r2


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def md_table(cols, rows):
    out = ["| " + " | ".join(cols) + " |",
           "|" + "---|" * len(cols)]
    for row in rows:
        out.append("| " + " | ".join(row[c] for c in cols) + " |")
    return out


def fit_lines(rows, key, cols):
    out = ["| y | fit y = a + b·N | R² | y at N = %d |" % PREDICT_AT,
           "|---|---|---|---|"]
    for c in cols:
        pts = [(float(r[key]), float(r[c])) for r in rows
               if r.get(c, "") != ""]
        fit = linear_fit([p[0] for p in pts], [p[1] for p in pts])
        if fit is None:
            continue
        a, b, r2 = fit
        out.append("| %s | %s %s %s·N | %.3f | %s |" % (
            c, fmt(a), "-" if b < 0 else "+", fmt(abs(b)), r2,
            fmt(a + b * PREDICT_AT)))
    return out


def cmd_table(indir):
    lines = []
    for name, key, cols in (
            ("thp-munmap", "threads", ["munmap_ms_per_gib",
                                       "tlb_irqs_per_gib", "tlb_irqs_min",
                                       "tp_shootdown_per_gib",
                                       "tp_ipi_send_per_gib"]),
            ("hotplug", "online_cpus", ["ms_per_transition",
                                        "offline_ms_p50",
                                        "online_ms_p50"])):
        path = os.path.join(indir, name + ".csv")
        if not os.path.exists(path):
            continue
        rows = read_csv(path)
        if not rows:
            continue
        lines.append("%s (N = %s)" % (name, key))
        lines.append("")
        lines += md_table(list(rows[0].keys()), rows)
        lines.append("")
        fits = fit_lines(rows, key, cols)
        if len(fits) > 2:
            lines += fits + [""]
    print("\n".join(lines).rstrip("\n"))
    return 0


KEEP_COUNTERS = ("cpu.online", "tp.tlb.tlb_flush.remote_shootdown",
                 "tp.tlb.tlb_flush.remote_ipi_send")
KEEP_LABELS = ("start", "munmap-start", "munmap-end")


def cmd_trim(export):
    """Print the export without what `csv` does not read."""
    keep = {}
    with open(export) as f:
        for line in f:
            rec = json.loads(line)
            kind = rec.get("type")
            if kind == "counters":
                idx = [i for i, n in enumerate(rec["names"])
                       if n in KEEP_COUNTERS]
                keep[rec["run"]] = idx
                rec["names"] = [rec["names"][i] for i in idx]
            elif kind == "sample":
                if rec.get("label") not in KEEP_LABELS:
                    continue
                idx = keep.get(rec["run"], [])
                rec["values"] = [rec["values"][i] for i in idx
                                 if i < len(rec["values"])]
            elif kind not in ("run", "metric"):
                continue
            print(json.dumps(rec, separators=(",", ":")))
    return 0


def main(argv):
    if len(argv) == 4 and argv[1] == "csv":
        return cmd_csv(argv[2], argv[3])
    if len(argv) == 3 and argv[1] == "table":
        return cmd_table(argv[2])
    if len(argv) == 3 and argv[1] == "trim":
        return cmd_trim(argv[2])
    print("usage: vm-wide.py csv EXPORT DIR | table DIR | trim EXPORT",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
