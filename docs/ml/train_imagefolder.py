#!/usr/bin/env python3
"""Train on a Patholabel export's ImageFolder patches, as an ML team would.

    python3 train_imagefolder.py EXPORT_DIR [--size 64] [--split train] [--steps 3]

EXPORT_DIR is a pulled export (`patholabel exports pull`). The ImageFolder
root is patches/<size>, or patches/<size>/<split> when the export has
splits. torchvision numbers classes by sorted folder name; the folders start
with the zero-padded class id, so that index follows the class ids, and
classes.json states it (imagefolder_index) — this script checks that it
agrees, then takes a few SGD steps of a ResNet-18 on the CPU and prints a
JSON summary line.
"""
import argparse
import json
import os
import sys

import torch
import torchvision
from torchvision import transforms

from training import deterministic, resnet18_sgd, train_steps


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("export_dir")
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--split", default="train", help="used when the export has splits")
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--batch", type=int, default=8)
    a = ap.parse_args()
    deterministic()

    rel = f"patches/{a.size}"
    if os.path.isdir(os.path.join(a.export_dir, rel, a.split)):
        rel = f"{rel}/{a.split}"
    ds = torchvision.datasets.ImageFolder(os.path.join(a.export_dir, rel), transform=transforms.ToTensor())

    # classes.json and ImageFolder must agree on every class's index.
    with open(os.path.join(a.export_dir, "classes.json")) as f:
        classes = json.load(f)["classes"]
    for c in classes:
        want = c.get("imagefolder_index", {}).get(rel)
        got = ds.class_to_idx.get(c.get("imagefolder_folder"))
        if want != got:
            sys.exit(f"class {c['class_id']} ({c['name']}): ImageFolder index {got}, classes.json says {want}")

    model, opt = resnet18_sgd(len(ds.classes))
    loader = torch.utils.data.DataLoader(ds, batch_size=a.batch, shuffle=True)
    losses = train_steps(model, opt, loader, a.steps)
    print(json.dumps({"root": rel, "samples": len(ds), "classes": ds.classes, "steps": len(losses), "losses": losses}))


if __name__ == "__main__":
    main()
