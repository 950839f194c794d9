#!/usr/bin/env python3
"""Independent reference of the MERT-v1 forward pass, and the parity fixtures the C# tests read.

Written from the published architecture (HuBERT as in Hugging Face's modeling_hubert.py, with MERT's
feature projection LayerNorm, DeepNorm residual scaling and "attention relax" from the released
modeling_MERT.py), as plain functions over a state dict: no transformers, no fairseq.

It writes, for three tiny random models with fixed seeds, into tests/Fixtures/Mert/:
  tiny-<name>.config.json          Hugging Face style config.json
  tiny-<name>.bin | .safetensors   the weights in the official key layout
  tiny-<name>.golden.safetensors   input waveform, normalised input, and every hidden state

  postnorm  : MERT-v1-95M style (group norm front end, post-norm layers); weights saved with
              torch.save (zip pickle) with weight_g/weight_v keys, one transposed (strided) tensor
              and two tensors sharing a storage at an offset.
  stable    : MERT-v1-330M style (group norm front end, pre-norm "stable layer norm" layers);
              weights as safetensors with parametrizations.weight.original0/1 keys.
  (also tiny-postnorm.weights.safetensors: the same weights as tiny-postnorm.bin, and
   training-checkpoint.pth.tar + .expected.safetensors: a nested training checkpoint)
  deepnorm  : layer-norm front end, post-norm with DeepNorm and attention relax 32 (the released
              HubertEncoder_extend path); torch.save, odd positional kernel.

Run with Debian's python3-torch (1.13): /usr/bin/python3 tools/parity/mert_reference.py
The outputs are committed; the C# tests compare against them without Python.
"""
import collections
import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "Fixtures", "Mert")

BASE = dict(
    hidden_size=16, num_hidden_layers=2, num_attention_heads=4, intermediate_size=32,
    conv_dim=[8, 8, 8], conv_kernel=[10, 3, 2], conv_stride=[5, 2, 2], conv_bias=False,
    feat_extract_norm="group", feat_proj_layer_norm=True, do_stable_layer_norm=False,
    num_conv_pos_embeddings=8, num_conv_pos_embedding_groups=4, layer_norm_eps=1e-5,
    sample_rate=24000, deepnorm=False, attention_relax=-1.0, hidden_act="gelu",
    feat_extract_activation="gelu", feature_extractor_cqt=False, mask_time_prob=0.05,
)

CONFIGS = {
    "postnorm": dict(BASE, _name_or_path="tiny/postnorm"),
    "stable": dict(BASE, _name_or_path="tiny/stable", do_stable_layer_norm=True, conv_bias=True),
    "deepnorm": dict(BASE, _name_or_path="tiny/deepnorm", feat_extract_norm="layer", deepnorm=True,
                     attention_relax=32.0, num_conv_pos_embeddings=7),
}


