"""Cost model of seed 000, eqs. (3)-(5), written so other compute estimates plug in.

Eq. (4) prices training as $/FLOP x (2 x parameters) x 3 x epochs x images: the
forward pass of one image is taken as 2 x parameters FLOPs and forward plus
backward as 3 forward passes (Sevilla et al. 2022). Here that is split into the
forward FLOPs per image (``paper_forward_flops``; other cost modes pass measured
or counted FLOPs instead) and the training FLOPs of a job.

References
----------
.. [1] N. Thompson et al., AAAI 2024 (seed 000_2b7a78e719415b24.txt), eqs. (3)-(5).
.. [2] J. Sevilla et al., "Estimating Training Compute of Deep Learning Models," 2022.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "paper_forward_flops",
    "training_images",
    "realistic_training_images",
    "images_trained_on",
    "training_flops",
    "training_cost_usd",
    "additional_images",
    "data_cost_usd",
    "total_cost_usd",
]

#: Forward + backward pass over one image, in forward passes (eq. (4), [2]).
BACKWARD_FORWARD_RATIO = 3.0


def paper_forward_flops(n_parameters):
    """Forward FLOPs per image as eq. (4) counts them: 2 x parameters. [FLOP]"""
    return 2.0 * n_parameters  # Eq. (4)


def training_images(n_images_needed, n_images_max):
    """Images trained on: the lesser of those needed and the data limit. [images]

    min(data_needed, data_max) of eqs. (4) and (5).
    """
    if isinstance(n_images_needed, np.ndarray) or isinstance(n_images_max, np.ndarray):
        return np.minimum(n_images_needed, n_images_max)  # Eqs. (4), (5)
    return min(n_images_needed, n_images_max)  # Eqs. (4), (5)


def realistic_training_images(n_images_needed, n_images_present, n_images_max):
    """Images a team trains on in practice: all it holds, min(max(present, needed), max). [images]

    Eq. (4) trains on min(needed, max) images; a team that already holds more than
    it needs trains on all of them, so the realistic cost modes price that.
    """
    if any(isinstance(v, np.ndarray) for v in (n_images_needed, n_images_present, n_images_max)):
        return np.minimum(np.maximum(n_images_present, n_images_needed), n_images_max)
    return min(max(n_images_present, n_images_needed), n_images_max)


def images_trained_on(n_images_needed, n_images_present, n_images_max, paper_mode: bool):
    """Images trained on in a cost mode: eq. (4)'s min(needed, max) in paper mode, else all the
    data the team will hold (:func:`realistic_training_images`). [images]"""
    if paper_mode:
        return training_images(n_images_needed, n_images_max)  # Eqs. (4), (5)
    return realistic_training_images(n_images_needed, n_images_present, n_images_max)


def training_flops(forward_flops_per_image, n_training_images, epochs, runs=1.0):
    """Training compute: 3 x forward FLOPs x images x epochs x runs. [FLOP]

    Eq. (4) without its price; ``runs`` (1 in the paper) counts repeated training,
    e.g. a hyper-parameter search.
    """
    return BACKWARD_FORWARD_RATIO * forward_flops_per_image * n_training_images * epochs * runs  # Eq. (4)


def training_cost_usd(training_flops_total, cost_per_flop_usd):
    """Training cost = $/FLOP x training FLOPs, eq. (4). [USD]"""
    return cost_per_flop_usd * training_flops_total  # Eq. (4)


def additional_images(n_training_images, n_images_present):
    """Images still to collect: max(0, images trained on - images present). [images]"""
    if isinstance(n_training_images, np.ndarray):
        return np.maximum(0.0, n_training_images - n_images_present)  # Eq. (5)
    return max(0.0, n_training_images - n_images_present)  # Eq. (5)


def data_cost_usd(cost_per_datapoint_usd, n_training_images, n_images_present):
    """Data cost = $/datapoint x (min(needed, max) - present), eq. (5). [USD]

    Clipped at 0: data already present in excess of the need costs nothing more.
    """
    return cost_per_datapoint_usd * additional_images(n_training_images, n_images_present)  # Eq. (5)


def total_cost_usd(training_cost, data_cost):
    """Total cost = training cost + data cost, eq. (3). [USD]"""
    return training_cost + data_cost  # Eq. (3)
