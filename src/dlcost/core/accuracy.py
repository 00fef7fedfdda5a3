"""The error regression of seed 000, eq. (1), and its inverse.

References
----------
.. [1] N. Thompson et al., "A Model for Estimating the Economic Costs of Computer
   Vision Systems That Use Deep Learning," AAAI 2024 (seed 000_2b7a78e719415b24.txt),
   eq. (1) and Table 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ErrorCoefficients", "predicted_error", "images_needed"]


@dataclass(frozen=True)
class ErrorCoefficients:
    """Coefficients of eq. (1): log10(error) as a linear function.

    Attributes
    ----------
    intercept : float
    log_data : float
        Multiplies log10(training images).
    pretrain_log_data : float
        Multiplies Pretrain x log10(training images).
    complexity : float
        Multiplies the relative complexity RC.
    segmentation : float
        Multiplies Type (1 = semantic segmentation, 0 = classification).
    """

    intercept: float
    log_data: float
    pretrain_log_data: float
    complexity: float
    segmentation: float

    def data_slope(self, pretrained) -> np.ndarray | float:
        """d log10(error) / d log10(images): negative when more data helps."""
        return self.log_data + self.pretrain_log_data * np.asarray(pretrained, dtype=float)

    def offset(self, relative_complexity, segmentation) -> np.ndarray | float:
        """The terms of eq. (1) that do not depend on the data size."""
        return (
            self.intercept
            + self.complexity * np.asarray(relative_complexity, dtype=float)
            + self.segmentation * np.asarray(segmentation, dtype=float)
        )


def predicted_error(n_images, relative_complexity, pretrained, segmentation, coef):
    """Error the regression predicts after training on ``n_images``.

    log10(error) = b0 + b1 log10(n) + b2 Pretrain log10(n) + b3 RC + b4 Type, eq. (1) of [1].

    Parameters
    ----------
    n_images : float or array
        Labelled training images (> 0). [images]
    relative_complexity : float or array
        [unitless, 0..1 in the fitted range]
    pretrained, segmentation : bool or array
        Fine-tuned from a checkpoint; semantic segmentation (else classification).
    coef : ErrorCoefficients
        Table 1 of [1] by default.

    Returns
    -------
    error : float or array
        1 - accuracy (classification) or 1 - mean IoU (segmentation). Not bounded
        by 1: values >= 1 mean the inputs are outside the fitted range (inf beyond
        float range). [fraction]
    """
    log_images = np.log10(np.asarray(n_images, dtype=float))
    log_error = coef.offset(relative_complexity, segmentation) + coef.data_slope(pretrained) * log_images  # Eq. (1)
    with np.errstate(over="ignore", under="ignore"):
        return 10.0**log_error


def images_needed(target_error, relative_complexity, pretrained, segmentation, coef):
    """Training images needed to reach ``target_error``.

    Eq. (1) of [1] solved for the data size. The printed eq. (2) of the seed is
    garbled (its numerator and denominator are the same expression); solving
    eq. (1) gives

        log10(n) = (log10(error) - b0 - b3 RC - b4 Type) / (b1 + b2 Pretrain).

    Parameters
    ----------
    target_error : float or array
        Error the task can accept: 1 - accuracy, or 1 - mean IoU. [fraction]
    relative_complexity : float or array
        [unitless]
    pretrained, segmentation : bool or array
    coef : ErrorCoefficients

    Returns
    -------
    n_images : float or array
        Labelled training images, not rounded; inf beyond float range. [images]
    """
    log_error = np.log10(np.asarray(target_error, dtype=float))
    rest = coef.offset(relative_complexity, segmentation)
    slope = np.asarray(coef.data_slope(pretrained), dtype=float)
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        n_images = 10.0 ** ((log_error - rest) / slope)  # Eq. (1) inverted
    # A slope >= 0 (a refit on data where more images did not help): the error is lowest at one
    # image, so one image is enough, or no number of images is.
    return np.where(slope >= 0, np.where(log_error >= rest, 1.0, np.inf), n_images)[()]
