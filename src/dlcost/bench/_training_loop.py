"""The timed loop of :func:`dlcost.bench.run_training_bench`: one synthetic training step, repeated.

Torch is passed in by the caller; this module never imports it.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def _synthetic_training_step(
    torch, model, *, device: str, precision: str, batch_size: int, resolution_px: int, num_classes: int,
    memory_format,
) -> Callable[[], None]:
    """One training step of ``model`` on a fixed random batch already on ``device``.

    Forward, cross-entropy, backward and an SGD (momentum 0.9) update, under autocast
    at ``precision`` (fp32 = no autocast; fp16 adds a GradScaler).
    """
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_function = torch.nn.CrossEntropyLoss()
    autocast_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision)
    scaler = torch.amp.GradScaler("cuda") if precision == "fp16" else None

    generator = torch.Generator(device=device).manual_seed(0)
    images = torch.randn(batch_size, 3, resolution_px, resolution_px, device=device, generator=generator)
    images = images.contiguous(memory_format=memory_format)
    labels = torch.randint(0, num_classes, (batch_size,), device=device, generator=generator)

    def training_step() -> None:
        optimizer.zero_grad(set_to_none=True)
        autocast = torch.autocast(
            device_type=device, dtype=autocast_dtype or torch.float32, enabled=autocast_dtype is not None
        )
        with autocast:
            loss = loss_function(model(images), labels)
        if scaler is not None:
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        else:
            loss.backward()
            optimizer.step()

    return training_step


def _synthetic_inference_step(
    torch, model, *, device: str, precision: str, batch_size: int, resolution_px: int, memory_format,
) -> Callable[[], None]:
    """One forward pass of ``model`` in eval mode, without autograd, on a fixed random batch on ``device``."""
    autocast_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision)
    generator = torch.Generator(device=device).manual_seed(0)
    images = torch.randn(batch_size, 3, resolution_px, resolution_px, device=device, generator=generator)
    images = images.contiguous(memory_format=memory_format)

    def inference_step() -> None:
        with torch.inference_mode(), torch.autocast(device_type=device, dtype=autocast_dtype or torch.float32,
                                                    enabled=autocast_dtype is not None):
            model(images)

    return inference_step


def _allow_tf32(torch, precision: str) -> tuple[bool, bool]:
    """Let cuBLAS and cuDNN use TF32 for ``tf32`` only (fp32 is then true fp32); the previous flags."""
    previous = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    allowed = precision == "tf32"
    torch.backends.cuda.matmul.allow_tf32 = allowed
    torch.backends.cudnn.allow_tf32 = allowed
    return previous


def _timed_training_s(
    torch, training_step: Callable[[], None], *, device: str, steps: int, warmup_steps: int,
    progress: Callable[[int, int], None] | None,
) -> float:
    """Run ``warmup_steps`` untimed steps, then ``steps`` timed ones; their wall time [s].

    On cuda the peak-memory counter is reset after the warm-up, so that
    ``torch.cuda.max_memory_allocated`` afterwards covers the timed steps.
    """

    def synchronize() -> None:
        if device == "cuda":
            torch.cuda.synchronize()

    total_steps = warmup_steps + steps
    for done in range(1, warmup_steps + 1):
        training_step()
        if progress is not None:
            progress(done, total_steps)
    synchronize()
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    started_s = time.perf_counter()
    for done in range(warmup_steps + 1, total_steps + 1):
        training_step()
        if progress is not None:
            progress(done, total_steps)  # steps launched: no sync, so timing is undisturbed
    synchronize()
    return time.perf_counter() - started_s
