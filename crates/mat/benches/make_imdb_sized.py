#!/usr/bin/env python3
"""Write an IMDB-sized wiki-style .mat (460,723 entries in cells) for the zukan-mat benchmark.

GENERATED DATA. Uses shared/tools/make_imdbwiki_mat.py's `build` (the structure of the real
metadata file) with its nine rows replaced by N varied synthetic rows, so the result
compresses like real metadata rather than like nine rows repeated.

    python3 make_imdb_sized.py OUT.mat [N]        (needs numpy and scipy)
"""
import math
import os
import random
import sys

import scipy.io

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "shared", "tools"))
import make_imdbwiki_mat as tool  # noqa: E402

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 460723
rng = random.Random(20261203)
syllables = ["an", "be", "ca", "do", "el", "fa", "gi", "ho", "is", "ja", "ko", "lu", "mä", "no",
             "ović", "pe", "ri", "sa", "to", "ur", "va", "we", "xi", "yo", "zu"]


def name():
    part = lambda: "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))).capitalize()
    return part() + " " + part()


rows = []
for i in range(n):
    year = rng.randint(1900, 1995)
    dob = 693962 + (year - 1900) * 365 + rng.randint(0, 364)
    taken = rng.randint(max(year, 1960), 2015)
    path = "%02d/nm%07d_rm%09d_%d-%d-%d_%d.jpg" % (
        i % 100, rng.randint(1, 9999999), rng.randint(1, 999999999), year,
        rng.randint(1, 12), rng.randint(1, 28), taken)
    x1, y1 = rng.uniform(1, 400), rng.uniform(1, 400)
    w = rng.uniform(20, 300)
    no_face = rng.random() < 0.1
    rows.append((dob, taken, path, rng.choice([1.0, 1.0, 0.0, math.nan]),
                 "" if rng.random() < 0.01 else name(),
                 [1.0, 1.0, 500.0, 400.0] if no_face else [x1, y1, x1 + w, y1 + w],
                 -math.inf if no_face else rng.uniform(0.5, 6.0),
                 math.nan if rng.random() < 0.8 else rng.uniform(0.5, 4.0)))
tool.WIKI_ROWS = rows
scipy.io.savemat(out, {"wiki": tool.build("wiki", "native")}, format="5",
                 do_compression=True, oned_as="row", long_field_names=False)
