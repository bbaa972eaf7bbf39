#!/usr/bin/env python3
"""Stream a Patholabel export's WebDataset shards into a training loop.

    python3 train_webdataset.py [--num-classes N] [--steps 3] SHARD...

A SHARD is a local path or an http(s) URL, e.g. the presigned links
`patholabel exports pull` or GET /api/v1/exports/{id}/files hand out, so
training streams a few large objects instead of listing millions of small
ones. Each sample is <key>.png|jpg (the patch), <key>.cls (the class index,
webdataset_cls in classes.json) and <key>.json (class and provenance).

This reads the tar format directly (Debian has no `webdataset` package);
with it installed the same shards load as
    webdataset.WebDataset(urls).decode("torchrgb").to_tuple("png", "cls")
"""
import argparse
import io
import json
import sys
import tarfile
import urllib.request

import torch
from PIL import Image
from torchvision.transforms import functional as F

from training import deterministic, resnet18_sgd, train_steps


class Shards(torch.utils.data.IterableDataset):
    """Samples of tar shards, grouped by key as WebDataset groups them."""

    def __init__(self, urls):
        self.urls = urls

    def open(self, url):
        if url.startswith(("http://", "https://")):
            return urllib.request.urlopen(url)
        return open(url, "rb")

    def __iter__(self):
        for url in self.urls:
            with self.open(url) as raw, tarfile.open(fileobj=raw, mode="r|") as tar:
                key, sample = None, {}
                for member in tar:
                    k, _, ext = member.name.partition(".")
                    if k != key and sample:
                        yield self.decode(sample)
                        sample = {}
                    key = k
                    sample[ext] = tar.extractfile(member).read()
                if sample:
                    yield self.decode(sample)

    @staticmethod
    def decode(sample):
        data = sample.get("png") or sample.get("jpg")
        image = F.to_tensor(Image.open(io.BytesIO(data)).convert("RGB"))
        label = json.loads(sample["json"])
        if int(sample["cls"]) != label["class_index"]:
            raise ValueError(f"sample of mark {label['mark_id']}: .cls {sample['cls']} differs from its JSON")
        return image, int(sample["cls"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("shards", nargs="+")
    ap.add_argument("--num-classes", type=int, default=None, help="default: the largest .cls seen + 1")
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--batch", type=int, default=8)
    a = ap.parse_args()
    deterministic()

    batches = list(torch.utils.data.DataLoader(Shards(a.shards), batch_size=a.batch))
    if not batches:
        sys.exit("no samples in the shards")
    samples = sum(len(y) for _, y in batches)
    classes = a.num_classes or int(max(y.max() for _, y in batches)) + 1
    model, opt = resnet18_sgd(classes)
    losses = train_steps(model, opt, batches, a.steps)
    print(json.dumps({"shards": len(a.shards), "samples": samples, "steps": len(losses), "losses": losses}))


if __name__ == "__main__":
    main()
