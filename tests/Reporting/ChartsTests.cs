namespace PianoJudges.Tests.Reporting;

using System.Text.Json.Nodes;
using PianoJudges.Metrics;
using PianoJudges.Reporting;

/// <summary>What each chart puts into its plotly figure, checked on the figure JSON.</summary>
public class ChartsTests
{
    private static JsonObject Figure(ChartView chart) => JsonNode.Parse(chart.ToFigureJson())!.AsObject();
    private static JsonArray Data(ChartView chart) => Figure(chart)["data"]!.AsArray();
    private static double?[] Numbers(JsonNode? array) => array!.AsArray().Select(n => n is null ? (double?)null : n.GetValue<double>()).ToArray();

    [Fact]
    public void Training_curves_have_train_and_validation_per_epoch_and_NaN_becomes_a_gap()
    {
        var data = Data(Charts.TrainingCurves("loss", [0.9, double.NaN, 0.5], [1.0, 0.8, 0.7]));
        Assert.Equal(2, data.Count);
        Assert.Equal("train", (string)data[0]!["name"]!);
        Assert.Equal("validation", (string?)data[1]!["name"]);
        Assert.Equal([1.0, 2.0, 3.0], Numbers(data[0]!["x"]));
        Assert.Equal([0.9, null, 0.5], Numbers(data[0]!["y"]));
    }

    [Fact]
    public void Figure_fills_its_container_unless_a_width_is_given()
    {
        var chart = Charts.TrainingCurves("acc", [0.5, 0.6]);
        var layout = Figure(chart)["layout"]!.AsObject();
        Assert.False(layout.ContainsKey("width"));
        Assert.Equal(ChartView.DefaultHeight, (int)layout["height"]!);
        Assert.True((bool)Figure(chart)["config"]!["responsive"]!);
        var fixedWidth = Figure(chart.WithSize(300, 640))["layout"]!;
        Assert.Equal(640, (int)fixedWidth["width"]!);
        Assert.Equal(300, (int)fixedWidth["height"]!);
        Assert.Equal("acc per epoch", (string?)Figure(chart)["layout"]!["title"]!["text"]);
    }

    [Fact]
    public void Confusion_matrix_rows_are_truth_columns_predictions_with_counts_as_labels()
    {
        // truth 0 predicted 1 once, truth 2 predicted 0 once, everything else right.
        var cm = ConfusionMatrix.From([0, 0, 1, 2, 2], [0, 1, 1, 2, 0], 3);
        var trace = Data(Charts.ConfusionMatrix(cm, ["beg", "adv", "vir"]))[0]!;
        Assert.Equal("heatmap", (string?)trace["type"]);
        var z = trace["z"]!.AsArray().Select(r => Numbers(r)).ToArray();
        Assert.Equal([1.0, 1.0, 0.0], z[0]);
        Assert.Equal([0.0, 1.0, 0.0], z[1]);
        Assert.Equal([1.0, 0.0, 1.0], z[2]);
        Assert.Equal("1", (string?)trace["text"]![2]![0]);
        Assert.Equal(["beg", "adv", "vir"], trace["y"]!.AsArray().Select(n => (string)n!).ToArray());
        var layout = Figure(Charts.ConfusionMatrix(cm))["layout"]!;
        Assert.Equal("reversed", (string?)layout["yaxis"]!["autorange"]); // first class on top
        Assert.Equal("predicted", (string?)layout["xaxis"]!["title"]!["text"]);
    }

    [Fact]
    public void Normalised_confusion_matrix_colours_by_row_fraction()
    {
        var cm = ConfusionMatrix.From([0, 0, 0, 1], [0, 0, 1, 1], 2);
        var z = Data(Charts.ConfusionMatrix(cm, normalise: true))[0]!["z"]!.AsArray().Select(r => Numbers(r)).ToArray();
        Assert.Equal(2.0 / 3, z[0][0]!.Value, 12);
        Assert.Equal(1.0 / 3, z[0][1]!.Value, 12);
        Assert.Equal(1.0, z[1][1]);
    }

    [Fact]
    public void Wrong_class_name_count_is_refused()
    {
        var cm = ConfusionMatrix.From([0, 1], [0, 1], 2);
        var e = Assert.Throws<ArgumentException>(() => Charts.ConfusionMatrix(cm, ["only"]));
        Assert.Contains("1 class names for a 2-class confusion matrix", e.Message);
    }

    [Fact]
    public void Ours_vs_paper_draws_two_grouped_series_with_error_bars_and_gaps()
    {
        var chart = Charts.OursVsPaper("Table 3", ["MERT", "DAC"], [0.7, 0.6], [0.75, double.NaN], "accuracy", oursStd: [0.01, 0.02]);
        var data = Data(chart);
        Assert.Equal(["ours", "paper"], data.Select(d => (string)d!["name"]!).ToArray());
        Assert.Equal([0.75, null], Numbers(data[1]!["y"]));
        Assert.Equal([0.01, 0.02], Numbers(data[0]!["error_y"]!["array"]));
        Assert.Null(data[1]!["error_y"]);
        Assert.Equal("group", (string?)Figure(chart)["layout"]!["barmode"]);
    }

