#!/usr/bin/env python3
"""Train a PathoFusion-style two-input network on a Patholabel export's SQLite.

    python3 train_pathofusion.py SMALL.db LARGE.db [--steps 3]

PathoFusion pairs its two inputs (a small and a large patch around one
centre) by PICTURES row ID: row N of pathofusion/patches_<small>.db and of
patches_<large>.db must be the same place. This checks that they are, reads
PICTURE (raw RGB, SIZE×SIZE×3, row by row) and TYPE (class id; the network
learns TYPE − 1), and takes a few optimiser steps on the CPU.
"""
import argparse
import json
import sqlite3
import sys

import torch

from training import deterministic, train_steps


def rows(path):
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT ID, PATIENT_ID, TYPE, X, Y, SIZE, PICTURE FROM PICTURES ORDER BY ID").fetchall()
    finally:
        db.close()


def tensors(rs):
    size = rs[0][5]
    pics = [torch.frombuffer(bytearray(r[6]), dtype=torch.uint8).reshape(size, size, 3) for r in rs]
    return torch.stack(pics).permute(0, 3, 1, 2).float() / 255


class Branch(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(
            torch.nn.Conv2d(3, 16, 3, stride=2, padding=1), torch.nn.ReLU(),
            torch.nn.Conv2d(16, 32, 3, stride=2, padding=1), torch.nn.ReLU(),
            torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())

    def forward(self, x):
        return self.net(x)


class TwoInputs(torch.nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.small, self.large = Branch(), Branch()
        self.head = torch.nn.Linear(64, classes)

    def forward(self, small, large):
        return self.head(torch.cat([self.small(small), self.large(large)], 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("small")
    ap.add_argument("large")
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--batch", type=int, default=8)
    a = ap.parse_args()
    deterministic()

    small, large = rows(a.small), rows(a.large)
    if len(small) != len(large) or not small:
        sys.exit(f"{len(small)} rows against {len(large)}: the databases do not pair by ID")
    for s, l in zip(small, large):
        if s[:5] != l[:5]:
            sys.exit(f"row {s[0]} pairs {s[:5]} with {l[:5]}: not the same centre")
    labels = torch.tensor([r[2] - 1 for r in small])
    xs, xl = tensors(small), tensors(large)
    model = TwoInputs(max(int(labels.max()) + 1, 2))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    batches = [((xs[i:i + a.batch], xl[i:i + a.batch]), labels[i:i + a.batch]) for i in range(0, len(labels), a.batch)]
    losses = train_steps(model, opt, batches, a.steps)
    print(json.dumps({"pairs": len(small), "steps": len(losses), "losses": losses}))


if __name__ == "__main__":
    main()
