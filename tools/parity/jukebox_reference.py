"""Independent Python reference of one level's encoder of the Jukebox VQ-VAE (openai/jukebox vqvae/encdec.py and
resnet.py, written from the published architecture) on a tiny config, for layer-by-layer parity with the C# model.

    /usr/bin/python3 tools/parity/jukebox_reference.py tests/Fixtures/Jukebox/jukebox_tiny.safetensors

Tiny config: levels 3, downs_t (2, 1, 1), strides_t (2, 2, 2), emb_width 6, width 4, depth 2, dilation growth 3,
multipliers (2, 1, 1); the level-2 encoder (hop 16). The file holds the level-2 encoder under its full checkpoint
keys (encoders.2.*), a decoy level-0 key and the level-2 codebook (bottleneck.level_blocks.2.k), the input, and
float64 outputs: each EncoderConvBlock's output and the quantised latent.
"""
import sys

import torch

import st

CFG = dict(downs_t=[2, 1, 1], strides_t=[2, 2, 2], emb=6, width=4, depth=2, dgr=3, multipliers=[2, 1, 1], level=2, l_bins=10)


def main(path):
    c = CFG
    g = torch.Generator().manual_seed(5)
    r = lambda *s, scale=0.4: torch.randn(*s, generator=g) * scale
    lvl = c["level"]
    width, depth = c["width"] * c["multipliers"][lvl], c["depth"] * c["multipliers"][lvl]
    p, pre = {}, f"encoders.{lvl}."
    plan = []
    for level in range(lvl + 1):
        s = c["strides_t"][level]
        lp = f"{pre}level_blocks.{level}.model."
        for i in range(c["downs_t"][level]):
            cin = (1 if level == 0 else c["emb"]) if i == 0 else width
            p[f"{lp}{i}.0.weight"], p[f"{lp}{i}.0.bias"] = r(width, cin, 2 * s), r(width, scale=0.1)
            for d in range(depth):
                rp = f"{lp}{i}.1.model.{d}.model."
                p[rp + "1.weight"], p[rp + "1.bias"] = r(width, width, 3), r(width, scale=0.1)
                p[rp + "3.weight"], p[rp + "3.bias"] = r(width, width, 1), r(width, scale=0.1)
        k = c["downs_t"][level]
        p[f"{lp}{k}.weight"], p[f"{lp}{k}.bias"] = r(c["emb"], width, 3), r(c["emb"], scale=0.1)
    p["encoders.0.level_blocks.0.model.0.0.weight"] = r(3, 1, 4)   # another level's encoder: ignored
    p[f"bottleneck.level_blocks.{lvl}.k"] = r(c["l_bins"], c["emb"], scale=1.0)

    audio = (0.5 * torch.sin(torch.arange(301) * 0.05) + 0.2 * torch.randn(301, generator=g)).reshape(1, 1, -1)
    q = {k: v.double() for k, v in p.items()}
    x = audio.double()
    out = {}
    for level in range(lvl + 1):
        s = c["strides_t"][level]
        lp = f"{pre}level_blocks.{level}.model."
        for i in range(c["downs_t"][level]):
            x = torch.nn.functional.conv1d(x, q[f"{lp}{i}.0.weight"], q[f"{lp}{i}.0.bias"], s, s // 2)
            for d in range(depth):
                rp = f"{lp}{i}.1.model.{d}.model."
                dil = c["dgr"] ** d
                y = torch.nn.functional.conv1d(torch.relu(x), q[rp + "1.weight"], q[rp + "1.bias"], 1, dil, dil)
                y = torch.nn.functional.conv1d(torch.relu(y), q[rp + "3.weight"], q[rp + "3.bias"])
                x = x + y
        k = c["downs_t"][level]
        x = torch.nn.functional.conv1d(x, q[f"{lp}{k}.weight"], q[f"{lp}{k}.bias"], 1, 1)
        out[f"out.level_{level}"] = x
    flat = x.permute(0, 2, 1).reshape(-1, c["emb"])
    kw = q[f"bottleneck.level_blocks.{lvl}.k"].t()
    dist = flat.pow(2).sum(-1, keepdim=True) - 2 * flat @ kw + kw.pow(2).sum(0, keepdim=True)
    idx = dist.min(-1)[1]
    out["out.quantised"] = q[f"bottleneck.level_blocks.{lvl}.k"][idx].reshape(1, -1, c["emb"]).permute(0, 2, 1)
    st.save({**p, **out, "in.audio": audio}, path, {"torch": torch.__version__, **c})
    print({k: tuple(v.shape) for k, v in out.items()})


if __name__ == "__main__":
    main(sys.argv[1])
