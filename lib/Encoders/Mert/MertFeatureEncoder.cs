namespace PianoJudges.Encoders.Mert;

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// The convolutional waveform encoder (HubertFeatureEncoder): seven strided convolutions, a total
/// stride of 320, so 24 kHz audio becomes 75 frames per second (749 frames per 10 s).
/// Input (batch, samples); output (batch, conv_dim[-1], frames).
/// </summary>
public sealed class MertFeatureEncoder : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<MertConvLayer> conv_layers;

    public MertFeatureEncoder(MertConfig config) : base(nameof(MertFeatureEncoder))
    {
        conv_layers = new ModuleList<MertConvLayer>(Enumerable.Range(0, config.ConvDim.Count).Select(i => new MertConvLayer(config, i)).ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor inputValues)
    {
        if (inputValues.dim() != 2) throw new ArgumentException($"input_values must be (batch, samples); got [{string.Join(", ", inputValues.shape)}]");
        var h = inputValues.unsqueeze(1);
        foreach (var layer in conv_layers)
        {
            var next = layer.call(h);
            if (!ReferenceEquals(h, inputValues)) h.Dispose();
            h = next;
        }
        return h;
    }
}
