#!/usr/bin/env python3
"""Checks icl's layer rule (docs/architecture.md): no include goes from a lower
layer to a higher one, nor sideways between passes/ and frontends/.

    python3 .ci/check-layers.py      # exits 1 and names each offending include

Each folder may include project headers only from the folders listed for it.
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Layer -> layers its headers and sources may include (itself included).
ALLOWED = {
    "runtime": {"runtime"},
    "lib/Support": {"lib/Support"},
    "dialects": {"dialects", "lib/Support"},
    "lib/Reference": {"lib/Reference", "dialects", "lib/Support"},
    "passes": {"passes", "dialects", "lib/Support"},
    "frontends": {"frontends", "dialects", "lib/Support"},
    "lib/Driver": {"lib/Driver", "passes", "frontends", "lib/Reference", "dialects",
                   "lib/Support", "runtime"},
    "tools": {"tools", "lib/Driver", "passes", "frontends", "lib/Reference", "dialects",
              "lib/Support", "runtime"},
}


def layer_of(path):
    for layer in sorted(ALLOWED, key=len, reverse=True):
        if path == layer or path.startswith(layer + "/"):
            return layer
    return None


def main():
    bad = []
    for layer in ALLOWED:
        for dirpath, _, files in os.walk(os.path.join(ROOT, layer)):
            for name in files:
                if not name.endswith((".h", ".cpp", ".c", ".td")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, ROOT)
                for number, line in enumerate(open(path, errors="replace"), 1):
                    m = re.match(r'\s*#\s*include\s+"([^"]+)"|\s*include\s+"([^"]+)"', line)
                    if not m:
                        continue
                    target = m.group(1) or m.group(2)
                    to = layer_of(target)
                    if to and to not in ALLOWED[layer]:
                        bad.append(f"{rel}:{number}: {layer} includes {target} ({to}): "
                                   f"{layer} may include only {', '.join(sorted(ALLOWED[layer]))}")
    for line in bad:
        print(line)
    print(f"layers: {'ok' if not bad else f'{len(bad)} upward or sideways includes'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
