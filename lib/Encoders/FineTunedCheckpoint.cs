namespace PianoJudges.Encoders;

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using PianoJudges.Data;
using PianoJudges.Encoders.AudioMae;
using PianoJudges.Encoders.Dac;

/// <summary>
/// What a checkpoint written by lib/FineTuning says about itself in its safetensors <c>__metadata__</c>: which encoder,
/// the model config it was trained with (so `embed --weights` builds the right model, toy or real, with no other flag),
/// its key layout and where it came from. A file without this metadata (a released checkpoint) is not one of these:
/// <see cref="Read"/> returns null and the encoder is built from the registry's config as before.
/// </summary>
/// <param name="Encoder">Registry name of the encoder the weights belong to ("audiomae", "dac").</param>
/// <param name="Size">"toy", "real" or "custom" (descriptive; <paramref name="Config"/> is what builds the model).</param>
/// <param name="Layout">Key layout: <see cref="AudioMaeLayout"/> (the whole models_mae state_dict) or <see cref="DacLayout"/> (the codec state_dict).</param>
/// <param name="Config">The encoder's config record as JSON (<see cref="AudioMaeConfig"/> or <see cref="DacConfig"/>).</param>
/// <param name="Objective">The self-supervised objective trained.</param>
/// <param name="StepsDone">Optimiser steps done when the file was written (0 = the run's starting weights).</param>
/// <param name="TotalSteps">Steps the run was set to.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Corpus">The audio the run trained on (as given to the run).</param>
/// <param name="StartingWeights">The weights the run started from ("random" for a seeded random initialisation).</param>
public sealed record FineTunedCheckpoint(
    string Encoder,
    string Size,
    string Layout,
    string Config,
    string Objective,
    long StepsDone = 0,
    long TotalSteps = 0,
    ulong Seed = 0,
    string Corpus = "",
    string StartingWeights = "random")
{
    /// <summary>The metadata "format" value that marks a fine-tuned encoder checkpoint.</summary>
    public const string Format = "pianojudges-finetuned-encoder-v1";

    /// <summary>The encoder weights a fine-tuning run leaves in its folder (the newest checkpoint's).</summary>
    public const string FileName = "encoder.safetensors";

    /// <summary>The run's starting weights (step 0), written when a run starts: the honest "before" of a before/after comparison.</summary>
    public const string StartFileName = "encoder-start.safetensors";

    /// <summary>Appended to the encoder name of embeddings made with fine-tuned weights ("audiomae-ft"): cache folder, results, tables.</summary>
    public const string VariantSuffix = "-ft";

    public const string AudioMaeLayout = "models_mae";
    public const string DacLayout = "dac_codec";

    /// <summary>True once at least one optimiser step changed the weights.</summary>
    public bool IsFineTuned => StepsDone > 0;

    /// <summary>The name its embeddings are cached and reported under: "audiomae-ft" once fine-tuned, "audiomae" for the starting weights.</summary>
    public string EmbeddingName => IsFineTuned ? Variant(Encoder) : Encoder;

    /// <summary>"audiomae" → "audiomae-ft".</summary>
    public static string Variant(string encoder) => encoder + VariantSuffix;

    /// <summary>True for a fine-tuned variant name ("audiomae-ft").</summary>
    public static bool IsVariant(string name) => name.EndsWith(VariantSuffix, StringComparison.OrdinalIgnoreCase);

    /// <summary>"audiomae-ft" → "audiomae"; other names unchanged.</summary>
    public static string BaseName(string name) => IsVariant(name) ? name[..^VariantSuffix.Length] : name;

    private static readonly JsonSerializerOptions ConfigJson = new()
    {
        IgnoreReadOnlyProperties = true, // derived values (grid, hop, frames) are recomputed, not stored
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Serialise(AudioMaeConfig config) => JsonSerializer.Serialize(config, ConfigJson);
    public static string Serialise(DacConfig config) => JsonSerializer.Serialize(config, ConfigJson);

    /// <summary>The Audio-MAE config the weights were trained with.</summary>
    public AudioMaeConfig AudioMaeConfig()
    {
        Expect(EncoderRegistry.AudioMae, AudioMaeLayout);
        return Deserialise<AudioMaeConfig>();
    }

    /// <summary>The DAC config the weights were trained with.</summary>
    public DacConfig DacConfig()
    {
        Expect(EncoderRegistry.Dac, DacLayout);
        return Deserialise<DacConfig>();
    }

    private void Expect(string encoder, string layout)
    {
        if (Encoder != encoder) throw new InvalidOperationException($"a {Encoder} checkpoint has no {encoder} config");
        if (Layout != layout) throw new InvalidDataException($"{encoder} checkpoint with key layout '{Layout}': only '{layout}' is known");
    }

    private T Deserialise<T>()
    {
        try { return JsonSerializer.Deserialize<T>(Config, ConfigJson) ?? throw new InvalidDataException("the config is null"); }
        catch (JsonException e) { throw new InvalidDataException($"the {Encoder} config in the checkpoint's metadata does not parse: {e.Message}", e); }
    }

    /// <summary>The safetensors <c>__metadata__</c> (string values only, as the format requires).</summary>
    public IReadOnlyDictionary<string, string> ToMetadata() => new Dictionary<string, string>
    {
        ["format"] = Format,
        ["encoder"] = Encoder,
        ["size"] = Size,
        ["layout"] = Layout,
        ["config"] = Config,
        ["objective"] = Objective,
        ["steps_done"] = StepsDone.ToString(CultureInfo.InvariantCulture),
        ["total_steps"] = TotalSteps.ToString(CultureInfo.InvariantCulture),
        ["seed"] = Seed.ToString(CultureInfo.InvariantCulture),
        ["corpus"] = Corpus,
        ["starting_weights"] = StartingWeights,
    };

    /// <summary>Reads the metadata of <paramref name="path"/> (the header only); null for a file without it (a released checkpoint, a .pth).</summary>
    /// <exception cref="InvalidDataException">The file says it is one but a field is missing or malformed; the message names the file.</exception>
    public static FineTunedCheckpoint? Read(string path)
    {
        SafeTensorsHeader header;
        using (var fs = File.OpenRead(path))
        {
            Span<byte> magic = stackalloc byte[2];
            if (fs.Read(magic) < 2 || (magic[0] == (byte)'P' && magic[1] == (byte)'K')) return null; // too short, or a torch zip
            fs.Position = 0;
            try { header = SafeTensorsFile.ReadHeader(fs); }
            catch (InvalidDataException) { return null; } // not safetensors: the loader reports what it is
        }
        var m = header.Metadata;
        if (!m.TryGetValue("format", out var format) || format != Format) return null;
        string Get(string key) => m.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException($"{path}: fine-tuned encoder checkpoint without '{key}' in its metadata");
        long Long(string key) => long.TryParse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
            : throw new InvalidDataException($"{path}: metadata '{key}' is not an integer: '{Get(key)}'");
        ulong seed = ulong.TryParse(Get("seed"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s
            : throw new InvalidDataException($"{path}: metadata 'seed' is not an integer: '{Get("seed")}'");
        return new FineTunedCheckpoint(Get("encoder"), Get("size"), Get("layout"), Get("config"), Get("objective"),
            Long("steps_done"), Long("total_steps"), seed, Get("corpus"), Get("starting_weights"));
    }

    /// <summary>
    /// The file a --weights value names: the file itself, or in a folder the run's <see cref="FileName"/>; null when
    /// neither exists (the caller's own lookup then explains what is missing).
    /// </summary>
    public static string? Locate(string weights)
    {
        string full = Path.GetFullPath(weights);
        if (File.Exists(full)) return full;
        string inFolder = Path.Combine(full, FileName);
        return File.Exists(inFolder) ? inFolder : null;
    }
}
