namespace PianoJudges.Encoders.Mert;

using PianoJudges.Encoders.Layers;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// Convolutional relative position embedding (HubertPositionalConvEmbedding): a grouped Conv1d of
/// kernel num_conv_pos_embeddings (128) and num_conv_pos_embedding_groups (16) groups, weight-normalised
/// over the kernel axis (dim 2), padded by kernel/2 with the last frame dropped for an even kernel, then GELU.
/// Input and output (batch, frames, hidden_size); the caller adds the output to its input.
/// </summary>
public sealed class MertPositionalConvEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly WeightNormConv1d conv;
    private readonly bool _dropLast;

    public MertPositionalConvEmbedding(MertConfig config) : base(nameof(MertPositionalConvEmbedding))
    {
        int k = config.NumConvPosEmbeddings;
        conv = new WeightNormConv1d(config.HiddenSize, config.HiddenSize, k, padding: k / 2, groups: config.NumConvPosEmbeddingGroups, dim: 2);
        _dropLast = k % 2 == 0;
        RegisterComponents();
    }

    public override Tensor forward(Tensor hiddenStates)
    {
        using var scope = NewDisposeScope();
        var h = conv.call(hiddenStates.transpose(1, 2));
        if (_dropLast) h = h[.., .., ..^1];
        return nn.functional.gelu(h).transpose(1, 2).MoveToOuterDisposeScope();
    }
}
