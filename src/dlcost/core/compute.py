"""GPU time, energy and carbon of a training job: the realistic cost modes.

Seed 000 prices compute with a flat $/FLOP and 2 x parameters per image (eq. (4)).
Here compute becomes GPU-hours, from either

- counted FLOPs and the accelerator's peak at a measured utilization (``flops`` mode), or
- measured training images/s (``measured`` mode), extrapolated to other GPUs
  with a roofline-style scaling when not measured on the GPU itself,

and GPU-hours become dollars (rental price), energy (power x PUE) and CO2 (grid
intensity), following the ML CO2 Impact calculator [1] and Strubell et al. [2].

References
----------
.. [1] A. Lacoste et al., "Quantifying the Carbon Emissions of Machine Learning," 2019.
.. [2] E. Strubell, A. Ganesh, A. McCallum, "Energy and Policy Considerations for
   Deep Learning in NLP," ACL 2019 (seed 000 cites the AAAI 2020 version).
.. [3] S. Williams, A. Waterman, D. Patterson, "Roofline: an insightful visual
   performance model for multicore architectures," CACM 2009.
"""

from __future__ import annotations

import numpy as np

from dlcost.core.cost import BACKWARD_FORWARD_RATIO

# Functions take a float or a numpy array (plain arithmetic broadcasts); n_gpus is a scalar.

__all__ = [
    "flops_mode_images_per_s",
    "utilization_from_images_per_s",
    "gpu_seconds_from_flops",
    "gpu_seconds_from_throughput",
    "loader_images_per_s",
    "bounded_images_per_s",
    "extrapolated_images_per_s",
    "resolution_scaled_images_per_s",
    "billed_gpu_hours",
    "wall_clock_hours",
    "compute_cost_usd",
    "energy_kwh",
    "co2_kg",
    "electricity_cost_usd",
]

SECONDS_PER_HOUR = 3600.0
#: Forward + backward pass over one image, in forward passes (eq. (4) of seed 000; Sevilla et al. 2022).
TRAINING_FORWARD_PASSES = BACKWARD_FORWARD_RATIO


def flops_mode_images_per_s(peak_flops_per_s, utilization, forward_flops_per_image):
    """Training images/s one GPU sustains in ``flops`` mode. [images/s]

    images/s = peak FLOP/s x utilization / (3 x forward FLOPs per image): a training
    step costs three forward passes, as in eq. (4).
    """
    return peak_flops_per_s * utilization / (TRAINING_FORWARD_PASSES * forward_flops_per_image)  # Eq. (4)'s 3 x forward


def utilization_from_images_per_s(images_per_s, forward_flops_per_image, peak_flops_per_s):
    """Share of peak FLOP/s a measured training throughput reaches, the inverse of
    :func:`flops_mode_images_per_s`. [fraction]"""
    return images_per_s * TRAINING_FORWARD_PASSES * forward_flops_per_image / peak_flops_per_s  # Eq. (4)'s 3 x forward


def gpu_seconds_from_flops(training_flops, peak_flops_per_s, utilization):
    """One GPU's busy time for a job of ``training_flops``. [s]

    seconds = FLOPs / (peak FLOP/s x utilization) (``flops`` mode).
    """
    return training_flops / (peak_flops_per_s * utilization)


def gpu_seconds_from_throughput(n_images_processed, images_per_s):
    """One GPU's busy time to push ``n_images_processed`` through training. [s]

    ``n_images_processed`` = training images x epochs x runs (``measured`` mode).
    """
    return n_images_processed / images_per_s


def loader_images_per_s(cpu_cores_per_gpu, images_per_s_per_core):
    """Images/s the CPU data loader can decode and augment for one GPU. [images/s]"""
    return cpu_cores_per_gpu * images_per_s_per_core


