"""Golden Kaldi fbank from the real torchaudio.compliance.kaldi.fbank, with Audio-MAE's arguments.

Run with Debian's python3-torch 1.13 + python3-torchaudio 0.13.1:
    /usr/bin/python3 tools/parity/kaldi_fbank_golden.py tests/Fixtures/AudioMae/kaldi_fbank_golden.safetensors
Cases: 16 kHz (the original Audio-MAE) and 32 kHz (the paper's code); each waveform has sines, noise, a DC offset
and an exactly silent stretch (frames that hit the epsilon floor).
"""
import sys

import numpy as np
import torch
import torchaudio

import st


def waveform(rate: int, seconds: float, seed: int) -> torch.Tensor:
    rng = np.random.default_rng(seed)
    n = int(rate * seconds)
    t = np.arange(n) / rate
    x = 0.3 * np.sin(2 * np.pi * 261.63 * t) + 0.2 * np.sin(2 * np.pi * 1318.5 * t) * np.exp(-2 * t)
    x += 0.05 * rng.standard_normal(n) + 0.01
    x[int(0.3 * n):int(0.45 * n)] = 0.0
    return torch.tensor(x, dtype=torch.float32)


def main(path: str) -> None:
    tensors = {}
    for rate, seconds, seed in [(16000, 1.0, 1), (32000, 0.5, 2)]:
        wav = waveform(rate, seconds, seed)
        fbank = torchaudio.compliance.kaldi.fbank(
            wav.unsqueeze(0), htk_compat=True, sample_frequency=rate, use_energy=False,
            window_type="hanning", num_mel_bins=128, dither=0.0, frame_shift=10)
        tensors[f"wave_{rate}"] = wav
        tensors[f"fbank_{rate}"] = fbank
        print(rate, tuple(wav.shape), tuple(fbank.shape), float(fbank.min()), float(fbank.max()))
    st.save(tensors, path, {"torch": torch.__version__, "torchaudio": torchaudio.__version__})


if __name__ == "__main__":
    main(sys.argv[1])
