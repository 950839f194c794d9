namespace PianoJudges.Reporting;

using System.Globalization;
using PianoJudges.Audio;
using PianoJudges.Competition;
using PianoJudges.Metrics;

/// <summary>One line of a line chart: points (X[i], Y[i]); NaN in Y leaves a gap.</summary>
public sealed record LineSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>One series of a grouped bar chart: one value per category, optional error half-widths (e.g. a std over seeds).</summary>
public sealed record BarSeries(string Name, IReadOnlyList<double> Values, IReadOnlyList<double>? Errors = null);

/// <summary>A competition candidate for the paper's Figure 2.</summary>
/// <param name="Name">Shown on hover.</param>
/// <param name="Wins">Predicted wins over all pairs (see <see cref="WinCounts.Count"/>).</param>
/// <param name="RoundsPassed">Rounds passed in the real competition: 0 = out in the preliminary round.</param>
/// <param name="Games">Pairs the candidate appeared in (<see cref="WinCounts.Appearances"/>), shown as the record "wins / games".</param>
public sealed record CompetitionCandidate(string Name, int Wins, int RoundsPassed, int? Games = null);

/// <summary>
/// Every chart of the project, written once and used by the notebooks, the CLI's reports and the tests.
/// Inputs are plain arrays and records (plus lib/Metrics and lib/Competition results); each returns a
/// <see cref="ChartView"/>, which a notebook displays and an <see cref="HtmlReport"/> embeds.
/// </summary>
public static class Charts
{
    /// <summary>ICPC 2015 rounds by rounds passed (0 = the preliminary round was the furthest).</summary>
    public static readonly IReadOnlyList<string> Icpc2015Rounds = ["preliminary", "stage I", "stage II", "stage III", "final"];

    /// <summary>A metric per epoch: training and (optionally) validation, epochs numbered from <paramref name="firstEpoch"/>.</summary>
    public static ChartView TrainingCurves(string metric, IReadOnlyList<double> train, IReadOnlyList<double>? validation = null,
        string? title = null, int firstEpoch = 1)
    {
        ArgumentNullException.ThrowIfNull(train);
        var series = new List<LineSeries> { new("train", Epochs(train.Count, firstEpoch), train) };
        if (validation is not null) series.Add(new("validation", Epochs(validation.Count, firstEpoch), validation));
        return Lines(title ?? $"{metric} per epoch", "epoch", metric, series, integerX: true);

        static double[] Epochs(int n, int first) => Enumerable.Range(first, n).Select(e => (double)e).ToArray();
    }

    /// <summary>Lines with markers, one per series, in the palette's order.</summary>
    public static ChartView Lines(string title, string xTitle, string yTitle, IEnumerable<LineSeries> series, bool markers = true, bool integerX = false)
    {
        var fig = new FigureBuilder();
        int k = 0;
        foreach (var s in series)
        {
            Require(s.X.Count == s.Y.Count, $"series '{s.Name}' has {s.X.Count} x values but {s.Y.Count} y values");
            Require(s.X.Count > 0, $"series '{s.Name}' is empty");
            fig.Trace("scatter", new
            {
                name = s.Name,
                x = FigureBuilder.Numbers(s.X),
                y = FigureBuilder.Numbers(s.Y),
                mode = markers ? "lines+markers" : "lines",
                line = new { color = FigureBuilder.Palette[k++ % FigureBuilder.Palette.Length] },
            });
        }
        fig.Layout(new
        {
            xaxis = integerX ? new { title = new { text = xTitle }, tickformat = "d" } : FigureBuilder.Axis(xTitle),
            yaxis = FigureBuilder.Axis(yTitle),
            hovermode = "x unified",
        });
        return fig.Build(title);
    }

