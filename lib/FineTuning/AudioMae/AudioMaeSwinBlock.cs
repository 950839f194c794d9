namespace PianoJudges.FineTuning.AudioMae;

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

// Field names are the checkpoint keys of the release's patched timm SwinTransformerBlock (swin_transformer_v2_cr form):
// attn.qkv, attn.proj, attn.meta_mlp.fc1/fc2, attn.tau, norm1, mlp.fc1/fc2, norm2.
#pragma warning disable IDE1006

/// <summary>timm Mlp as the Swin block uses it: fc1, activation, dropout, fc2, dropout.</summary>
public sealed class AudioMaeSwinMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly nn.Module<Tensor, Tensor> act;
    private readonly Dropout drop1;
    private readonly Linear fc2;
    private readonly Dropout drop2;

    public AudioMaeSwinMlp(int inFeatures, int hidden, int outFeatures, bool relu, double dropout) : base(nameof(AudioMaeSwinMlp))
    {
        fc1 = nn.Linear(inFeatures, hidden);
        act = relu ? nn.ReLU() : nn.GELU();
        drop1 = nn.Dropout(dropout);
        fc2 = nn.Linear(hidden, outFeatures);
        drop2 = nn.Dropout(dropout);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => drop2.call(fc2.call(drop1.call(act.call(fc1.call(x)))));
}