    [Fact]
    public void Projection_has_one_trace_per_label_with_hover_text()
    {
        var data = Data(Charts.Projection2D("pca", [0.0, 1.0, 2.0], [3.0, 4.0, 5.0], ["b", "a", "b"], hover: ["p0", "p1", "p2"]));
        Assert.Equal(["b", "a"], data.Select(d => (string)d!["name"]!).ToArray()); // first-seen order
        Assert.Equal([0.0, 2.0], Numbers(data[0]!["x"]));
        Assert.Equal(["p0", "p2"], data[0]!["text"]!.AsArray().Select(n => (string)n!).ToArray());
    }

    [Fact]
    public void Long_waveforms_keep_their_peaks_in_the_envelope()
    {
        var samples = new float[100_000];
        for (int i = 0; i < samples.Length; i++) samples[i] = 0.1f * MathF.Sin(i * 0.05f);
        samples[54_321] = 0.9f;
        samples[77_777] = -0.8f;
        var trace = Data(Charts.Waveform(samples, 16_000, maxPoints: 1000))[0]!;
        var y = Numbers(trace["y"]);
        var x = Numbers(trace["x"]);
        Assert.True(y.Length <= 1002, $"{y.Length} points");
        Assert.Equal(0.9, y.Max()!.Value, 6);
        Assert.Equal(-0.8, y.Min()!.Value, 6);
        Assert.InRange(x[^1]!.Value, (samples.Length - 200) / 16_000.0, samples.Length / 16_000.0);
    }

    [Fact]
    public void Spectrogram_is_bins_by_time_and_averages_frame_groups()
    {
        var values = new float[2, 6];
        for (int f = 0; f < 6; f++) { values[0, f] = f; values[1, f] = 10 * f; }
        var trace = Data(Charts.Spectrogram(values, framesPerSecond: 2, maxFrames: 3))[0]!;
        var z = trace["z"]!.AsArray().Select(r => Numbers(r)).ToArray();
        Assert.Equal([0.5, 2.5, 4.5], z[0]);
        Assert.Equal([5.0, 25.0, 45.0], z[1]);
        Assert.Equal([0.0, 1.0, 2.0], Numbers(trace["x"])); // frame 0, 2, 4 at 2 frames per second
        var timeMajor = new float[6, 2];
        for (int f = 0; f < 6; f++) { timeMajor[f, 0] = f; timeMajor[f, 1] = 10 * f; }
        var z2 = Data(Charts.Spectrogram(timeMajor, 2, timeMajor: true, maxFrames: 3))[0]!["z"]!.AsArray().Select(r => Numbers(r)).ToArray();
        Assert.Equal(z[1], z2[1]);
    }

    [Fact]
    public void Mel_spectrogram_output_is_read_frame_major_with_its_frame_rate_and_units()
    {
        var options = new PianoJudges.Encoders.MelSpectrogramOptions(SampleRate: 16000, NFft: 512, HopLength: 160, NMels: 4,
            Log: PianoJudges.Encoders.SpectrogramLog.Db);
        var mel = new PianoJudges.Encoders.MelSpectrogram(options);
        var tone = Enumerable.Range(0, 1600).Select(i => (float)Math.Sin(2 * Math.PI * 440 * i / 16000.0)).ToArray();
        float[] frameMajor = mel.Forward(tone);
        int frames = frameMajor.Length / 4;
        var binsByFrame = new float[4, frames];
        for (int f = 0; f < frames; f++) for (int b = 0; b < 4; b++) binsByFrame[b, f] = frameMajor[f * 4 + b];
        var chart = Charts.MelSpectrogram(frameMajor, options);
        var trace = Data(chart)[0]!;
        Assert.Equal(Data(Charts.Spectrogram(binsByFrame, 100))[0]!["z"]!.ToJsonString(), trace["z"]!.ToJsonString());
        Assert.Equal(0.01, Numbers(trace["x"])[1]!.Value, 12); // 16000 / 160 = 100 frames per second
        Assert.Equal("dB", (string?)trace["colorbar"]!["title"]!["text"]);
        Assert.Throws<ArgumentException>(() => Charts.MelSpectrogram(new float[7], options));
    }

    [Fact]
    public void Spectrogram_from_a_tensor_matches_the_array()
    {
        PianoJudges.Native.TorchRuntime.EnsureInitialised();
        var values = new float[3, 4];
        for (int b = 0; b < 3; b++) for (int f = 0; f < 4; f++) values[b, f] = b * 100 + f;
        using var tensor = TorchSharp.torch.tensor(values.Cast<float>().ToArray(), [1, 3, 4]);
        Assert.Equal(Data(Charts.Spectrogram(values, 10))[0]!["z"]!.ToJsonString(), Data(Charts.Spectrogram(tensor, 10))[0]!["z"]!.ToJsonString());
    }

