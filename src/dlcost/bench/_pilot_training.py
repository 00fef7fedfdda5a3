"""Training and validation of one pilot network, for :func:`dlcost.bench.pilot_run.run_pilot`.

Torch is passed in by the caller; this module never imports it.
"""

from __future__ import annotations

from collections.abc import Callable


def _drops_last_batch(n_images: int, batch_size: int) -> bool:
    """Whether an epoch drops its last batch: it would hold a single image (BatchNorm can't train on one)."""
    return n_images % batch_size == 1 and n_images > 1


def _train_epochs(torch, model, loader, autocast, *, device: str, epochs: int, learning_rate: float, n_steps: int,
                  done: int, total_steps: int, progress: Callable[[int, int], None] | None) -> int:
    """Train ``model`` for ``epochs`` passes over ``loader`` (AdamW, cosine decay over ``n_steps``); steps done in all."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, n_steps))
    loss_function = torch.nn.CrossEntropyLoss()
    model.train()
    for _ in range(epochs):
        for images, labels in loader:
            optimizer.zero_grad(set_to_none=True)
            with autocast:
                loss = loss_function(model(images.to(device)), labels.to(device))
            loss.backward()
            optimizer.step()
            schedule.step()
            done += 1
            if progress is not None:
                progress(done, total_steps)
    return done


def _count_wrong(torch, model, validation_loader, autocast, device: str) -> int:
    """Validation images whose top-1 prediction is wrong. [images]"""
    model.eval()
    wrong = 0
    with torch.no_grad(), autocast:
        for images, labels in validation_loader:
            wrong += int((model(images.to(device)).argmax(dim=1).cpu() != labels).sum())
    return wrong
