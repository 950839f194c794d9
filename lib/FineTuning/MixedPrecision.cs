namespace PianoJudges.FineTuning;

using System.Globalization;
using System.Text.Json.Nodes;
using PianoJudges.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// Number format of the forward and backward passes. The optimiser always keeps float32 weights and moments; the
/// checkpoints are float32 in every mode.
/// </summary>
public enum TrainingPrecision
{
    /// <summary>Everything in float32.</summary>
    Fp32,
    /// <summary>A bfloat16 copy of each model computes the passes (float32's range: no loss scaling).</summary>
    Bf16,
    /// <summary>A float16 copy computes the passes, with dynamic loss scaling; a step whose gradients overflow is skipped.</summary>
    Fp16,
}

/// <summary>Names and dtypes of <see cref="TrainingPrecision"/>.</summary>
public static class TrainingPrecisions
{
    public static readonly IReadOnlyList<string> Names = ["fp32", "bf16", "fp16"];

    public static TrainingPrecision Parse(string name) => name switch
    {
        "fp32" => TrainingPrecision.Fp32,
        "bf16" => TrainingPrecision.Bf16,
        "fp16" => TrainingPrecision.Fp16,
        _ => throw new ArgumentException($"unknown precision '{name}'; use {string.Join(", ", Names)}"),
    };

    public static string Name(this TrainingPrecision precision) => Names[(int)precision];

    public static ScalarType DType(this TrainingPrecision precision) => precision switch
    {
        TrainingPrecision.Bf16 => ScalarType.BFloat16,
        TrainingPrecision.Fp16 => ScalarType.Float16,
        _ => ScalarType.Float32,
    };
}

/// <summary>
/// Manual mixed precision for one model (TorchSharp 0.107 has no autocast): the float32 master, which the optimiser
/// updates and the checkpoints hold, and a low-precision compute copy built from the same constructor. Before the
/// passes the master's parameters and buffers are cast into the copy (<see cref="Sync"/>); after the backward pass the
/// copy's gradients are cast to float32, divided by the loss scale and handed to the master (<see cref="GradientsToMaster"/>).
/// In float32 mode the copy is the master and both calls do nothing.
/// </summary>
public sealed class MixedPrecisionModel<T> : IDisposable where T : nn.Module
{
    private readonly List<(Parameter master, Parameter compute)> parameters;
    private readonly List<(Tensor master, Tensor compute)> buffers;

    /// <param name="master">The float32 model, already on its device.</param>
    /// <param name="makeCopy">Builds another model of the same shape (its initial weights do not matter).</param>
    public MixedPrecisionModel(T master, TrainingPrecision precision, Func<T> makeCopy)
    {
        Master = master;
        Precision = precision;
        if (precision == TrainingPrecision.Fp32)
        {
            Compute = master;
            parameters = [];
            buffers = [];
            return;
        }
        var device = master.parameters().First().device;
        // The copy's random initialisation must not move torch's generator (a run's later draws would change with the precision).
        var state = random.get_rng_state();
        Compute = makeCopy();
        random.set_rng_state(state);
        Compute.to(precision.DType()).to(device);
        var masterParams = master.named_parameters().ToList();
        var computeParams = Compute.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        parameters = masterParams.Select(p => (p.parameter, computeParams[p.name])).ToList();
        var computeBuffers = Compute.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        buffers = master.named_buffers().Select(b => (b.buffer, computeBuffers[b.name])).ToList();
        if (parameters.Count != computeParams.Count || buffers.Count != computeBuffers.Count)
            throw new InvalidOperationException("the compute copy does not have the master's parameters and buffers");
    }

    public T Master { get; }
    public T Compute { get; }
    public TrainingPrecision Precision { get; }
    public ScalarType DType => Precision.DType();

    /// <summary>Casts the master's parameters and (floating) buffers into the compute copy and clears the copy's gradients.</summary>
    public void Sync()
    {
        if (Precision == TrainingPrecision.Fp32) return;
        using var noGrad = no_grad();
        foreach (var (m, c) in parameters)
        {
            c.copy_(m);
            c.grad = null;
        }
        foreach (var (m, c) in buffers) c.copy_(m);
    }