# ---------------------------------------------------------------- weights
def random_state_dict(cfg, seed):
    g = torch.Generator().manual_seed(seed)

    def rnd(*shape, scale=0.3):
        return torch.randn(*shape, generator=g) * scale

    def gain(n):
        return 1.0 + 0.2 * torch.randn(n, generator=g)

    sd = collections.OrderedDict()
    dims = cfg["conv_dim"]
    for i, (d, k) in enumerate(zip(dims, cfg["conv_kernel"])):
        cin = 1 if i == 0 else dims[i - 1]
        p = f"feature_extractor.conv_layers.{i}."
        sd[p + "conv.weight"] = rnd(d, cin, k, scale=1.0 / math.sqrt(cin * k))
        if cfg["conv_bias"]:
            sd[p + "conv.bias"] = rnd(d, scale=0.1)
        if cfg["feat_extract_norm"] == "layer" or i == 0:
            sd[p + "layer_norm.weight"] = gain(d)
            sd[p + "layer_norm.bias"] = rnd(d, scale=0.1)
    h, f, c = cfg["hidden_size"], cfg["intermediate_size"], dims[-1]
    sd["feature_projection.layer_norm.weight"] = gain(c)
    sd["feature_projection.layer_norm.bias"] = rnd(c, scale=0.1)
    sd["feature_projection.projection.weight"] = rnd(h, c, scale=1.0 / math.sqrt(c))
    sd["feature_projection.projection.bias"] = rnd(h, scale=0.1)
    sd["masked_spec_embed"] = torch.rand(h, generator=g)
    k, groups = cfg["num_conv_pos_embeddings"], cfg["num_conv_pos_embedding_groups"]
    sd["encoder.pos_conv_embed.conv.weight_g"] = 0.5 + torch.rand(1, 1, k, generator=g)
    sd["encoder.pos_conv_embed.conv.weight_v"] = rnd(h, h // groups, k)
    sd["encoder.pos_conv_embed.conv.bias"] = rnd(h, scale=0.1)
    sd["encoder.layer_norm.weight"] = gain(h)
    sd["encoder.layer_norm.bias"] = rnd(h, scale=0.1)
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layers.{i}."
        for name in ("k_proj", "v_proj", "q_proj", "out_proj"):
            sd[p + f"attention.{name}.weight"] = rnd(h, h, scale=1.0 / math.sqrt(h))
            sd[p + f"attention.{name}.bias"] = rnd(h, scale=0.1)
        sd[p + "layer_norm.weight"] = gain(h)
        sd[p + "layer_norm.bias"] = rnd(h, scale=0.1)
        sd[p + "feed_forward.intermediate_dense.weight"] = rnd(f, h, scale=1.0 / math.sqrt(h))
        sd[p + "feed_forward.intermediate_dense.bias"] = rnd(f, scale=0.1)
        sd[p + "feed_forward.output_dense.weight"] = rnd(h, f, scale=1.0 / math.sqrt(f))
        sd[p + "feed_forward.output_dense.bias"] = rnd(h, scale=0.1)
        sd[p + "final_layer_norm.weight"] = gain(h)
        sd[p + "final_layer_norm.bias"] = rnd(h, scale=0.1)
    return sd


# ---------------------------------------------------------------- reference forward
def normalise(wave):
    """Wav2Vec2FeatureExtractor zero_mean_unit_var_norm, per input."""
    w = wave.double()
    mean = w.mean(dim=-1, keepdim=True)
    var = ((w - mean) ** 2).mean(dim=-1, keepdim=True)
    return ((w - mean) / torch.sqrt(var + 1e-7)).float()


def weight_norm(g, v, dim):
    other = [d for d in range(v.dim()) if d != dim]
    return g * v / v.pow(2).sum(dim=other, keepdim=True).sqrt()


def layer_norm(x, sd, p, eps):
    return F.layer_norm(x, x.shape[-1:], sd[p + ".weight"], sd[p + ".bias"], eps)


def attention(x, sd, p, cfg, relax):
    b, t, h = x.shape
    nh = cfg["num_attention_heads"]
    hd = h // nh

    def proj(name):
        return F.linear(x, sd[f"{p}.{name}.weight"], sd[f"{p}.{name}.bias"])

    q = proj("q_proj") * hd ** -0.5
    k, v = proj("k_proj"), proj("v_proj")
    q, k, v = (z.view(b, t, nh, hd).transpose(1, 2).reshape(b * nh, t, hd) for z in (q, k, v))
    w = torch.bmm(q, k.transpose(1, 2))
    if relax > 0:  # released HubertAttention_extend
        wr = w / relax
        w = (wr - wr.max(dim=-1, keepdim=True).values) * relax
    a = torch.bmm(torch.softmax(w, dim=-1), v)
    a = a.view(b, nh, t, hd).transpose(1, 2).reshape(b, t, h)
    return F.linear(a, sd[f"{p}.out_proj.weight"], sd[f"{p}.out_proj.bias"])


def feed_forward(x, sd, p):
    x = F.gelu(F.linear(x, sd[p + ".intermediate_dense.weight"], sd[p + ".intermediate_dense.bias"]))
    return F.linear(x, sd[p + ".output_dense.weight"], sd[p + ".output_dense.bias"])


def forward(sd, cfg, input_values):
    eps = cfg["layer_norm_eps"]
    x = input_values.unsqueeze(1)
    for i, (k, s) in enumerate(zip(cfg["conv_kernel"], cfg["conv_stride"])):
        p = f"feature_extractor.conv_layers.{i}."
        x = F.conv1d(x, sd[p + "conv.weight"], sd.get(p + "conv.bias"), stride=s)
        if cfg["feat_extract_norm"] == "layer":
            x = F.layer_norm(x.transpose(1, 2), x.shape[1:2], sd[p + "layer_norm.weight"], sd[p + "layer_norm.bias"], 1e-5).transpose(1, 2)
        elif i == 0:
            x = F.group_norm(x, x.shape[1], sd[p + "layer_norm.weight"], sd[p + "layer_norm.bias"], 1e-5)
        x = F.gelu(x)
    x = x.transpose(1, 2)
    x = layer_norm(x, sd, "feature_projection.layer_norm", eps)
    x = F.linear(x, sd["feature_projection.projection.weight"], sd["feature_projection.projection.bias"])

    k = cfg["num_conv_pos_embeddings"]
    w = weight_norm(sd["encoder.pos_conv_embed.conv.weight_g"], sd["encoder.pos_conv_embed.conv.weight_v"], 2)
    pos = F.conv1d(x.transpose(1, 2), w, sd["encoder.pos_conv_embed.conv.bias"], padding=k // 2,
                   groups=cfg["num_conv_pos_embedding_groups"])
    if k % 2 == 0:
        pos = pos[:, :, :-1]
    x = x + F.gelu(pos).transpose(1, 2)

    n = cfg["num_hidden_layers"]
    stable = cfg["do_stable_layer_norm"]
    alpha = math.pow(2.0 * n, 0.25) if cfg["deepnorm"] else 1.0
    relax = cfg["attention_relax"] if cfg["deepnorm"] else -1.0  # only HubertEncoder_extend applies it
    states = []
    if not stable:
        x = layer_norm(x, sd, "encoder.layer_norm", eps)
    for i in range(n):
        states.append(x)
        p = f"encoder.layers.{i}"
        if stable:
            x = x + attention(layer_norm(x, sd, p + ".layer_norm", eps), sd, p + ".attention", cfg, relax)
            x = x + feed_forward(layer_norm(x, sd, p + ".final_layer_norm", eps), sd, p + ".feed_forward")
        else:
            x = layer_norm(x * alpha + attention(x, sd, p + ".attention", cfg, relax), sd, p + ".layer_norm", eps)
            x = layer_norm(x * alpha + feed_forward(x, sd, p + ".feed_forward"), sd, p + ".final_layer_norm", eps)
    if stable:
        x = layer_norm(x, sd, "encoder.layer_norm", eps)
    states.append(x)
    return states


# ---------------------------------------------------------------- files
DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.int64: "I64"}


