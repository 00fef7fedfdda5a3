"""Images/s of a network on an accelerator: a sum roofline in FLOPs and bytes moved.

One image costs a compute part and a memory part [1]:

    t = passes x F / (P_p x eta_p)  +  k x A x b_p / W

- F forward FLOPs per image and A forward activation elements per image (what timm's
  benchmark reports as GMACs x 2 and ``infer_macts``);
- P_p the dense peak at precision p and eta_p the share of it matrix-heavy layers reach;
- b_p bytes per element at p (:data:`BYTES_PER_ELEMENT`), W the memory bandwidth, and k the
  bytes moved per activation element and byte of precision (weights, gradients, optimizer
  state and the re-reads of the backward pass are all folded into it);
- passes = 3 for a training step (forward plus a backward of twice its cost, eq. (4) of
  seed 000), 1 for inference.

A dense convnet (VGG) is dominated by the compute part and scales with peak FLOP/s; a
depthwise one (EfficientNet, MobileNet) by the memory part and scales with bandwidth. The
parameters are fitted on public references (``catalog/throughput_model.toml``). Every
function here is pure; numbers in, numbers out.

.. [1] S. Williams, A. Waterman, D. Patterson, "Roofline: an insightful visual performance
   model for multicore architectures," CACM 2009.
"""

from __future__ import annotations

__all__ = [
    "BYTES_PER_ELEMENT", "TRAINING_PASSES", "INFERENCE_PASSES",
    "compute_seconds_per_image", "memory_seconds_per_image", "roofline_seconds_per_image",
    "images_per_s_at_batch", "batch_latency_s", "cost_per_1000_predictions_usd", "pruned",
]

#: Bytes of one tensor element at each precision (AMP keeps activations in 16 bits). [bytes]
BYTES_PER_ELEMENT = {"fp32": 4.0, "tf32": 4.0, "bf16": 2.0, "fp16": 2.0, "int8": 1.0}
#: Forward passes' worth of FLOPs in one training step (eq. (4) of seed 000: 3 x forward).
TRAINING_PASSES = 3.0
INFERENCE_PASSES = 1.0


def compute_seconds_per_image(forward_flops, passes, peak_flops_per_s, efficiency):
    """Time the arithmetic of one image takes: passes x F / (P x eta). [s]"""
    return passes * forward_flops / (peak_flops_per_s * efficiency)


def memory_seconds_per_image(activations, bytes_per_element, bytes_per_activation_byte, bandwidth_bytes_per_s):
    """Time the memory traffic of one image takes: k x A x b / W. [s]"""
    return bytes_per_activation_byte * activations * bytes_per_element / bandwidth_bytes_per_s


def roofline_seconds_per_image(forward_flops, activations, passes, peak_flops_per_s, efficiency,
                               bytes_per_element, bytes_per_activation_byte, bandwidth_bytes_per_s):
    """Compute plus memory time of one image (the sum roofline above). [s]"""
    return (compute_seconds_per_image(forward_flops, passes, peak_flops_per_s, efficiency)
            + memory_seconds_per_image(activations, bytes_per_element, bytes_per_activation_byte, bandwidth_bytes_per_s))


def images_per_s_at_batch(saturated_images_per_s, batch_size, launch_overhead_s):
    """Throughput at a batch size: batch / (fixed per-batch time + batch / saturated rate). [images/s]

    A batch pays a fixed time (kernel launches, synchronisation) however small it is, so a
    batch of one runs far below the saturated rate; large batches approach it.
    """
    return batch_size / (launch_overhead_s + batch_size / saturated_images_per_s)


def batch_latency_s(saturated_images_per_s, batch_size, launch_overhead_s):
    """Time from a batch in to its predictions out. [s]"""
    return launch_overhead_s + batch_size / saturated_images_per_s


def cost_per_1000_predictions_usd(price_per_hour_usd, images_per_s):
    """Rental cost of 1,000 predictions on hardware kept busy: $/h / (images/s x 3,600) x 1,000. [USD]"""
    return price_per_hour_usd / (images_per_s * 3600.0) * 1000.0


def pruned(amount, pruning_fraction):
    """FLOPs or activations left after structured pruning removes ``pruning_fraction`` of the channels' work."""
    return amount * (1.0 - pruning_fraction)
