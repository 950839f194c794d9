namespace PianoJudges.Encoders.Mert;

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// Multi-head self-attention (HubertAttention): q, k, v and out projections with bias, softmax(q k^T / sqrt(head_dim)) v.
/// Input and output (batch, frames, hidden_size).
/// </summary>
public sealed class MertAttention : nn.Module<Tensor, Tensor>
{
    private readonly Linear k_proj, v_proj, q_proj, out_proj;
    private readonly long _heads, _headDim;

    public MertAttention(MertConfig config) : base(nameof(MertAttention))
    {
        long e = config.HiddenSize;
        (_heads, _headDim) = (config.NumAttentionHeads, config.HeadDim);
        k_proj = nn.Linear(e, e);
        v_proj = nn.Linear(e, e);
        q_proj = nn.Linear(e, e);
        out_proj = nn.Linear(e, e);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], t = x.shape[1];
        Tensor Heads(Linear proj) => proj.call(x).view(b, t, _heads, _headDim).transpose(1, 2);
        // The fused kernel scales by 1/sqrt(head_dim), the scaling HubertAttention applies to q.
        var o = nn.functional.scaled_dot_product_attention(Heads(q_proj), Heads(k_proj), Heads(v_proj));
        return out_proj.call(o.transpose(1, 2).reshape(b, t, _heads * _headDim)).MoveToOuterDisposeScope();
    }
}
