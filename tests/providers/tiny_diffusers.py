"""Tiny randomly initialised diffusers pipelines, built and saved on the spot: the real loading
and generation code runs on them in a second on a CPU, and nothing is downloaded.

Only the tests that use them import torch, diffusers and transformers (the ``diffusers`` extra).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

CROSS_ATTENTION = 16
IMAGE_EMBED = 16


def one_thread() -> None:
    """Run torch on one thread: tiny models gain nothing from more, and OpenMP threads that
    spin while they wait make every step slow on a busy two-core machine."""
    import torch

    torch.set_num_threads(1)


def _byte_symbols() -> list[str]:
    """The 256 printable stand-ins that byte-level BPE (GPT-2, CLIP) uses for the bytes."""
    keep = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1)]
    keep += range(ord("®"), ord("ÿ") + 1)
    symbols = {b: chr(b) for b in keep}
    extra = 0
    for b in range(256):
        if b not in symbols:
            symbols[b] = chr(256 + extra)
            extra += 1
    return [symbols[b] for b in range(256)]


def write_clip_tokenizer(folder: Path) -> dict[str, int]:
    """A CLIP tokenizer's vocab.json and merges.txt: every byte alone (no merges), so any
    text tokenises, one token a byte. Returns the vocabulary."""
    folder.mkdir(parents=True, exist_ok=True)
    symbols = _byte_symbols()
    vocab = {s: i for i, s in enumerate([*symbols, *(f"{s}</w>" for s in symbols)])}
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
    return vocab


def build_text2image(folder: Path, seed: int = 0) -> Path:
    """A Stable Diffusion pipeline (VAE with the real 8× scale factor) saved to ``folder``."""
    import torch
    from diffusers import (
        AutoencoderKL,
        EulerDiscreteScheduler,
        StableDiffusionPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    with tempfile.TemporaryDirectory() as words:
        vocab = write_clip_tokenizer(Path(words))
        tokenizer = CLIPTokenizer.from_pretrained(words, model_max_length=77)
    torch.manual_seed(seed)
    unet = UNet2DConditionModel(
        sample_size=8,
        in_channels=4,
        out_channels=4,
        block_out_channels=(8, 16),
        layers_per_block=1,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=CROSS_ATTENTION,
        attention_head_dim=4,
        norm_num_groups=4,
    )
    vae = AutoencoderKL(
        in_channels=3,
        out_channels=3,
        block_out_channels=(4, 4, 4, 4),  # four levels: 8× down, like every SD VAE
        down_block_types=("DownEncoderBlock2D",) * 4,
        up_block_types=("UpDecoderBlock2D",) * 4,
        latent_channels=4,
        layers_per_block=1,
        norm_num_groups=2,
    )
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=len(vocab),
            hidden_size=CROSS_ATTENTION,
            intermediate_size=32,
            num_attention_heads=2,
            num_hidden_layers=1,
            projection_dim=CROSS_ATTENTION,
            bos_token_id=vocab["<|startoftext|>"],
            eos_token_id=vocab["<|endoftext|>"],
            pad_token_id=vocab["<|endoftext|>"],
        )
    )
    pipe = StableDiffusionPipeline(
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        unet=unet,
        scheduler=EulerDiscreteScheduler(timestep_spacing="trailing", steps_offset=1),
        safety_checker=None,
        feature_extractor=None,
        image_encoder=None,
        requires_safety_checker=False,
    )
    pipe.save_pretrained(folder)
    return folder


def build_ip_adapter(folder: Path, pipeline: Path) -> Path:
    """IP-Adapter weights for the UNet of ``pipeline``, laid out like h94/IP-Adapter:
    ``models/ip-adapter_tiny.safetensors`` (image_proj.* and ip_adapter.{n}.to_k_ip/to_v_ip
    for each cross-attention layer, numbered 1, 3, 5...) and ``models/image_encoder``."""
    import torch
    from diffusers import UNet2DConditionModel
    from safetensors.torch import save_file
    from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection

    unet = UNet2DConditionModel.from_pretrained(pipeline / "unet")
    config: Any = unet.config
    torch.manual_seed(1)
    state = {
        "image_proj.proj.weight": torch.randn(config.cross_attention_dim * 4, IMAGE_EMBED),
        "image_proj.proj.bias": torch.randn(config.cross_attention_dim * 4),
        "image_proj.norm.weight": torch.ones(config.cross_attention_dim),
        "image_proj.norm.bias": torch.zeros(config.cross_attention_dim),
    }
    channels = list(config.block_out_channels)
    number = 1
    for name in unet.attn_processors:
        if not name.endswith("attn2.processor"):
            continue
        if name.startswith("mid_block"):
            hidden = channels[-1]
        elif name.startswith("up_blocks"):
            hidden = channels[::-1][int(name.split(".")[1])]
        else:
            hidden = channels[int(name.split(".")[1])]
        for proj in ("to_k_ip", "to_v_ip"):
            weight = torch.randn(hidden, config.cross_attention_dim)
            state[f"ip_adapter.{number}.{proj}.weight"] = weight
        number += 2
    models = folder / "models"
    models.mkdir(parents=True, exist_ok=True)
    save_file(state, str(models / "ip-adapter_tiny.safetensors"))
    encoder = CLIPVisionModelWithProjection(
        CLIPVisionConfig(
            hidden_size=16,
            projection_dim=IMAGE_EMBED,
            intermediate_size=32,
            num_attention_heads=2,
            num_hidden_layers=1,
            image_size=32,
            patch_size=8,
        )
    )
    encoder.save_pretrained(models / "image_encoder")
    return folder


def build_svd(folder: Path, num_frames: int = 6) -> Path:
    """A Stable Video Diffusion pipeline (8× VAE, two-level UNet) saved to ``folder``."""
    import torch
    from diffusers import (
        AutoencoderKLTemporalDecoder,
        EulerDiscreteScheduler,
        StableVideoDiffusionPipeline,
        UNetSpatioTemporalConditionModel,
    )
    from transformers import (
        CLIPImageProcessor,
        CLIPVisionConfig,
        CLIPVisionModelWithProjection,
    )

    torch.manual_seed(0)
    # The spatio-temporal blocks normalise in 32 groups: 32 channels is the least they take.
    unet = UNetSpatioTemporalConditionModel(
        sample_size=8,
        block_out_channels=(32, 32),
        layers_per_block=1,
        down_block_types=("CrossAttnDownBlockSpatioTemporal", "DownBlockSpatioTemporal"),
        up_block_types=("UpBlockSpatioTemporal", "CrossAttnUpBlockSpatioTemporal"),
        cross_attention_dim=CROSS_ATTENTION,
        num_attention_heads=(2, 4),
        addition_time_embed_dim=8,
        projection_class_embeddings_input_dim=3 * 8,  # fps, motion bucket, noise level
        num_frames=num_frames,
    )
    vae = AutoencoderKLTemporalDecoder(
        block_out_channels=(32, 32, 32, 32),
        down_block_types=("DownEncoderBlock2D",) * 4,
        latent_channels=4,
    )
    # The pipeline resizes the picture to 224×224 for the image encoder.
    image_encoder = CLIPVisionModelWithProjection(
        CLIPVisionConfig(
            hidden_size=16,
            projection_dim=CROSS_ATTENTION,
            intermediate_size=32,
            num_attention_heads=2,
            num_hidden_layers=1,
            image_size=224,
            patch_size=32,
        )
    )
    scheduler = EulerDiscreteScheduler(
        beta_schedule="scaled_linear",
        beta_start=0.00085,
        beta_end=0.012,
        prediction_type="v_prediction",
        sigma_max=700.0,
        sigma_min=0.002,
        steps_offset=1,
        timestep_spacing="leading",
        timestep_type="continuous",
        use_karras_sigmas=True,
    )
    pipe = StableVideoDiffusionPipeline(
        vae=vae,
        image_encoder=image_encoder,
        unet=unet,
        scheduler=scheduler,
        feature_extractor=CLIPImageProcessor(crop_size=224, size=224),
    )
    pipe.save_pretrained(folder)
    return folder