def save_safetensors(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        data = t.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def main():
    assert sys.byteorder == "little"
    os.makedirs(OUT, exist_ok=True)
    for seed, (name, cfg) in enumerate(CONFIGS.items(), start=11):
        torch.manual_seed(seed)
        sd = random_state_dict(cfg, seed)
        wave = torch.randn(2, 1600, generator=torch.Generator().manual_seed(seed + 100)) * 0.3 + 0.05
        inputs = normalise(wave)
        with torch.no_grad():
            states = forward(sd, cfg, inputs)
        base = os.path.join(OUT, f"tiny-{name}")
        with open(base + ".config.json", "w") as f:
            json.dump(cfg, f, indent=2)
        if name == "stable":
            keyed = collections.OrderedDict(
                (k.replace("conv.weight_g", "conv.parametrizations.weight.original0")
                  .replace("conv.weight_v", "conv.parametrizations.weight.original1"), v) for k, v in sd.items())
            save_safetensors(base + ".safetensors", keyed, {"format": "pt"})
        else:
            saved = collections.OrderedDict(sd)
            # A strided view and two views of one storage, as torch.save writes them.
            q = "encoder.layers.0.attention.q_proj.weight"
            saved[q] = sd[q].t().contiguous().t()
            shared = torch.cat([sd["encoder.layers.1.attention.k_proj.bias"], sd["encoder.layers.1.attention.v_proj.bias"]])
            h = cfg["hidden_size"]
            saved["encoder.layers.1.attention.k_proj.bias"] = shared[:h]
            saved["encoder.layers.1.attention.v_proj.bias"] = shared[h:]
            assert not saved[q].is_contiguous()
            torch.save(saved, base + ".bin")
            if name == "postnorm":  # the same tensors as safetensors: the .bin reader must agree key by key
                save_safetensors(base + ".weights.safetensors", sd)
        golden = collections.OrderedDict([("wave", wave), ("input_values", inputs)])
        for i, s in enumerate(states):
            golden[f"hidden_states.{i}"] = s
        save_safetensors(base + ".golden.safetensors", golden, {"torch": torch.__version__, "script": "tools/parity/mert_reference.py"})
        print(name, [tuple(s.shape) for s in states], "last[0,0,:4]", states[-1][0, 0, :4].tolist())
    write_training_checkpoint()


def write_training_checkpoint():
    """A .pth.tar as training scripts save it: the state dict nested under "state_dict" beside an
    epoch number, a list, a float and an argparse.Namespace (a global the loader admits only on request)."""
    import argparse
    g = torch.Generator().manual_seed(5)
    sd = collections.OrderedDict([("layer.weight", torch.randn(3, 2, generator=g)),
                                  ("layer.bias", torch.randn(3, generator=g).half()),
                                  ("steps", torch.tensor(7))])
    ckpt = {"epoch": 3, "best": 0.25, "milestones": [1, 2], "args": argparse.Namespace(lr=0.1), "state_dict": sd}
    torch.save(ckpt, os.path.join(OUT, "training-checkpoint.pth.tar"))
    save_safetensors(os.path.join(OUT, "training-checkpoint.expected.safetensors"), sd)


if __name__ == "__main__":
    main()
