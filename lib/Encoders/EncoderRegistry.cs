namespace PianoJudges.Encoders;

using PianoJudges.Encoders.AudioMae;
using PianoJudges.Encoders.Dac;
using PianoJudges.Encoders.Jukebox;
using PianoJudges.Encoders.Mert;
using PianoJudges.Native;
using TorchSharp;

/// <summary>
/// One encoder of the paper's Table 1: what it produces per 10 s segment in the corrected default and in the
/// released code's (faithful) configuration, where its weights come from, and why the numbers are what they are.
/// </summary>
/// <param name="Info">What our encoder produces by default (sample rate, frame rate, dim, frames per segment).</param>
/// <param name="FaithfulInfo">What it produces with <see cref="EncoderOptions.Faithful"/>: the released code's shapes.</param>
/// <param name="Model">The checkpoint or transform the paper names.</param>
/// <param name="PaperFrameRate">The frame rate Table 1 states, where it differs from what the released code produces (see Note).</param>
/// <param name="Note">Why a number is what it is.</param>
/// <param name="WeightsFiles">The released checkpoint file names searched for (in order); empty when the encoder has no weights.</param>
/// <param name="FaithfulChanges">What <see cref="EncoderOptions.Faithful"/> changes for this encoder.</param>
public sealed record EncoderEntry(
    EncoderInfo Info, EncoderInfo FaithfulInfo, string Model, double PaperFrameRate, string Note,
    IReadOnlyList<string> WeightsFiles, string FaithfulChanges)
{
    public bool NeedsWeights => WeightsFiles.Count > 0;
}

/// <summary>What <see cref="EncoderRegistry.Create"/> builds, as the CLI's embed options give it.</summary>
/// <param name="Weights">--weights: a checkpoint file, or a folder holding one of the entry's <see cref="EncoderEntry.WeightsFiles"/>
/// (for MERT also a Hugging Face cache folder); null searches the user's Hugging Face cache (MERT) and <paramref name="WeightsDirectory"/>.</param>
/// <param name="WeightsDirectory">The project's weights folder (DataPaths.Weights), searched when <paramref name="Weights"/> is null.</param>
/// <param name="Device">cpu, cuda or cuda:N (only MERT runs on a GPU; the others are CPU ports).</param>
/// <param name="Faithful">The released code's configuration instead of the corrected default (see <see cref="EncoderEntry.FaithfulChanges"/>).</param>
/// <param name="Layer">MERT hidden state: last, N, avg or avg:A-B (null = last, the paper's).</param>
/// <param name="RandomWeights">Seeded random weights instead of a checkpoint (teaching runs, benchmarks); the ConfigKey says
/// "weights=random-seedN", so such embeddings get their own cache entries.</param>
/// <param name="Seed">The seed of <paramref name="RandomWeights"/>.</param>
/// <param name="BatchSize">Segments per forward pass (MERT, Audio-MAE, Jukebox; DAC encodes one segment at a time).</param>
public sealed record EncoderOptions(
    string? Weights = null,
    string? WeightsDirectory = null,
    string Device = "cpu",
    bool Faithful = false,
    string? Layer = null,
    bool RandomWeights = false,
    int Seed = 0,
    int BatchSize = 2)
{
    public static EncoderOptions Default { get; } = new();

    /// <summary>The ConfigKey weights id of random weights: never equal to a checkpoint's "name@hash".</summary>
    public string RandomWeightsId => $"random-seed{Seed}";
}

/// <summary>
/// The five encoders of the paper (Table 1) in one place: look up their facts with <see cref="Info"/>,
/// build one with <see cref="Create"/>. Parameter counts are not listed: we do not have the paper's figures to hand.
/// </summary>
public static class EncoderRegistry
{
    public const string Spectrogram = "spectrogram";
    public const string Mert = "mert";
    public const string AudioMae = "audiomae";
    public const string Dac = "dac";
    public const string Jukebox = "jukebox";

    private const string SpectrogramDescription =
        "Mel spectrogram (torchaudio MelSpectrogram: n_fft 400, hop 160, 128 HTK mels, power 2, no log)";

