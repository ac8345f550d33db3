#!/usr/bin/env python3
"""Checks that the targets of Package.swift point one way: every dependency of a target is a
target of a strictly lower layer of docs/architecture.md's layer table, and every non-test
target is in that table exactly once. Exits 1 naming each violation.

    python3 scripts/check-layers.py
"""
import pathlib, re, sys

root = pathlib.Path(__file__).resolve().parent.parent
package = (root / "Package.swift").read_text()
doc = (root / "docs/architecture.md").read_text()

layer = {}
for m in re.finditer(r"^\| (\d+) \| ([^|]+) \|$", doc, re.M):
    for name in (t.strip() for t in m.group(2).split(",")):
        if name in layer:
            sys.exit(f"docs/architecture.md: {name} is in layers {layer[name]} and {m.group(1)}")
        layer[name] = int(m.group(1))
if not layer:
    sys.exit("docs/architecture.md: no layer table (rows `| <layer> | <targets> |`)")

# .target / .executableTarget / .systemLibrary declarations with their quoted dependencies.
decl = re.compile(r"\.(target|executableTarget|systemLibrary)\(name: \"([^\"]+)\"")
starts = [(m.start(), m.group(2)) for m in decl.finditer(package)]
ends = [m.start() for m in re.finditer(r"\.(target|executableTarget|systemLibrary|testTarget)\(name:", package)] + [len(package)]
problems, edges = [], 0
for start, name in starts:
    end = min(e for e in ends if e > start)
    body = package[start:end]
    deps = []
    if "dependencies:" in body:
        listing = body[body.index("dependencies:"):]
        deps = [d for d in re.findall(r"(?<![\w.])\"([A-Za-z0-9_]+)\"", listing)]
        # .product(name: "X", package: "y") entries are other packages, not our targets.
        products = set(re.findall(r"\.product\(name: \"([^\"]+)\", package: \"([^\"]+)\"\)", listing))
        external = {n for n, _ in products} | {p for _, p in products}
        deps = [d for d in deps if d not in external]
    if name not in layer:
        problems.append(f"Package.swift: target {name} is not in docs/architecture.md's layer table")
        continue
    for d in deps:
        edges += 1
        if d not in layer:
            problems.append(f"Package.swift: {name} depends on {d}, which is not in docs/architecture.md's layer table")
        elif layer[d] >= layer[name]:
            problems.append(f"Package.swift: {name} (layer {layer[name]}) depends on {d} (layer {layer[d]}): "
                            f"a dependency must be of a lower layer")
for name in layer:
    if name not in {n for _, n in starts}:
        problems.append(f"docs/architecture.md: {name} is not a target of Package.swift")
for p in problems:
    print(p)
print(f"check-layers: {len(starts)} targets, {edges} dependencies, {len(problems)} violations")
sys.exit(1 if problems else 0)
