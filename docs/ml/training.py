"""What the example training scripts of this folder share: the same
deterministic set-up and the same few optimiser steps, so the smoke test
of an export (services/export, TestTrainingOnARealExport) runs one loop.

The scripts import it as a sibling module: run them from anywhere as
`python3 docs/ml/SCRIPT.py`, Python puts their folder on the path.
"""
import torch
import torchvision


def deterministic():
    """One seed and one CPU thread, so a run's losses repeat."""
    torch.manual_seed(0)
    torch.set_num_threads(1)


def resnet18_sgd(classes):
    """An untrained ResNet-18 for classes classes (at least 2) and its SGD
    optimiser."""
    model = torchvision.models.resnet18(weights=None, num_classes=max(classes, 2))
    return model, torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)


def train_steps(model, opt, batches, steps):
    """Takes steps optimiser steps of cross-entropy over batches, passing
    over them again as often as needed, and returns the losses. batches
    yields (x, y) on every pass; x is the model's input, or a tuple of its
    inputs."""
    losses = []
    model.train()
    while len(losses) < steps:
        for x, y in batches:
            opt.zero_grad()
            out = model(*x) if isinstance(x, tuple) else model(x)
            loss = torch.nn.functional.cross_entropy(out, y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
            if len(losses) == steps:
                break
    return losses
