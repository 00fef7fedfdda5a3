"""The architecture catalog data file: complete, cited, and searchable."""

import pytest

from dlcost import catalog

PAPER_LIST = [
    "AlexNet", "EfficientNet-B0", "EfficientNet-B7", "Inception-ResNet-v2", "Inception-v3", "Inception-v4",
    "Mask R-CNN", "ResNet-32", "ResNet-34", "ResNet-101", "VGG-16", "VGG-19", "YOLOv3", "YOLOv5",
]
BEYOND = ["ResNet-50", "ConvNeXt-T", "ViT-B/16", "EfficientNetV2-S", "MobileNetV3-L"]


def test_paper_list_and_beyond():
    rows = {row.name: row for row in catalog.architectures()}
    assert all(rows[name].in_paper for name in PAPER_LIST)
    assert all(not rows[name].in_paper for name in BEYOND)


def test_every_number_has_a_source():
    for row in catalog.architectures():
        assert row.n_parameters > 0 and row.forward_gflops > 0 and row.resolution_px > 0
        assert row.source_parameters and row.source_flops and row.variant
        assert (row.imagenet_top1 is None) == (not row.source_top1)
        assert row.imagenet_top1 is None or 0 < row.imagenet_top1 < 1


def test_flops_count_a_multiply_add_as_two():
    # torchvision 0.29.1 reports GMACs: EfficientNet-B0 0.386, ResNet-50 4.089, AlexNet 0.714.
    for name, gmacs in [("EfficientNet-B0", 0.386), ("ResNet-50", 4.089), ("AlexNet", 0.714)]:
        assert catalog.find_architecture(name).forward_gflops == pytest.approx(2 * gmacs)


@pytest.mark.parametrize("alias", ["efficientnet_b0", "EFFICIENTNET-B0", "EfficientNet B0", "effnet-b0"])
def test_aliases(alias):
    assert catalog.find_architecture(alias).name == "EfficientNet-B0"


def test_aliases_are_unique():
    seen = {}
    for row in catalog.architectures():
        for key in {catalog._normalise(k) for k in (row.name, *row.aliases)}:
            assert seen.setdefault(key, row.name) == row.name


def test_resnet32_is_only_used_when_named():
    assert not catalog.find_architecture("ResNet-32").default_candidate
    assert "CIFAR" in catalog.find_architecture("ResNet-32").notes


def test_unknown_model_name():
    with pytest.raises(ValueError, match=r"model must be one of dlcost-2026, paper-2024; got 'x'\."):
        catalog.error_coefficients("x")
