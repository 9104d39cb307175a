#!/usr/bin/env python3
"""dashboard_queries.py DASHBOARD.json METRICS.md

Fails when the Grafana dashboard does not parse, lacks its DS_PROMETHEUS input, has no queries, or has a
query (an "expr" anywhere in it) that is not, to the letter, one of the ```promql blocks of
docs/metrics.md. Those blocks are what gets run against a real Prometheus; Grafana itself never runs
here, so this is what ties the dashboard to tested queries."""
import json
import re
import sys


def exprs(node):
    """Every "expr" string in the dashboard, wherever Grafana nests it (panels, rows, targets)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "expr" and isinstance(value, str):
                yield value
            else:
                yield from exprs(value)
    elif isinstance(node, list):
        for item in node:
            yield from exprs(item)


def promql_blocks(markdown):
    return [b.strip() for b in re.findall(r"^```promql[ \t]*\n(.*?)^```[ \t]*$", markdown, re.M | re.S)]


def main(dashboard_path, metrics_path):
    failed = 0
    try:
        with open(dashboard_path, encoding="utf-8") as f:
            dashboard = json.load(f)
        print("ok    %s parses" % dashboard_path)
    except (OSError, ValueError) as e:
        print("FAIL  %s parses: %s" % (dashboard_path, e))
        return 1
    inputs = [i.get("name") for i in dashboard.get("__inputs", []) if i.get("pluginId") == "prometheus"]
    if inputs == ["DS_PROMETHEUS"]:
        print("ok    one Prometheus data source input, DS_PROMETHEUS")
    else:
        print("FAIL  one Prometheus data source input, DS_PROMETHEUS: %s" % inputs)
        failed += 1
    with open(metrics_path, encoding="utf-8") as f:
        blocks = set(promql_blocks(f.read()))
    queries = list(exprs(dashboard))
    if not queries:
        print("FAIL  the dashboard has queries")
        failed += 1
    for q in queries:
        one_line = " ".join(q.split())
        if q.strip() in blocks:
            print("ok    in %s: %s" % (metrics_path, one_line))
        else:
            print("FAIL  not a promql block of %s: %s" % (metrics_path, one_line))
            failed += 1
    print("%d queries, %d promql blocks, %d failed" % (len(queries), len(blocks), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
