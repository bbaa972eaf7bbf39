#!/usr/bin/env python3
"""Decode a Patholabel export's COCO annotations as the COCO format defines them.

    python3 coco_decode.py EXPORT_DIR/coco/annotations.json

Debian has no pycocotools, so this carries a small decoder: a polygon list
(iscrowd 0) is each polygon filled (pixels whose centre lies inside, even-odd)
and the fills merged, as annToMask does; an RLE (iscrowd 1) is runs of 0s
and 1s in column-major order over [height, width], its counts a list or
pycocotools' compressed string. Prints one JSON line per annotation with its
decoded pixel count and stated area, and exits 1 when an RLE's differ (an
RLE's area is exactly its pixels).
"""
import json
import math
import sys


def rle_from_string(s):
    counts, p = [], 0
    while p < len(s):
        x, k, more = 0, 0, True
        while more:
            c = ord(s[p]) - 48
            x |= (c & 0x1F) << (5 * k)
            more = c & 0x20
            p += 1
            k += 1
            if not more and c & 0x10:
                x |= -1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def decode_rle(seg, w, h):
    counts = seg["counts"]
    if isinstance(counts, str):
        counts = rle_from_string(counts)
    if list(seg["size"]) != [h, w]:
        raise ValueError(f"RLE size {seg['size']}, image is {h}×{w}")
    mask, pos = bytearray(w * h), 0
    for i, n in enumerate(counts):
        if i % 2 == 1:
            for k in range(pos, pos + n):
                x, y = divmod(k, h)
                mask[y * w + x] = 1
        pos += n
    if pos != w * h:
        raise ValueError(f"RLE covers {pos} of {w * h} pixels")
    return mask


def fill_polygon(mask, w, h, poly):
    n = len(poly) // 2
    ys = poly[1::2]
    for y in range(max(int(min(ys)) - 1, 0), min(int(max(ys)) + 2, h)):
        cy = y + 0.5
        xs = []
        for i in range(n):
            j = i - 1
            ax, ay, bx, by = poly[2 * i], poly[2 * i + 1], poly[2 * j], poly[2 * j + 1]
            if (ay > cy) != (by > cy):
                xs.append(ax + (cy - ay) * (bx - ax) / (by - ay))
        xs.sort()
        for k in range(0, len(xs) - 1, 2):
            x0, x1 = max(math.ceil(xs[k] - 0.5), 0), min(math.ceil(xs[k + 1] - 0.5), w)
            if x1 > x0:
                mask[y * w + x0:y * w + x1] = b"\x01" * (x1 - x0)


def decode(ann, w, h):
    seg = ann["segmentation"]
    if isinstance(seg, dict):
        return decode_rle(seg, w, h)
    mask = bytearray(w * h)
    for poly in seg:
        fill_polygon(mask, w, h, poly)
    return mask


def main():
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    images = {im["id"]: im for im in doc["images"]}
    bad = 0
    for ann in doc["annotations"]:
        im = images[ann["image_id"]]
        mask = decode(ann, im["width"], im["height"])
        n = sum(mask)
        print(json.dumps({"id": ann["id"], "image_id": ann["image_id"], "category_id": ann["category_id"],
                          "iscrowd": ann["iscrowd"], "decoded_pixels": n, "area": ann["area"]}))
        if ann["iscrowd"] and n != ann["area"]:
            bad += 1
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
