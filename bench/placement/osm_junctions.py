#!/usr/bin/env python3
"""Road junctions (nodes where at least three street segments meet) from an
OpenStreetMap XML extract, as the id,lon,lat CSV that `diaban cameras plan
--candidates` reads.

    python3 osm_junctions.py EXTRACT.osm[.gz|.bz2] PREFIX [lon0 lat0 lon1 lat1] > junctions.csv

Only ways tagged highway=* of the street kinds below count; a node's degree is
its number of distinct neighbours along those ways. Output is sorted by
(lon, lat) so it is reproducible. The data are © OpenStreetMap contributors,
ODbL 1.0; so is what this script derives from them.
"""
import bz2
import gzip
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict

STREETS = {
    "motorway", "trunk", "primary", "secondary", "tertiary", "unclassified",
    "residential", "living_street", "service", "pedestrian", "road",
    "motorway_link", "trunk_link", "primary_link", "secondary_link", "tertiary_link",
}


def open_any(path):
    if path.endswith(".gz"):
        return gzip.open(path, "rb")
    if path.endswith(".bz2"):
        return bz2.open(path, "rb")
    return open(path, "rb")


def main(path, prefix, window=None):
    pos = {}
    nbrs = defaultdict(set)
    for _, el in ET.iterparse(open_any(path), events=("end",)):
        if el.tag == "node":
            pos[el.get("id")] = (float(el.get("lon")), float(el.get("lat")))
            el.clear()
        elif el.tag == "way":
            tags = {t.get("k"): t.get("v") for t in el.findall("tag")}
            if tags.get("highway") in STREETS:
                refs = [nd.get("ref") for nd in el.findall("nd")]
                for a, b in zip(refs, refs[1:]):
                    if a != b:
                        nbrs[a].add(b)
                        nbrs[b].add(a)
            el.clear()
    pts = set()
    for n, s in nbrs.items():
        if len(s) >= 3 and n in pos:
            lon, lat = pos[n]
            if window and not (window[0] <= lon <= window[2] and window[1] <= lat <= window[3]):
                continue
            pts.add((round(lon, 7), round(lat, 7)))
    print("id,lon,lat")
    for i, (lon, lat) in enumerate(sorted(pts)):
        print(f"{prefix}{i:04d},{lon:.7f},{lat:.7f}")


if __name__ == "__main__":
    w = tuple(map(float, sys.argv[3:7])) if len(sys.argv) >= 7 else None
    main(sys.argv[1], sys.argv[2], w)
