"""Independent Python reference of the DAC encoder + residual vector quantiser (descript-audio-codec, written from
the published architecture) on a tiny config, for layer-by-layer parity with the C# model.

    /usr/bin/python3 tools/parity/dac_reference.py tests/Fixtures/Dac/dac_tiny.safetensors

Tiny config: encoder_dim 4, rates (2, 4), latent 16, 3 codebooks of 16 entries, codebook dim 4; "sample rate" 400 Hz so
that the faithful 0.51 s chunking (204 samples) is exercised on a 1.5 s (600-sample) segment. Weight-norm gains are
random (not ||v||) and Snake alphas random, so both formulas matter. Outputs: every encoder stage, the encoder output,
z, codes and latents (float64) for a 1003-sample input (padded to 1008), and z for the chunked segment.
"""
import math
import sys

import torch

import st

CFG = dict(encoder_dim=4, rates=[2, 4], latent=16, n_codebooks=3, codebook_size=16, codebook_dim=4,
           sample_rate=400, chunk_seconds=0.51, segment_seconds=1.5)


class Ref:
    def __init__(self, c, g):
        self.c, self.g, self.p = c, g, {}

    def r(self, *shape, scale=0.3):
        return torch.randn(*shape, generator=self.g) * scale

    def wn(self, name, cin, cout, k):
        self.p[name + ".weight_v"] = self.r(cout, cin, k)
        self.p[name + ".weight_g"] = 0.5 + torch.rand(cout, 1, 1, generator=self.g)
        self.p[name + ".bias"] = self.r(cout, scale=0.1)

    def snake_p(self, name, ch):
        self.p[name + ".alpha"] = 0.3 + 1.5 * torch.rand(1, ch, 1, generator=self.g)

    def conv(self, name, x, stride=1, padding=0, dilation=1):
        v, gain = self.p[name + ".weight_v"], self.p[name + ".weight_g"]
        w = gain * v / torch.sqrt((v ** 2).sum(dim=(1, 2), keepdim=True))
        return torch.nn.functional.conv1d(x, w, self.p[name + ".bias"], stride, padding, dilation)

    def snake(self, name, x):
        a = self.p[name + ".alpha"]
        return x + (a + 1e-9).reciprocal() * torch.sin(a * x).pow(2)

    # ---- parameters, named as the release's state_dict ----
    def build(self):
        c, d = self.c, self.c["encoder_dim"]
        self.wn("encoder.block.0", 1, d, 7)
        for i, s in enumerate(c["rates"]):
            d *= 2
            pre = f"encoder.block.{i + 1}.block."
            for j in range(3):
                self.snake_p(pre + f"{j}.block.0", d // 2)
                self.wn(pre + f"{j}.block.1", d // 2, d // 2, 7)
                self.snake_p(pre + f"{j}.block.2", d // 2)
                self.wn(pre + f"{j}.block.3", d // 2, d // 2, 1)
            self.snake_p(pre + "3", d // 2)
            self.wn(pre + "4", d // 2, d, 2 * s)
        n = len(c["rates"])
        self.snake_p(f"encoder.block.{n + 1}", d)
        self.wn(f"encoder.block.{n + 2}", d, c["latent"], 3)
        for q in range(c["n_codebooks"]):
            pre = f"quantizer.quantizers.{q}."
            self.wn(pre + "in_proj", c["latent"], c["codebook_dim"], 1)
            self.wn(pre + "out_proj", c["codebook_dim"], c["latent"], 1)
            self.p[pre + "codebook.weight"] = self.r(c["codebook_size"], c["codebook_dim"], scale=1.0)

    def encode(self, audio, out=None):
        c = self.c
        hop = math.prod(c["rates"])
        n = audio.shape[-1]
        x = torch.nn.functional.pad(audio, (0, math.ceil(n / hop) * hop - n))
        x = self.conv("encoder.block.0", x, padding=3)
        stages = [x]
        for i, s in enumerate(c["rates"]):
            pre = f"encoder.block.{i + 1}.block."
            for j, dil in enumerate([1, 3, 9]):
                y = self.snake(pre + f"{j}.block.0", x)
                y = self.conv(pre + f"{j}.block.1", y, padding=3 * dil, dilation=dil)
                y = self.snake(pre + f"{j}.block.2", y)
                y = self.conv(pre + f"{j}.block.3", y)
                crop = (x.shape[-1] - y.shape[-1]) // 2
                x = (x[..., crop:-crop] if crop > 0 else x) + y
            x = self.snake(pre + "3", x)
            x = self.conv(pre + "4", x, stride=s, padding=math.ceil(s / 2))
            stages.append(x)
        k = len(c["rates"])
        x = self.snake(f"encoder.block.{k + 1}", x)
        stages.append(x)
        x = self.conv(f"encoder.block.{k + 2}", x, padding=1)
        stages.append(x)
        encoded = x
        zq, residual, codes, latents = torch.zeros_like(x), x, [], []
        for q in range(c["n_codebooks"]):
            pre = f"quantizer.quantizers.{q}."
            ze = self.conv(pre + "in_proj", residual)
            b, dd, t = ze.shape
            enc = torch.nn.functional.normalize(ze.permute(0, 2, 1).reshape(b * t, dd))
            book = self.p[pre + "codebook.weight"]
            nb = torch.nn.functional.normalize(book)
            dist = enc.pow(2).sum(1, keepdim=True) - 2 * enc @ nb.t() + nb.pow(2).sum(1, keepdim=True).t()
            idx = (-dist).max(1)[1].reshape(b, t)
            code = book[idx].transpose(1, 2)
            zqi = self.conv(pre + "out_proj", ze + (code - ze))
            zq = zq + zqi
            residual = residual - zqi
            codes.append(idx)
            latents.append(ze)
        if out is not None:
            for i, s in enumerate(stages):
                out[f"out.stage_{i}"] = s
            out["out.encoded"] = encoded
            out["out.codes"] = torch.stack(codes, 1)
            out["out.latents"] = torch.cat(latents, 1)
        return zq


def main(path):
    c = CFG
    g = torch.Generator().manual_seed(11)
    ref = Ref(c, g)
    ref.build()
    audio = (0.5 * torch.sin(torch.arange(1003) * 0.07) + 0.1 * torch.randn(1003, generator=g)).reshape(1, 1, -1)
    # Outputs are computed in float64 from the float32 weights and inputs: the exact answer for those numbers
    # (this net's float32 rounding alone reaches 3e-5 relative, so float32 outputs would not test the architecture).
    weights32 = dict(ref.p)
    ref.p = {k: v.double() for k, v in weights32.items()}
    out = {}
    out["out.z"] = ref.encode(audio.double(), out)
    segment = 0.3 * torch.randn(int(c["segment_seconds"] * c["sample_rate"]), generator=g)
    chunk = round(c["chunk_seconds"] * c["sample_rate"])
    seg64 = segment.double()
    parts = [ref.encode(seg64[i:i + chunk].reshape(1, 1, -1))[0].t() for i in range(0, segment.shape[0], chunk)]
    out["out.z_chunked"] = torch.cat(parts, 0)
    out["out.z_whole"] = ref.encode(seg64.reshape(1, 1, -1))[0].t()
    st.save({**weights32, **out, "in.audio": audio, "in.segment": segment}, path, {"torch": torch.__version__, **c})
    print({k: tuple(v.shape) for k, v in out.items()})
    print("codes", out["out.codes"][0, :, :12])


if __name__ == "__main__":
    main(sys.argv[1])