/// <summary>
/// Window attention with scaled cosine similarity and a log-spaced continuous position bias (Swin V2): per window,
/// cos(q, k) / max(tau, 0.01) + meta_mlp(sign(d) log(1 + |d|)) over the relative (time, freq) offsets d, plus the
/// shift mask. (windows B, N, C) -> (windows B, N, C).
/// </summary>
public sealed class AudioMaeWindowAttention : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly Linear qkv;
    private readonly Linear proj;
    private readonly AudioMaeSwinMlp meta_mlp;
    private readonly Parameter tau;
    private readonly Tensor relativeCoordinatesLog;
    private readonly int numHeads, windowArea;

    public AudioMaeWindowAttention(int dim, int numHeads, (int t, int f) window, int metaHidden, double metaDropout) : base(nameof(AudioMaeWindowAttention))
    {
        this.numHeads = numHeads;
        windowArea = window.t * window.f;
        qkv = nn.Linear(dim, dim * 3);
        proj = nn.Linear(dim, dim);
        meta_mlp = new AudioMaeSwinMlp(2, metaHidden, numHeads, relu: true, metaDropout);
        tau = nn.Parameter(ones(numHeads));
        var coords = new float[windowArea * windowArea * 2];
        for (int i = 0; i < windowArea; i++)
        for (int j = 0; j < windowArea; j++)
        {
            int dt = i / window.f - j / window.f, df = i % window.f - j % window.f;
            coords[(i * windowArea + j) * 2] = (float)(Math.Sign(dt) * Math.Log(1 + Math.Abs(dt)));
            coords[(i * windowArea + j) * 2 + 1] = (float)(Math.Sign(df) * Math.Log(1 + Math.Abs(df)));
        }
        relativeCoordinatesLog = tensor(coords, [windowArea * windowArea, 2]);
        RegisterComponents();
    }

    /// <param name="x">(windows x B, N, C).</param>
    /// <param name="mask">(windows, N, N) additive shift mask, or null.</param>
    public override Tensor forward(Tensor x, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        long bw = x.shape[0], n = x.shape[1], c = x.shape[2];
        var heads = qkv.call(x).view(bw, n, 3, numHeads, c / numHeads).permute(2, 0, 3, 1, 4);
        Tensor q = heads[0], k = heads[1], v = heads[2];
        var denom = matmul(q.norm(-1, keepdim: true), k.norm(-1, keepdim: true).transpose(-2, -1));
        var attn = matmul(q, k.transpose(-2, -1)) / denom.clamp_min(1e-6);
        attn = attn / tau.clamp_min(0.01).reshape(1, numHeads, 1, 1);
        var bias = meta_mlp.call(relativeCoordinatesLog.to(x.device)).transpose(1, 0).reshape(1, numHeads, windowArea, windowArea);
        attn = attn + bias;
        if (mask is not null)
        {
            long windows = mask.shape[0];
            attn = (attn.view(bw / windows, windows, numHeads, n, n) + mask.unsqueeze(1).unsqueeze(0)).view(-1, numHeads, n, n);
        }
        attn = attn.softmax(-1);
        var y = matmul(attn, v).transpose(1, 2).reshape(bw, n, c);
        return proj.call(y).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// The release's Swin decoder block over the (time, freq) patch grid, post-norm: x + norm1(window_attn(x)), then
/// x + norm2(mlp(x)). Odd blocks roll the grid by the shift first and mask attention across the wrap (-100).
/// (B, T x F, C) -> (B, T x F, C); the cls token is not part of the sequence.
/// </summary>
public sealed class AudioMaeSwinBlock : nn.Module<Tensor, Tensor>
{
    private readonly AudioMaeWindowAttention attn;
    private readonly LayerNorm norm1;
    private readonly AudioMaeSwinMlp mlp;
    private readonly LayerNorm norm2;
    private readonly int gridT, gridF;
    private readonly (int t, int f) window, shift;
    private readonly Tensor? attnMask;

    public AudioMaeSwinBlock(int dim, int numHeads, (int t, int f) grid, (int t, int f) window, (int t, int f) shift,
        int mlpRatio, double layerNormEps, int metaHidden, double metaDropout) : base(nameof(AudioMaeSwinBlock))
    {
        (gridT, gridF) = grid;
        // As timm's _calc_window_shift: a window no larger than the grid, and no shift along an axis the window covers.
        this.window = (Math.Min(window.t, grid.t), Math.Min(window.f, grid.f));
        this.shift = (grid.t <= window.t ? 0 : shift.t, grid.f <= window.f ? 0 : shift.f);
        attn = new AudioMaeWindowAttention(dim, numHeads, this.window, metaHidden, metaDropout);
        norm1 = nn.LayerNorm([dim], layerNormEps);
        mlp = new AudioMaeSwinMlp(dim, dim * mlpRatio, dim, relu: false, 0.0);
        norm2 = nn.LayerNorm([dim], layerNormEps);
        attnMask = this.shift.t != 0 || this.shift.f != 0 ? ShiftMask() : null;
        RegisterComponents();
    }

    /// <summary>(windows, N, N): 0 within a region, -100 across regions of the rolled grid (timm's slicing, Python semantics).</summary>
    private Tensor ShiftMask()
    {
        // Python slices (0:-w), (-w:-s), (-s:) with s = 0 give (0:-w), an empty slice and the whole axis, in that order.
        static int[] Regions(int size, int w, int s)
        {
            var label = new int[size];
            if (s == 0) return label; // the last slice covers everything with one label
            for (int i = 0; i < size; i++) label[i] = i < size - w ? 0 : i < size - s ? 1 : 2;
            return label;
        }
        var rt = Regions(gridT, window.t, shift.t);
        var rf = Regions(gridF, window.f, shift.f);
        int nWt = gridT / window.t, nWf = gridF / window.f, area = window.t * window.f;
        var mask = new float[nWt * nWf * area * area];
        for (int wt = 0; wt < nWt; wt++)
        for (int wf = 0; wf < nWf; wf++)
        {
            int w = wt * nWf + wf;
            for (int i = 0; i < area; i++)
            for (int j = 0; j < area; j++)
            {
                int ti = wt * window.t + i / window.f, fi = wf * window.f + i % window.f;
                int tj = wt * window.t + j / window.f, fj = wf * window.f + j % window.f;
                bool same = rt[ti] == rt[tj] && rf[fi] == rf[fj];
                mask[(w * area + i) * area + j] = same ? 0f : -100f;
            }
        }
        return tensor(mask, [nWt * nWf, area, area]);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], c = x.shape[2];
        var grid = x.view(b, gridT, gridF, c);
        bool shifted = shift.t != 0 || shift.f != 0;
        if (shifted) grid = grid.roll([-shift.t, -shift.f], [1, 2]);
        var windows = grid.view(b, gridT / window.t, window.t, gridF / window.f, window.f, c).permute(0, 1, 3, 2, 4, 5)
            .contiguous().view(-1, window.t * window.f, c);
        var attended = attn.call(windows, attnMask?.to(x.device));
        grid = attended.view(b, gridT / window.t, gridF / window.f, window.t, window.f, c).permute(0, 1, 3, 2, 4, 5)
            .contiguous().view(b, gridT, gridF, c);
        if (shifted) grid = grid.roll([shift.t, shift.f], [1, 2]);
        var h = x + norm1.call(grid.reshape(b, gridT * gridF, c));
        return (h + norm2.call(mlp.call(h))).MoveToOuterDisposeScope();
    }
}