    /// <summary>Table 1, in the paper's order.</summary>
    public static IReadOnlyList<EncoderEntry> Entries { get; } =
    [
        new(new(Spectrogram, 24000, 24000 / 160.0, 128, 1500, SpectrogramDescription),
            new(Spectrogram, 24000, 24000 / 160.0, 128, 1500, SpectrogramDescription),
            "torchaudio.transforms.MelSpectrogram", 100.0,
            "Table 1 says 100 Hz, but the released code's hop of 160 samples at 24 kHz gives 150 frames/s: 1501 frames per 10 s, " +
            "stored as (128 mel, 1500 frames) with the last frame cut.",
            [],
            "Nothing: the default is the released code's transform (whole-segment segmenting is the separate --faithful-segments)."),
        new(new(Mert, 24000, 75.0, 1024, 749, "MERT-v1-330M, last hidden state"),
            new(Mert, 24000, 75.0, 1024, 749, "MERT-v1-330M, last hidden state"),
            "m-a-p/MERT-v1-330M", 75.0,
            "749 frames per 10 s, one short of 75 Hz x 10 s (noted by the authors).",
            MertEncoder.CheckpointFileNames,
            "Nothing: the default already is the released code's (processor normalisation, last hidden state); --layer chooses other layers."),
        new(new(AudioMae, 16000, 51.2, 768, 512, "Audio-MAE ViT-B/16 patch tokens over a 1024-frame 16 kHz Kaldi fbank, AudioSet-normalised"),
            new(AudioMae, 32000, 51.2, 768, 512, "Audio-MAE ViT-B/16 patch tokens over a 1024-frame 32 kHz Kaldi fbank (released code)"),
            "Audio-MAE ViT-B/16 (AudioSet fine-tuned)", 51.2,
            "The original release expects 16 kHz; the paper's code feeds 32 kHz (its fbank processor's default). " +
            "512 patches per segment (1024 fbank frames span 10.24 s; Table 1 counts 512 per 10 s).",
            ["finetuned.pth"],
            "32 kHz fbank instead of 16 kHz, each segment zero-meaned and peak-normalised to 0.5, no AudioSet fbank normalisation, " +
            "fbank rounded to float16 (AudioMaeConfig.PaperFaithful vs AudioMaeConfig.Paper)."),
        new(new(Dac, 44100, 44100 / 512.0, 1024, 862, "Descript Audio Codec 44.1 kHz, quantised latent z, whole segments"),
            new(Dac, 44100, 44100 / 512.0, 1024, 870, "Descript Audio Codec 44.1 kHz, quantised latent z, 1 s chunks (released code)"),
            "DAC 44kHz", 44100 / 512.0,
            "Hop 512: 86.1 frames/s. Whole 10 s segments give 862 frames; the released code encodes 1 s chunks of 87 frames " +
            "(each padded to a hop multiple), 10 concatenated = 870 frames per segment.",
            ["weights_44khz_8kbps_0.0.1.pth"],
            "1 s chunks encoded independently and concatenated (870 frames) instead of the whole segment (862 frames) " +
            "(DacConfig.PaperFaithful vs DacConfig.Paper)."),
        new(new(Jukebox, 44100, 44100 / 128.0, 64, 3445, "Jukebox 5B VQ-VAE, top-level encoder (hop 128), before quantisation"),
            new(Jukebox, 44100, 44100 / 128.0, 64, 3445, "Jukebox 5B VQ-VAE, top-level encoder (hop 128), recording peak-normalised"),
            "Jukebox 5B VQ-VAE (top level)", 44100 / 128.0,
            "3445 frames of 64 per 10 s at 44.1 kHz.",
            ["vqvae.pth.tar", "vqvae.safetensors"],
            "The recording is scaled to unit peak before encoding (JukeboxConfig.PaperFaithful vs JukeboxConfig.Paper)."),
    ];

    /// <summary>The registry names, in Table 1's order.</summary>
    public static IReadOnlyList<string> Names { get; } = Entries.Select(e => e.Info.Name).ToArray();

    /// <summary>The encoders the paper fine-tunes on piano (lib/FineTuning); their fine-tuned embeddings are named "audiomae-ft", "dac-ft".</summary>
    public static IReadOnlyList<string> FineTunable { get; } = [AudioMae, Dac];

    /// <summary>Every name embeddings can be probed under: Table 1's, each fine-tunable one followed by its fine-tuned variant.</summary>
    public static IReadOnlyList<string> ProbeNames { get; } =
        Names.SelectMany(n => FineTunable.Contains(n) ? new[] { n, FineTunedCheckpoint.Variant(n) } : [n]).ToArray();