    [Fact]
    public void Competition_figure_puts_candidates_on_the_hit_rate_curve_with_the_cut_off()
    {
        // Wins 5, 3, 3, 1; the first two passed. Thresholds: t=1: 2 of 4 passed; t=3: 2 of 3; t=5: 1 of 1.
        // Half the field is 2 candidates: the 2nd best has 3 wins, so the cut-off is t = 3.
        CompetitionCandidate[] candidates =
        [
            new("Ann", 5, 4, 10), new("Bob", 3, 1, 10), new("Cid", 3, 0, 10), new("Dee", 1, 0, 10),
        ];
        var chart = Charts.CompetitionHitRate(candidates);
        var data = Data(chart);
        var curve = data[0]!;
        Assert.Equal([1.0, 3.0, 5.0], Numbers(curve["x"]));
        Assert.Equal(0.5, Numbers(curve["y"])[0]!.Value, 12);
        Assert.Equal(2.0 / 3, Numbers(curve["y"])[1]!.Value, 12);
        Assert.Equal(1.0, Numbers(curve["y"])[2]!.Value, 12);

        var byRound = data.Skip(1).ToDictionary(d => (string)d!["name"]!, d => d!);
        Assert.Equal(["preliminary", "stage I", "final"], byRound.Keys.ToArray());
        var prelim = byRound["preliminary"];
        Assert.Equal(["Cid", "Dee"], prelim["text"]!.AsArray().Select(n => (string)n!).ToArray());
        Assert.Equal(2.0 / 3, Numbers(prelim["y"])[0]!.Value, 12); // Cid sits on the curve at t = 3
        Assert.Equal(0.5, Numbers(prelim["y"])[1]!.Value, 12);
        // Bob and Cid share 3 wins: spread sideways, within 0.3, keeping their order by round.
        double bobX = Numbers(byRound["stage I"]["x"])[0]!.Value, cidX = Numbers(prelim["x"])[0]!.Value;
        Assert.NotEqual(bobX, cidX);
        Assert.InRange(Math.Abs(bobX - 3), 0.0, 0.3 + 1e-9);
        Assert.InRange(Math.Abs(cidX - 3), 0.0, 0.3 + 1e-9);
        Assert.Contains("3 / 10", byRound["stage I"]["customdata"]![0]![0]!.GetValue<string>());

        var layout = Figure(chart)["layout"]!;
        Assert.Equal(3, (int)layout["shapes"]![0]!["x0"]!);
        Assert.Contains("2 of 3 passed", (string?)layout["annotations"]![0]!["text"]);
    }

    [Fact]
    public void Competition_rounds_outside_the_names_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Charts.CompetitionHitRate([new("X", 1, 7)]));
        Assert.Contains("'X' passed 7 rounds", e.Message);
    }

    [Fact]
    public void Notebook_output_inlines_plotly_and_hides_an_AMD_loader_while_it_loads()
    {
        string html = Charts.PerLabelAp(["Scales", "Octave"], [0.8, 0.4], "mel").ToNotebookHtml();
        int hide = html.IndexOf("window.define = undefined", StringComparison.Ordinal);
        int bundle = html.IndexOf("plotly.js v" + PlotlyJs.Version, StringComparison.Ordinal);
        int restore = html.IndexOf("window.define = window.__pianojudgesDefine", StringComparison.Ordinal);
        Assert.True(hide >= 0 && hide < bundle && bundle < restore, $"hide {hide}, bundle {bundle}, restore {restore}");
        Assert.DoesNotMatch(new System.Text.RegularExpressions.Regex("<script[^>]+src="), html);
    }

    [Fact]
    public void Notebook_formatter_follows_the_dotnet_interactive_convention()
    {
        // .NET Interactive finds formatters by the attribute's type name and these members (see NotebookFormatting.cs).
        var attr = typeof(ChartView).GetCustomAttributes(true).Single(a => a.GetType().Name == "TypeFormatterSourceAttribute");
        var sourceType = (Type)attr.GetType().GetProperty("FormatterSourceType")!.GetValue(attr)!;
        var source = Activator.CreateInstance(sourceType)!;
        var formatters = ((System.Collections.IEnumerable)sourceType.GetMethod("CreateTypeFormatters")!.Invoke(source, null)!).Cast<object>().ToArray();
        var formatter = Assert.Single(formatters);
        Assert.Equal("text/html", formatter.GetType().GetProperty("MimeType")!.GetValue(formatter));
        var writer = new StringWriter();
        var table = new Table(["a"], [["cell"]]);
        bool done = (bool)formatter.GetType().GetMethod("Format")!.Invoke(formatter, [table, writer])!;
        Assert.True(done);
        Assert.Equal(table.ToHtml(), writer.ToString());
        Assert.False((bool)formatter.GetType().GetMethod("Format")!.Invoke(formatter, ["not ours", new StringWriter()])!);
    }
}
