"""Tiny torch.save checkpoints laid out as the released files, from the parity fixtures' weights, so that the C# tests
exercise the real loading path (zip pickle, nesting, extra entries).

    /usr/bin/python3 tools/parity/make_checkpoints.py

- Audio-MAE (finetuned.pth): {"model": state_dict, "optimizer": ..., "epoch": int, "scaler": ..., "args": argparse.Namespace}
- DAC (weights_44khz_8kbps_0.0.1.pth): {"state_dict": state_dict, "metadata": {"kwargs": {...}}}, here with the
  newer torch.nn.utils.parametrizations key spelling (parametrizations.weight.original0/1) and decoder.* keys
- Jukebox (vqvae.pth.tar, re-saved in the zip format): {"model": state_dict, "step": int}
"""
import argparse
import os

import torch

import st

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "Fixtures")


def weights(folder, name):
    return {k: v for k, v in st.load(os.path.join(ROOT, folder, name)).items() if not k.startswith(("out.", "in."))}


def main():
    amae = weights("AudioMae", "audiomae_tiny.safetensors")
    args = argparse.Namespace(model="vit_base_patch16", batch_size=32, norm_mean=-4.2677393, norm_std=4.5689974)
    torch.save({"model": amae, "optimizer": {"state": {}, "param_groups": [{"lr": 0.001}]}, "epoch": 59,
                "scaler": {"scale": 65536.0}, "args": args},
               os.path.join(ROOT, "AudioMae", "audiomae_tiny_checkpoint.pth.tar"))

    dac = weights("Dac", "dac_tiny.safetensors")
    renamed = {k.replace(".weight_g", ".parametrizations.weight.original0").replace(".weight_v", ".parametrizations.weight.original1"): v
               for k, v in dac.items()}
    renamed["decoder.model.0.parametrizations.weight.original0"] = torch.ones(3, 1, 1)
    torch.save({"state_dict": renamed, "metadata": {"kwargs": {"encoder_dim": 4, "encoder_rates": [2, 4], "n_codebooks": 3,
                                                             "codebook_size": 16, "codebook_dim": 4, "sample_rate": 400}}},
               os.path.join(ROOT, "Dac", "dac_tiny_weights.pth.tar"))

    jbx = weights("Jukebox", "jukebox_tiny.safetensors")
    jbx["decoders.2.out.weight"] = torch.zeros(1, 6, 3)
    torch.save({"model": jbx, "step": 1000}, os.path.join(ROOT, "Jukebox", "jukebox_tiny_vqvae.pth.tar"))


if __name__ == "__main__":
    main()