    /// <summary>Clears the compute copy's gradients (e.g. those a generator loss leaves in a discriminator).</summary>
    public void ZeroComputeGradients()
    {
        foreach (var p in Compute.parameters()) p.grad = null;
    }

    /// <summary>
    /// Hands the compute copy's gradients to the master: cast to float32 and divided by <paramref name="lossScale"/>
    /// (GradScaler.unscale_). Returns false when any of them is infinite or NaN (checked only when
    /// <paramref name="checkFinite"/>; the master's gradients are then not to be used).
    /// </summary>
    public bool GradientsToMaster(double lossScale, bool checkFinite)
    {
        if (Precision == TrainingPrecision.Fp32)
        {
            if (lossScale == 1.0) return true;
            using var noGrad0 = no_grad();
            bool ok = true;
            foreach (var p in Master.parameters())
                if (p.grad is { } g)
                {
                    g.div_(lossScale);
                    if (checkFinite && !g.isfinite().all().item<bool>()) ok = false;
                }
            return ok;
        }
        using var noGrad = no_grad();
        bool finite = true;
        foreach (var (m, c) in parameters)
        {
            if (c.grad is not { } g)
            {
                m.grad = null;
                continue;
            }
            using var full = g.to(ScalarType.Float32);
            if (lossScale != 1.0) full.div_(lossScale);
            if (checkFinite && finite && !full.isfinite().all().item<bool>()) finite = false;
            if (m.grad is { } existing) existing.copy_(full);
            else m.grad = full.clone();
            c.grad = null;
        }
        return finite;
    }

    public void Dispose()
    {
        if (!ReferenceEquals(Compute, Master)) Compute.Dispose();
    }
}

/// <summary>
/// torch.cuda.amp.GradScaler's dynamic loss scale: start at 2^16, halve after a step whose gradients overflow (the
/// step is skipped), double after 2000 steps in a row without one. Only float16 uses it (scale 1 otherwise).
/// </summary>
public sealed class DynamicLossScale
{
    public const string FileName = "grad_scaler.json";

    public DynamicLossScale(bool enabled, double initialScale = 65536.0, double growthFactor = 2.0, double backoffFactor = 0.5, int growthInterval = 2000)
    {
        Enabled = enabled;
        Scale = enabled ? initialScale : 1.0;
        GrowthFactor = growthFactor;
        BackoffFactor = backoffFactor;
        GrowthInterval = growthInterval;
    }

    public bool Enabled { get; }
    public double Scale { get; private set; }
    public double GrowthFactor { get; }
    public double BackoffFactor { get; }
    public int GrowthInterval { get; }
    /// <summary>Steps in a row without overflow since the scale last changed.</summary>
    public int GoodSteps { get; private set; }
    /// <summary>Steps skipped because of overflow, in this process.</summary>
    public int SkippedSteps { get; private set; }

    /// <summary>After a step: <paramref name="finite"/> = no gradient overflowed.</summary>
    public void Update(bool finite)
    {
        if (!Enabled) return;
        if (!finite)
        {
            Scale *= BackoffFactor;
            GoodSteps = 0;
            SkippedSteps++;
            return;
        }
        if (++GoodSteps >= GrowthInterval)
        {
            Scale *= GrowthFactor;
            GoodSteps = 0;
        }
    }

    public void Save(string folder)
    {
        if (!Enabled) return;
        var json = new JsonObject { ["scale"] = Scale, ["good_steps"] = GoodSteps };
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), json.ToJsonString());
    }

    public void Load(string folder)
    {
        if (!Enabled) return;
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{folder}: no {FileName}; was the run trained in float16?", path);
        var json = JsonNode.Parse(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path}: empty");
        Scale = (double?)json["scale"] ?? throw new InvalidDataException($"{path}: no 'scale'");
        GoodSteps = (int?)json["good_steps"] ?? throw new InvalidDataException($"{path}: no 'good_steps'");
        if (!(Scale > 0) || double.IsInfinity(Scale)) throw new InvalidDataException($"{path}: scale {Scale.ToString(CultureInfo.InvariantCulture)} is not a positive number");
    }
}
