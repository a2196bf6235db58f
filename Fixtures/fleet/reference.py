#!/usr/bin/env python3
"""Writes expected/reference.json: for each site of sites.jsonl, the rules it fails and their
offender ids, as the peer benchmark's hand-written Python reference (`py_rules` in
bench-peers/bench.py) computes them. FleetPackTests compares `tenken batch --rules Rules/fleet`
with this file; the tests read only the JSON, never this script or bench-peers.

Run from the repository root, with the bench-peers folder beside the repository (the default)
or named:

  python3 Fixtures/fleet/reference.py [BENCH_PEERS_DIR]

sites.jsonl itself is the first 25 sites of `python3 BENCH_PEERS_DIR/gen.py --n 25
--seed 20261125 --out -` (the seed bench-peers/run.sh uses), copied in.
"""
import json
import os
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
peers = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "shared", "bench-peers"))
# bench.py imports orjson at the top for its timed engines; py_rules itself reads a dict.
try:
    import orjson  # noqa: F401
except ImportError:
    sys.modules["orjson"] = types.SimpleNamespace(loads=json.loads, dumps=lambda o: json.dumps(o).encode())
sys.path.insert(0, peers)
from bench import RULE_NAMES, py_rules  # noqa: E402

sites = {}
with open(os.path.join(HERE, "sites.jsonl"), encoding="utf-8") as f:
    for line in f:
        if line.strip():
            doc = json.loads(line)
            found = py_rules(doc)
            sites[doc["facility"]["id"]] = {k: sorted(found[k]) for k in RULE_NAMES if found[k]}
out = {
    "comment": "Failing rules and offender ids per site of sites.jsonl, from bench-peers py_rules "
               "(rule a's offender is the site id). Written by Fixtures/fleet/reference.py.",
    "sites": sites,
}
os.makedirs(os.path.join(HERE, "expected"), exist_ok=True)
with open(os.path.join(HERE, "expected", "reference.json"), "w", encoding="utf-8") as f:
    json.dump(out, f, indent=2)
    f.write("\n")
print(f"{len(sites)} sites, {sum(len(v) for v in sites.values())} failing rules, "
      f"{sum(len(ids) for v in sites.values() for ids in v.values())} offenders", file=sys.stderr)
