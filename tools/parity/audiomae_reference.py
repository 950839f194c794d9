"""Independent Python reference of the Audio-MAE encoder (ViT-B/16 as in facebookresearch/AudioMAE models_vit /
models_mae, written from the published architecture) on a tiny config, for layer-by-layer parity with the C# model.

    /usr/bin/python3 tools/parity/audiomae_reference.py tests/Fixtures/AudioMae/audiomae_tiny.safetensors

The file holds: the weights under their checkpoint keys (both layouts' norm/fc_norm plus keys the C# loader must skip:
head.*, mask_token, decoder_embed.*), the input waveform, the fbank from the real torchaudio Kaldi fbank, the
normalised 1-channel image, and out.* = every stage in float64 (embed, block_i, tokens_blocks, tokens_norm, tokens_fcnorm).
"""
import math
import sys

import numpy as np
import torch
import torchaudio

import st

CFG = dict(rate=16000, target_length=64, mels=32, patch=16, dim=32, depth=2, heads=4, mlp_ratio=4, eps=1e-6,
           mean=-4.2677393, std=4.5689974)


def sincos_1d(dim, pos):
    omega = 1.0 / 10000 ** (np.arange(dim // 2, dtype=np.float64) / (dim / 2.0))
    out = np.einsum("m,d->md", pos.reshape(-1).astype(np.float64), omega)
    return np.concatenate([np.sin(out), np.cos(out)], axis=1)


def sincos_2d(dim, grid_t, grid_f):
    # Audio-MAE meshgrid(w, h): the first half of the channels encodes the frequency index, the second the time index.
    f, t = np.meshgrid(np.arange(grid_f, dtype=np.float32), np.arange(grid_t, dtype=np.float32))
    emb = np.concatenate([sincos_1d(dim // 2, f), sincos_1d(dim // 2, t)], axis=1)
    return np.concatenate([np.zeros([1, dim]), emb], axis=0)


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def block(x, p, i, c):
    B, N, D = x.shape
    h = c["heads"]
    pre = f"blocks.{i}."
    y = layer_norm(x, p[pre + "norm1.weight"], p[pre + "norm1.bias"], c["eps"])
    qkv = (y @ p[pre + "attn.qkv.weight"].T + p[pre + "attn.qkv.bias"]).reshape(B, N, 3, h, D // h).permute(2, 0, 3, 1, 4)
    q, k, v = qkv[0], qkv[1], qkv[2]
    att = torch.softmax((q @ k.transpose(-2, -1)) * (D // h) ** -0.5, dim=-1)
    y = (att @ v).transpose(1, 2).reshape(B, N, D)
    x = x + (y @ p[pre + "attn.proj.weight"].T + p[pre + "attn.proj.bias"])
    y = layer_norm(x, p[pre + "norm2.weight"], p[pre + "norm2.bias"], c["eps"])
    y = y @ p[pre + "mlp.fc1.weight"].T + p[pre + "mlp.fc1.bias"]
    y = 0.5 * y * (1 + torch.erf(y / math.sqrt(2)))
    return x + (y @ p[pre + "mlp.fc2.weight"].T + p[pre + "mlp.fc2.bias"])


def main(path):
    c = CFG
    g = torch.Generator().manual_seed(7)
    D, P = c["dim"], c["patch"]
    gt, gf = c["target_length"] // P, c["mels"] // P
    r = lambda *s, scale=0.2: torch.randn(*s, generator=g) * scale
    p = {"cls_token": r(1, 1, D), "pos_embed": torch.tensor(sincos_2d(D, gt, gf), dtype=torch.float32).unsqueeze(0),
         "patch_embed.proj.weight": r(D, 1, P, P, scale=0.05), "patch_embed.proj.bias": r(D),
         "norm.weight": 1 + r(D), "norm.bias": r(D), "fc_norm.weight": 1 + r(D), "fc_norm.bias": r(D),
         "head.weight": r(5, D), "head.bias": r(5), "mask_token": r(1, 1, D), "decoder_embed.weight": r(8, D)}
    for i in range(c["depth"]):
        pre = f"blocks.{i}."
        hid = D * c["mlp_ratio"]
        p.update({pre + "norm1.weight": 1 + r(D), pre + "norm1.bias": r(D),
                  pre + "attn.qkv.weight": r(3 * D, D), pre + "attn.qkv.bias": r(3 * D),
                  pre + "attn.proj.weight": r(D, D), pre + "attn.proj.bias": r(D),
                  pre + "norm2.weight": 1 + r(D), pre + "norm2.bias": r(D),
                  pre + "mlp.fc1.weight": r(hid, D), pre + "mlp.fc1.bias": r(hid),
                  pre + "mlp.fc2.weight": r(D, hid), pre + "mlp.fc2.bias": r(D)})

    n = int(0.5 * c["rate"])
    t = torch.arange(n, dtype=torch.float64) / c["rate"]
    wave = (0.4 * torch.sin(2 * math.pi * 440 * t) + 0.05 * torch.randn(n, generator=g, dtype=torch.float64)).float()
    fbank = torchaudio.compliance.kaldi.fbank(wave.unsqueeze(0), htk_compat=True, sample_frequency=c["rate"],
                                              use_energy=False, window_type="hanning", num_mel_bins=c["mels"],
                                              dither=0.0, frame_shift=10)
    padded = torch.nn.functional.pad(fbank, (0, 0, 0, c["target_length"] - fbank.shape[0]))
    image = ((padded - c["mean"]) / (c["std"] * 2)).reshape(1, 1, c["target_length"], c["mels"])

    # The stages are computed in float64 from the float32 weights and image: the exact answer for those numbers.
    p64 = {k: v.double() for k, v in p.items()}
    x = torch.nn.functional.conv2d(image.double(), p64["patch_embed.proj.weight"], p64["patch_embed.proj.bias"], stride=P)
    x = x.flatten(2).transpose(1, 2) + p64["pos_embed"][:, 1:]
    x = torch.cat([p64["cls_token"] + p64["pos_embed"][:, :1], x], dim=1)
    out = {"out.embed": x}
    for i in range(c["depth"]):
        x = block(x, p64, i, c)
        out[f"out.block_{i}"] = x
    tokens = x[:, 1:]
    out["out.tokens_blocks"] = tokens
    out["out.tokens_norm"] = layer_norm(tokens, p64["norm.weight"], p64["norm.bias"], c["eps"])
    out["out.tokens_fcnorm"] = layer_norm(tokens, p64["fc_norm.weight"], p64["fc_norm.bias"], c["eps"])
    tensors = {**p, **out, "in.wave": wave, "in.fbank": fbank, "in.image": image}
    st.save(tensors, path, {"torch": torch.__version__, "torchaudio": torchaudio.__version__, **c})
    print({k: tuple(v.shape) for k, v in out.items()})


if __name__ == "__main__":
    main(sys.argv[1])