    /// <summary>The full entry for <paramref name="name"/> (case-insensitive).</summary>
    public static EncoderEntry Entry(string name) =>
        Entries.FirstOrDefault(e => string.Equals(e.Info.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown encoder '{name}'; known encoders: {string.Join(", ", Names)}", nameof(name));

    /// <summary>The Table 1 facts of <paramref name="name"/> (case-insensitive), by default or as the released code runs it.</summary>
    public static EncoderInfo Info(string name, bool faithful = false) => faithful ? Entry(name).FaithfulInfo : Entry(name).Info;

    /// <summary>True when two infos state the same facts (everything but the description).</summary>
    public static bool SameFacts(EncoderInfo a, EncoderInfo b) =>
        a with { Description = "" } == b with { Description = "" };

    /// <summary>The architecture configs <see cref="Create"/> uses: the corrected default, or the released code's.</summary>
    public static AudioMaeConfig AudioMaeConfigFor(bool faithful) => faithful ? AudioMaeConfig.PaperFaithful : AudioMaeConfig.Paper;
    public static DacConfig DacConfigFor(bool faithful) => faithful ? DacConfig.PaperFaithful : DacConfig.Paper;
    public static JukeboxConfig JukeboxConfigFor(bool faithful) => faithful ? JukeboxConfig.PaperFaithful : JukeboxConfig.Paper;

    /// <summary>
    /// Builds the encoder called <paramref name="name"/> with its released weights (or seeded random ones).
    /// The caller disposes it when it is <see cref="IDisposable"/> (the neural encoders are).
    /// </summary>
    /// <exception cref="FileNotFoundException">No weights: the message names the encoder, the file it needs and the options.</exception>
    /// <exception cref="ArgumentException">An option that does not apply (a --layer for a non-MERT encoder, a GPU for a CPU port).</exception>
    public static IAudioEncoder Create(string name, EncoderOptions? options = null)
    {
        var entry = Entry(name);
        var o = options ?? EncoderOptions.Default;
        string n = entry.Info.Name;
        if (o.BatchSize < 1) throw new ArgumentException($"{n}: --batch-size must be at least 1, got {o.BatchSize}");
        if (o.Layer is not null && n != Mert) throw new ArgumentException($"{n}: --layer applies to mert only");
        if (n != Mert && !string.Equals(o.Device.Trim(), "cpu", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{n}: --device {o.Device}: only mert can run on a GPU; this port runs on the CPU (--device cpu)");
        if (n == Spectrogram)
        {
            if (o.Weights is not null) throw new ArgumentException("spectrogram: --weights does not apply (the mel spectrogram has no weights)");
            return new SpectrogramEncoder(SpectrogramEncoderConfig.Paper);
        }

        TorchRuntime.EnsureInitialised();
        if (o.RandomWeights && o.Weights is not null)
            throw new ArgumentException($"{n}: give --weights or --random-weights, not both");
        // A checkpoint written by lib/FineTuning names its encoder and config: it builds that model, whatever the defaults.
        var fineTuned = FineTunedWeights(n, o);
        if (fineTuned is { } ft)
            return n == AudioMae
                ? AudioMaeEncoder.FromFineTuned(ft.Path, o.BatchSize, o.Faithful ? WithReleasedFrontEnd : null)
                : DacEncoder.FromFineTuned(ft.Path, o.Faithful ? WithReleasedChunks : null);
        return n switch
        {
            Mert => CreateMert(entry, o),
            AudioMae => o.RandomWeights
                ? WithSeed(o, () => new AudioMaeEncoder(new AudioMaeVit(AudioMaeConfigFor(o.Faithful)), o.RandomWeightsId, o.BatchSize))
                : AudioMaeEncoder.FromCheckpoint(AudioMaeConfigFor(o.Faithful), WeightsFile(entry, o), o.BatchSize),
            Dac => o.RandomWeights
                ? WithSeed(o, () => new DacEncoder(new DacModel(DacConfigFor(o.Faithful)), o.RandomWeightsId))
                : DacEncoder.FromCheckpoint(DacConfigFor(o.Faithful), WeightsFile(entry, o)),
            Jukebox => o.RandomWeights
                ? WithSeed(o, () => new JukeboxEncoder(new JukeboxVqvaeEncoder(JukeboxConfigFor(o.Faithful)), o.RandomWeightsId, o.BatchSize))
                : JukeboxEncoder.FromCheckpoint(JukeboxConfigFor(o.Faithful), WeightsFile(entry, o), o.BatchSize),
            _ => throw new InvalidOperationException($"encoder '{n}' is in the registry but Create does not build it"),
        };
    }

    /// <summary>
    /// The fine-tuned checkpoint --weights names (the file, or a run folder's encoder.safetensors), when it has
    /// lib/FineTuning's metadata; null for released checkpoints. A fine-tuned checkpoint of another encoder is an error.
    /// </summary>
    public static (string Path, FineTunedCheckpoint Checkpoint)? FineTunedWeights(string encoder, EncoderOptions o)
    {
        if (o.Weights is not { Length: > 0 } given || Entry(encoder).WeightsFiles.Select(f => Path.Combine(given, f)).Any(File.Exists)) return null;
        if (FineTunedCheckpoint.Locate(given) is not { } path || FineTunedCheckpoint.Read(path) is not { } meta) return null;
        string n = Entry(encoder).Info.Name;
        if (meta.Encoder != n)
            throw new ArgumentException($"--weights {given}: {path} holds fine-tuned {meta.Encoder} weights, not {n}; use --encoder {meta.Encoder}");
        if (!FineTunable.Contains(n))
            throw new ArgumentException($"--weights {given}: fine-tuned {n} weights, but {n} has no fine-tuning path");
        return (path, meta);
    }

    /// <summary>--faithful on fine-tuned Audio-MAE weights: the released code's front end (32 kHz, peak 0.5, no normalisation, fp16 fbank) on the trained model.</summary>
    public static AudioMaeConfig WithReleasedFrontEnd(AudioMaeConfig c)
    {
        var f = AudioMaeConfig.PaperFaithful;
        return c with { SampleRate = f.SampleRate, PeakNormalise = f.PeakNormalise, RoundFbankToHalf = f.RoundFbankToHalf, Normalisation = f.Normalisation };
    }

    /// <summary>--faithful on fine-tuned DAC weights: the released code's 1 s chunks.</summary>
    public static DacConfig WithReleasedChunks(DacConfig c) => c with { ChunkSeconds = DacConfig.PaperFaithful.ChunkSeconds };

    /// <summary>The MERT options <see cref="Create"/> uses (MERT-v1-330M; faithful changes nothing).</summary>
    public static MertEncoderOptions MertOptions(EncoderOptions o) =>
        new(Layer: o.Layer is null ? null : MertLayerSelection.Parse(o.Layer), BatchSize: o.BatchSize, Device: o.Device, WeightsPath: o.Weights);

    private static IAudioEncoder CreateMert(EncoderEntry entry, EncoderOptions o)
    {
        var mert = MertOptions(o);
        if (o.RandomWeights)
            return WithSeed(o, () => new MertEncoder(new MertModel(mert.ModelConfig), mert, o.RandomWeightsId));
        try { return MertEncoder.Load(mert, o.WeightsDirectory); }
        catch (FileNotFoundException e) { throw MissingWeights(entry, e.Message, e); }
    }

    // torch's global generator decides every parameter's initial value; one build at a time keeps a seed meaningful.
    private static readonly Lock SeedLock = new();

    private static T WithSeed<T>(EncoderOptions o, Func<T> build)
    {
        lock (SeedLock)
        {
            torch.manual_seed(o.Seed);
            return build();
        }
    }

    /// <summary>The checkpoint for a released-file encoder: --weights (a file, or a folder holding one of the entry's files), else the project's weights folder.</summary>
    public static string WeightsFile(EncoderEntry entry, EncoderOptions o)
    {
        if (o.Weights is { Length: > 0 } given)
        {
            string full = Path.GetFullPath(given);
            if (File.Exists(full)) return full;
            if (!Directory.Exists(full)) throw MissingWeights(entry, $"--weights {given}: no such file or folder", null);
            return entry.WeightsFiles.Select(f => Path.Combine(full, f)).FirstOrDefault(File.Exists)
                ?? throw MissingWeights(entry, $"--weights {given}: the folder holds none of {string.Join(", ", entry.WeightsFiles)}" +
                    (FineTunable.Contains(entry.Info.Name) ? $" (nor a fine-tuning run's {FineTunedCheckpoint.FileName})" : ""), null);
        }
        if (o.WeightsDirectory is { } dir)
        {
            foreach (string folder in new[] { Path.Combine(dir, entry.Info.Name), dir })
                if (entry.WeightsFiles.Select(f => Path.Combine(folder, f)).FirstOrDefault(File.Exists) is { } found) return found;
            throw MissingWeights(entry, $"no weights in {Path.Combine(dir, entry.Info.Name)} or {dir}", null);
        }
        throw MissingWeights(entry, "no weights given", null);
    }

    private static FileNotFoundException MissingWeights(EncoderEntry entry, string problem, Exception? inner) =>
        new($"encoder {entry.Info.Name} ({entry.Model}) needs its released weights ({string.Join(" or ", entry.WeightsFiles)}): {problem.TrimEnd('.')}. " +
            (inner is null ? "Pass --weights FILE (or a folder holding it), or put the file into the project's weights folder; " : "") +
            "--random-weights builds it with seeded random weights instead, for a teaching run or benchmark.", inner);
}
