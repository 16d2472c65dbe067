#!/usr/bin/env python3
"""Derive road junctions (nodes of degree >= 3) from the OpenStreetMap extract
that the npm package geojson-path-finder ships as test/large-network.json
(Gothenburg, Sweden; overpass-turbo export of 2016-12-27, ODbL).

    npm pack geojson-path-finder@2.1.0 && tar xzf geojson-path-finder-2.1.0.tgz
    python3 junctions.py package/test/large-network.json > junctions_gothenburg.csv

Only LineString ways count; a node's degree is its number of distinct
neighbours along the ways. The output is limited to a central window so the
committed file stays small, and sorted so it is reproducible.
"""
import json
import sys
from collections import defaultdict

WINDOW = (11.955, 57.698, 11.980, 57.710)  # lon0, lat0, lon1, lat1


def main(path):
    data = json.load(open(path))
    nbrs = defaultdict(set)
    for f in data["features"]:
        g = f["geometry"]
        if g["type"] != "LineString":
            continue
        pts = [(round(c[0], 7), round(c[1], 7)) for c in g["coordinates"]]
        for a, b in zip(pts, pts[1:]):
            if a != b:
                nbrs[a].add(b)
                nbrs[b].add(a)
    lon0, lat0, lon1, lat1 = WINDOW
    js = sorted(p for p, n in nbrs.items()
                if len(n) >= 3 and lon0 <= p[0] <= lon1 and lat0 <= p[1] <= lat1)
    print("id,lon,lat")
    for i, (lon, lat) in enumerate(js):
        print(f"j{i:04d},{lon:.7f},{lat:.7f}")


if __name__ == "__main__":
    main(sys.argv[1])