def bounded_images_per_s(gpu_images_per_s, loader_rate_images_per_s):
    """Effective training images/s = min(GPU, loader); ``None`` loader means no bound.

    Returns
    -------
    images_per_s : float
    bound : str
        ``"gpu"`` or ``"loader"``: which side limits the job.
    """
    if loader_rate_images_per_s is None or gpu_images_per_s <= loader_rate_images_per_s:
        return float(gpu_images_per_s), "gpu"
    return float(loader_rate_images_per_s), "loader"


def extrapolated_images_per_s(
    reference_images_per_s,
    reference_peak_flops_per_s,
    target_peak_flops_per_s,
    reference_bandwidth_bytes_per_s,
    target_bandwidth_bytes_per_s,
    compute_bound_fraction,
):
    """Training images/s on a GPU not measured, from one that was. [images/s]

    Roofline-style [3]: the reference step time is split into a compute-bound
    part, which scales with peak FLOP/s, and a memory-bound part, which scales
    with memory bandwidth:

        t_target = t_reference x (f x P_ref / P_target + (1 - f) x W_ref / W_target)

    with f the compute-bound fraction (see ``dlcost.throughput`` for how f is
    estimated from the reference utilization).

    Parameters
    ----------
    reference_images_per_s : float
        Measured training throughput on the reference GPU. [images/s]
    reference_peak_flops_per_s, target_peak_flops_per_s : float
        Dense peak at the precision used. [FLOP/s]
    reference_bandwidth_bytes_per_s, target_bandwidth_bytes_per_s : float
        Memory bandwidth. [bytes/s]
    compute_bound_fraction : float
        f in [0, 1]. [fraction]

    Returns
    -------
    images_per_s : float
    """
    f = np.clip(compute_bound_fraction, 0.0, 1.0) if isinstance(compute_bound_fraction, np.ndarray) else min(1.0, max(0.0, compute_bound_fraction))
    time_ratio = (
        f * reference_peak_flops_per_s / target_peak_flops_per_s
        + (1.0 - f) * reference_bandwidth_bytes_per_s / target_bandwidth_bytes_per_s
    )
    return reference_images_per_s / time_ratio


def resolution_scaled_images_per_s(images_per_s, measured_resolution_px, target_resolution_px):
    """Throughput at another square input size, taking work as proportional to pixels. [images/s]"""
    return images_per_s * (measured_resolution_px / target_resolution_px) ** 2


def billed_gpu_hours(single_gpu_seconds, n_gpus=1, scaling_efficiency=1.0):
    """GPU-hours paid for: one GPU's time, inflated by imperfect multi-GPU scaling. [GPU-h]

    With n > 1 GPUs at scaling efficiency e the job runs t / (n e) and n GPUs
    are billed for that long: t / e GPU-seconds in all. With one GPU, e is 1.
    """
    efficiency = scaling_efficiency if n_gpus > 1 else 1.0
    return single_gpu_seconds / efficiency / SECONDS_PER_HOUR


def wall_clock_hours(gpu_hours, n_gpus=1):
    """Elapsed time of a job billed ``gpu_hours`` on ``n_gpus`` GPUs. [h]"""
    return gpu_hours / n_gpus


def compute_cost_usd(gpu_hours, price_per_gpu_hour_usd):
    """Rental cost: GPU-hours x $/GPU-hour. [USD]"""
    return gpu_hours * price_per_gpu_hour_usd


def energy_kwh(gpu_hours, power_w, pue=1.0):
    """Facility energy: GPU-hours x power draw x PUE [1]. [kWh]

    With power = TDP and PUE = 1 this is the ML CO2 Impact formula kWh = TDP x hours.
    """
    return gpu_hours * power_w / 1000.0 * pue


def co2_kg(energy_kwh_total, grid_gco2_per_kwh):
    """Emissions: kWh x grid carbon intensity [1]. [kg CO2eq]"""
    return energy_kwh_total * grid_gco2_per_kwh / 1000.0


def electricity_cost_usd(energy_kwh_total, price_per_kwh_usd):
    """Cost of the electricity: kWh x $/kWh. [USD]"""
    return energy_kwh_total * price_per_kwh_usd