    /// <summary>
    /// Confusion matrix heatmap, rows = true class (top to bottom), columns = predicted class, each cell labelled with
    /// its count. With <paramref name="normalise"/> the colour is the row fraction (recall per true class) and the
    /// label adds the percentage.
    /// </summary>
    public static ChartView ConfusionMatrix(ConfusionMatrix matrix, IReadOnlyList<string>? classNames = null,
        string title = "Confusion matrix", bool normalise = false)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int n = matrix.NumClasses;
        var names = classNames ?? Enumerable.Range(0, n).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        Require(names.Count == n, $"{names.Count} class names for a {n}-class confusion matrix");
        var rows = matrix.ToRows();
        var z = new double[n][];
        var text = new string[n][];
        for (int t = 0; t < n; t++)
        {
            int support = rows[t].Sum();
            z[t] = rows[t].Select(c => normalise ? (support == 0 ? 0.0 : (double)c / support) : c).ToArray();
            text[t] = rows[t].Select(c => normalise && support > 0
                ? $"{c}<br>({((double)c / support).ToString("P0", CultureInfo.InvariantCulture)})"
                : c.ToString(CultureInfo.InvariantCulture)).ToArray();
        }
        var fig = new FigureBuilder().Trace("heatmap", new
        {
            z,
            x = names,
            y = names,
            text,
            texttemplate = "%{text}",
            hovertemplate = "true %{y}<br>predicted %{x}<br>%{text}<extra></extra>",
            colorscale = "Blues",
            reversescale = true,
            colorbar = new { title = new { text = normalise ? "row fraction" : "count" } },
            zmin = 0,
        });
        fig.Layout(new
        {
            xaxis = new { title = new { text = "predicted" }, type = "category", side = "bottom" },
            yaxis = new { title = new { text = "true" }, type = "category", autorange = "reversed" },
        });
        int size = Math.Clamp(200 + 70 * n, 420, 850);
        return fig.Build(title, size).WithSize(size, size + 120);
    }

    /// <summary>Bars grouped by category, one colour per series; error bars where a series has them. NaN values are left out.</summary>
    public static ChartView GroupedBars(string title, IReadOnlyList<string> categories, IEnumerable<BarSeries> series, string yTitle,
        double? yMax = null, string xTitle = "", string valueFormat = "0.000")
    {
        ArgumentNullException.ThrowIfNull(categories);
        Require(categories.Count > 0, "no categories to draw bars for");
        var fig = new FigureBuilder();
        int k = 0;
        foreach (var s in series)
        {
            Require(s.Values.Count == categories.Count, $"series '{s.Name}' has {s.Values.Count} values for {categories.Count} categories");
            Require(s.Errors is null || s.Errors.Count == categories.Count, $"series '{s.Name}' has {s.Errors?.Count} errors for {categories.Count} categories");
            fig.Trace("bar", new
            {
                name = s.Name,
                x = categories,
                y = FigureBuilder.Numbers(s.Values),
                text = s.Values.Select(v => double.IsFinite(v) ? v.ToString(valueFormat, CultureInfo.InvariantCulture) : "").ToArray(),
                textposition = "outside",
                cliponaxis = false,
                marker = new { color = FigureBuilder.Palette[k++ % FigureBuilder.Palette.Length] },
                error_y = s.Errors is null ? null : new { type = "data", array = FigureBuilder.Numbers(s.Errors), visible = true },
            });
        }
        Require(k > 0, "no series to draw");
        fig.Layout(new
        {
            barmode = "group",
            xaxis = new { title = new { text = xTitle }, type = "category" },
            yaxis = yMax is double max ? FigureBuilder.Axis(yTitle, new[] { 0, max * 1.08 }) : FigureBuilder.Axis(yTitle),
        });
        return fig.Build(title);
    }

    /// <summary>The paper's Figure 3 style: average precision per label (e.g. per technique), one bar colour per model, on [0, 1].</summary>
    public static ChartView PerLabelAp(IReadOnlyList<string> labels, IEnumerable<BarSeries> models,
        string title = "Average precision per label", string metric = "AP") =>
        GroupedBars(title, labels, models, metric, yMax: 1.0);

    /// <summary>One model's per-label AP, e.g. <see cref="LabelAveragedResult.PerLabel"/> of a mAP result.</summary>
    public static ChartView PerLabelAp(IReadOnlyList<string> labels, IReadOnlyList<double> ap, string model,
        string title = "Average precision per label") =>
        PerLabelAp(labels, [new BarSeries(model, ap)], title);

    /// <summary>
    /// Our numbers beside the paper's (e.g. Table 3, one row per encoder): two bars per row, ours with its spread over
    /// seeds where given. A NaN in <paramref name="paper"/> (a cell the paper does not report) draws no bar.
    /// </summary>
    public static ChartView OursVsPaper(string title, IReadOnlyList<string> rows, IReadOnlyList<double> ours, IReadOnlyList<double> paper,
        string metric, IReadOnlyList<double>? oursStd = null, IReadOnlyList<double>? paperStd = null, double? yMax = null) =>
        GroupedBars(title, rows, [new BarSeries("ours", ours, oursStd), new BarSeries("paper", paper, paperStd)], metric, yMax);

    /// <summary>
    /// A 2-D projection (PCA, t-SNE, ...) of embeddings: one point per item, coloured by its label (one legend entry per
    /// label, in <paramref name="labelOrder"/> or first-seen order), with <paramref name="hover"/> text per point.
    /// </summary>
    public static ChartView Projection2D(string title, IReadOnlyList<double> x, IReadOnlyList<double> y, IReadOnlyList<string> labels,
        IReadOnlyList<string>? hover = null, string xTitle = "dimension 1", string yTitle = "dimension 2", IReadOnlyList<string>? labelOrder = null)
    {
        Require(x.Count == y.Count && x.Count == labels.Count, $"{x.Count} x, {y.Count} y and {labels.Count} labels: one of each per point");
        Require(hover is null || hover.Count == x.Count, $"{hover?.Count} hover texts for {x.Count} points");
        Require(x.Count > 0, "no points to draw");
        var order = (labelOrder ?? labels.Distinct().ToArray()).ToList();
        var missing = labels.Distinct().Except(order).ToArray();
        Require(missing.Length == 0, $"labels missing from labelOrder: {string.Join(", ", missing)}");
        var fig = new FigureBuilder();
        for (int k = 0; k < order.Count; k++)
        {
            var idx = Enumerable.Range(0, x.Count).Where(i => labels[i] == order[k]).ToArray();
            if (idx.Length == 0) continue;
            fig.Trace("scatter", new
            {
                name = order[k],
                x = FigureBuilder.Numbers(idx.Select(i => x[i])),
                y = FigureBuilder.Numbers(idx.Select(i => y[i])),
                mode = "markers",
                marker = new { size = 7, opacity = 0.8, color = FigureBuilder.Palette[k % FigureBuilder.Palette.Length] },
                text = idx.Select(i => hover is null ? order[k] : hover[i]).ToArray(),
                hovertemplate = "%{text}<br>(%{x:.3g}, %{y:.3g})<extra>%{fullData.name}</extra>",
            });
        }
        fig.Layout(new { xaxis = FigureBuilder.Axis(xTitle), yaxis = FigureBuilder.Axis(yTitle), legend = new { title = new { text = "label" } } });
        return fig.Build(title, 550);
    }

    /// <summary>
    /// A waveform against time. Longer signals are drawn as their min/max envelope over at most <paramref name="maxPoints"/>
    /// points, so the peaks stay visible and the output stays small.
    /// </summary>
    public static ChartView Waveform(IReadOnlyList<float> samples, int sampleRate, string title = "Waveform", int maxPoints = 4000)
    {
        ArgumentNullException.ThrowIfNull(samples);
        Require(sampleRate > 0, $"sample rate {sampleRate} Hz: must be positive");
        Require(samples.Count > 0, "no samples to draw");
        Require(maxPoints >= 2, $"maxPoints {maxPoints}: at least 2");
        var xs = new List<double>();
        var ys = new List<double>();
        if (samples.Count <= maxPoints)
        {
            for (int i = 0; i < samples.Count; i++) { xs.Add((double)i / sampleRate); ys.Add(samples[i]); }
        }
        else
        {
            int bucket = (int)Math.Ceiling(samples.Count / (maxPoints / 2.0));
            for (int start = 0; start < samples.Count; start += bucket)
            {
                int end = Math.Min(samples.Count, start + bucket);
                float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
                for (int i = start; i < end; i++) { lo = Math.Min(lo, samples[i]); hi = Math.Max(hi, samples[i]); }
                double t = (double)start / sampleRate;
                xs.Add(t); ys.Add(hi);
                xs.Add(t); ys.Add(lo);
            }
        }
        var fig = new FigureBuilder().Trace("scatter", new
        {
            name = "amplitude",
            x = xs,
            y = FigureBuilder.Numbers(ys),
            mode = "lines",
            line = new { width = 1, color = FigureBuilder.Palette[0] },
            hovertemplate = "%{x:.3f} s: %{y:.3f}<extra></extra>",
        });
        fig.Layout(new { xaxis = FigureBuilder.Axis("time (s)"), yaxis = FigureBuilder.Axis("amplitude", zeroline: true), showlegend = false });
        return fig.Build(title, 350);
    }

    /// <summary>The waveform of a clip (mixed to mono).</summary>
    public static ChartView Waveform(AudioClip clip, string? title = null, int maxPoints = 4000) =>
        Waveform(clip.ToMono(), clip.SampleRate, title ?? $"Waveform: {Path.GetFileName(clip.Source)}", maxPoints);

    /// <summary>
    /// A spectrogram heatmap (e.g. a log-mel spectrogram) against time. <paramref name="values"/> is (bins, frames), the
    /// torchaudio/librosa layout, or (frames, bins) with <paramref name="timeMajor"/>. More than <paramref name="maxFrames"/>
    /// frames are averaged in groups. <paramref name="framesPerSecond"/> = sample rate / hop length.
    /// </summary>
    public static ChartView Spectrogram(float[,] values, double framesPerSecond, string title = "Mel spectrogram",
        string binTitle = "mel bin", string valueTitle = "dB", bool timeMajor = false, int maxFrames = 1500)
    {
        ArgumentNullException.ThrowIfNull(values);
        int bins = timeMajor ? values.GetLength(1) : values.GetLength(0);
        int frames = timeMajor ? values.GetLength(0) : values.GetLength(1);
        return Spectrogram(bins, frames, timeMajor ? (b, f) => values[f, b] : (b, f) => values[b, f], framesPerSecond, title, binTitle, valueTitle, maxFrames);
    }

    /// <summary>
    /// The output of <see cref="Encoders.MelSpectrogram.Forward(ReadOnlySpan{float})"/>: frame-major (frames, n_mels) floats,
    /// drawn against time with the frame rate and units its <paramref name="options"/> give.
    /// </summary>
    public static ChartView MelSpectrogram(float[] frameMajor, Encoders.MelSpectrogramOptions options, string? title = null, int maxFrames = 1500)
    {
        ArgumentNullException.ThrowIfNull(frameMajor);
        ArgumentNullException.ThrowIfNull(options);
        int bins = options.NMels;
        Require(frameMajor.Length % bins == 0, $"{frameMajor.Length} values are not whole frames of n_mels = {bins}");
        string units = options.Log switch
        {
            Encoders.SpectrogramLog.Db => "dB",
            Encoders.SpectrogramLog.Log => "ln energy",
            _ => options.Power == 2 ? "power" : "magnitude",
        };
        return Spectrogram(bins, frameMajor.Length / bins, (b, f) => frameMajor[(long)f * bins + b], options.FrameRate,
            title ?? $"Mel spectrogram (n_mels = {bins}, n_fft = {options.NFft}, hop_length = {options.HopLength})", "mel bin", units, maxFrames);
    }

    private static ChartView Spectrogram(int bins, int frames, Func<int, int, float> value, double framesPerSecond,
        string title, string binTitle, string valueTitle, int maxFrames)
    {
        Require(framesPerSecond > 0, $"framesPerSecond {framesPerSecond}: must be positive");
        Require(bins > 0 && frames > 0, $"an empty spectrogram ({bins} bins x {frames} frames)");
        int group = (int)Math.Ceiling((double)frames / Math.Max(1, maxFrames));
        int columns = (frames + group - 1) / group;
        var z = new double?[bins][];
        for (int b = 0; b < bins; b++)
        {
            z[b] = new double?[columns];
            for (int c = 0; c < columns; c++)
            {
                double sum = 0; int count = 0;
                for (int f = c * group; f < Math.Min(frames, (c + 1) * group); f++)
                {
                    double v = value(b, f);
                    if (double.IsFinite(v)) { sum += v; count++; }
                }
                z[b][c] = count == 0 ? null : sum / count;
            }
        }
        var fig = new FigureBuilder().Trace("heatmap", new
        {
            z,
            x = Enumerable.Range(0, columns).Select(c => c * group / framesPerSecond).ToArray(),
            y = Enumerable.Range(0, bins).ToArray(),
            colorscale = "Viridis",
            colorbar = new { title = new { text = valueTitle } },
            hovertemplate = "%{x:.2f} s, bin %{y}: %{z:.2f}<extra></extra>",
        });
        fig.Layout(new { xaxis = FigureBuilder.Axis("time (s)"), yaxis = FigureBuilder.Axis(binTitle) });
        return fig.Build(title, 450);
    }

    /// <summary>A spectrogram from a tensor of shape (bins, frames) or (1, bins, frames); see the array overload.</summary>
    public static ChartView Spectrogram(TorchSharp.torch.Tensor values, double framesPerSecond, string title = "Mel spectrogram",
        string binTitle = "mel bin", string valueTitle = "dB", int maxFrames = 1500)
    {
        ArgumentNullException.ThrowIfNull(values);
        var shape = values.shape;
        if (shape.Length == 3 && shape[0] == 1) shape = shape[1..];
        Require(shape.Length == 2, $"a spectrogram tensor must be (bins, frames) or (1, bins, frames); got ({string.Join(", ", values.shape)})");
        using var flat = values.detach().cpu().to_type(TorchSharp.torch.ScalarType.Float32).contiguous();
        var data = flat.data<float>().ToArray();
        var matrix = new float[shape[0], shape[1]];
        Buffer.BlockCopy(data, 0, matrix, 0, data.Length * sizeof(float));
        return Spectrogram(matrix, framesPerSecond, title, binTitle, valueTitle, timeMajor: false, maxFrames);
    }

    /// <summary>
    /// The paper's Figure 2: for each win-count threshold t, the hit rate (the fraction of candidates with at least t wins
    /// who passed the preliminary round; <see cref="WinCounts.HitRate"/>), the dashed cut-off that keeps half the field,
    /// and each candidate as a point on the curve at its own win count, coloured by the furthest round reached, with its
    /// name and record on hover. Candidates with equal wins are spread a little sideways so that each stays visible.
    /// </summary>
    public static ChartView CompetitionHitRate(IReadOnlyList<CompetitionCandidate> candidates,
        string title = "Hit rate against win-count threshold", IReadOnlyList<string>? roundNames = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        Require(candidates.Count > 0, "no candidates");
        var rounds = roundNames ?? Icpc2015Rounds;
        foreach (var c in candidates)
            Require(c.RoundsPassed >= 0 && c.RoundsPassed < rounds.Count,
                $"candidate '{c.Name}' passed {c.RoundsPassed} rounds; expected 0 to {rounds.Count - 1} ({string.Join(", ", rounds)})");
        var curve = WinCounts.HitRate(candidates.Select(c => c.Wins).ToArray(), candidates.Select(c => c.RoundsPassed >= 1).ToArray());
        var rateAt = curve.Points.ToDictionary(p => p.Threshold);

        var fig = new FigureBuilder().Trace("scatter", new
        {
            name = "hit rate",
            x = curve.Points.Select(p => p.Threshold).ToArray(),
            y = curve.Points.Select(p => p.HitRate).ToArray(),
            customdata = curve.Points.Select(p => new[] { p.Passed, p.AtOrAbove }).ToArray(),
            mode = "lines",
            line = new { color = "#888", width = 2 },
            hovertemplate = "wins ≥ %{x}: %{customdata[0]} of %{customdata[1]} passed (%{y:.0%})<extra></extra>",
        });

        // Sideways spread of at most 0.3 and under a third of the smallest gap between win counts: no point crosses into a neighbour.
        var distinct = curve.Points.Select(p => p.Threshold).ToArray();
        double gap = distinct.Length < 2 ? 1 : distinct.Zip(distinct.Skip(1), (a, b) => b - a).Min();
        var offset = new double[candidates.Count];
        foreach (var same in Enumerable.Range(0, candidates.Count).GroupBy(i => candidates[i].Wins))
        {
            var members = same.OrderBy(i => candidates[i].RoundsPassed).ThenBy(i => candidates[i].Name, StringComparer.Ordinal).ToArray();
            for (int j = 0; j < members.Length; j++)
                offset[members[j]] = members.Length == 1 ? 0 : 0.3 * Math.Min(gap, 1) * (2.0 * j / (members.Length - 1) - 1);
        }
        for (int r = 0; r < rounds.Count; r++)
        {
            var idx = Enumerable.Range(0, candidates.Count).Where(i => candidates[i].RoundsPassed == r).ToArray();
            if (idx.Length == 0) continue;
            fig.Trace("scatter", new
            {
                name = rounds[r],
                x = idx.Select(i => candidates[i].Wins + offset[i]).ToArray(),
                y = idx.Select(i => rateAt[candidates[i].Wins].HitRate).ToArray(),
                mode = "markers",
                marker = new { size = 9, color = RoundColours[Math.Min(r, RoundColours.Length - 1)], line = new { width = 1, color = "#333" } },
                text = idx.Select(i => candidates[i].Name).ToArray(),
                customdata = idx.Select(i => new[] { Record(candidates[i]), rounds[r] }).ToArray(),
                hovertemplate = "<b>%{text}</b><br>record %{customdata[0]}<br>furthest round: %{customdata[1]}<extra></extra>",
            });
        }
        var cut = curve.AtCutoff;
        fig.Layout(new
        {
            xaxis = FigureBuilder.Axis("win-count threshold t"),
            yaxis = FigureBuilder.Axis("hit rate (passed the preliminary round)", new[] { 0, 1.05 }),
            legend = new { title = new { text = "furthest round" } },
            shapes = new[] { new { type = "line", xref = "x", yref = "paper", x0 = cut.Threshold, x1 = cut.Threshold, y0 = 0, y1 = 1, line = new { dash = "dash", color = "#d62728", width = 2 } } },
            annotations = new[]
            {
                new
                {
                    x = cut.Threshold, y = 1.0, xref = "x", yref = "paper", xanchor = "left", yanchor = "bottom", showarrow = false,
                    text = $" cut-off t = {cut.Threshold}: {cut.Passed} of {cut.AtOrAbove} passed ({cut.HitRate.ToString("P0", CultureInfo.InvariantCulture)})",
                    font = new { color = "#d62728" },
                },
            },
        });
        return fig.Build(title, 500);

        static string Record(CompetitionCandidate c) =>
            c.Games is int g ? $"{c.Wins} / {g} ({(g == 0 ? 0 : (double)c.Wins / g).ToString("P0", CultureInfo.InvariantCulture)})" : $"{c.Wins} wins";
    }

    // Light to dark: later rounds stand out.
    private static readonly string[] RoundColours = ["#d9d9d9", "#9ecae1", "#4292c6", "#08519c", "#f16913"];

    private static void Require(bool condition, string problem)
    {
        if (!condition) throw new ArgumentException(problem);
    }
}
