namespace PianoJudges.Encoders.Mert;

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>The position-wise feed-forward block (HubertFeedForward): Linear(hidden, intermediate), GELU, Linear(intermediate, hidden). Shapes (batch, frames, hidden_size).</summary>
public sealed class MertFeedForward : nn.Module<Tensor, Tensor>
{
    private readonly Linear intermediate_dense, output_dense;

    public MertFeedForward(MertConfig config) : base(nameof(MertFeedForward))
    {
        intermediate_dense = nn.Linear(config.HiddenSize, config.IntermediateSize);
        output_dense = nn.Linear(config.IntermediateSize, config.HiddenSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return output_dense.call(nn.functional.gelu(intermediate_dense.call(x))).MoveToOuterDisposeScope();
    }
}
