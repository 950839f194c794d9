namespace PianoJudges.Reporting;

using System.Globalization;
using PianoJudges.FineTuning;
using PianoJudges.Probing;

/// <summary>
/// Progress for notebooks: plain lines on the cell's output (Console.Out at the time of each report, which the kernel
/// redirects per cell), few enough to read. Reports arrive on the calling thread, as the CLI's progress bars do.
/// </summary>
public static class NotebookProgress
{
    /// <summary>"title: done/total (item)" at every <paramref name="steps"/>-th of the way and at the end.</summary>
    public static IProgress<(int Done, int Total, string Item)> Items(string title, int steps = 4) => new ItemLines(title, Math.Max(1, steps));

    /// <summary>One line per epoch of a Table 3 run: task, seed, epoch, losses, validation accuracy, and '*' where validation loss improved.</summary>
    public static IProgress<Table3Progress> Training() => new Relay<Table3Progress>(p =>
    {
        if (p.Epoch is { } e) Console.Out.WriteLine($"{p.Encoder}/{p.Task} seed {p.Seed} · {EpochLine(e)}");
        else if (p.Task.Length > 0) Console.Out.WriteLine($"{p.Encoder}/{p.Task} seed {p.Seed}: experiment {p.Done + 1} of {p.Total}");
    });

    /// <summary>One line per epoch of a single experiment.</summary>
    public static IProgress<EpochReport> Epochs(string title) => new Relay<EpochReport>(e => Console.Out.WriteLine($"{title} · {EpochLine(e)}"));

    /// <summary>
    /// One line per optimiser step of a fine-tuning run ("step 3/6: loss 1.381 (0.10 steps/s)"); each step's loss is
    /// also added to <paramref name="losses"/> when given, for a loss curve afterwards.
    /// </summary>
    public static IProgress<FineTuneProgress> FineTuning(List<double>? losses = null) => new Relay<FineTuneProgress>(p =>
    {
        double loss = p.Values.TryGetValue("loss", out var l) ? l : double.NaN;
        losses?.Add(loss);
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {p.StepsDone}/{p.TotalSteps}: loss {loss:G4} ({p.StepsPerSecond:F2} steps/s)"));
    });

    /// <summary>e.g. "epoch 3: train loss 0.693, validation loss 0.690, accuracy 0.50 * (1.2 s)".</summary>
    public static string EpochLine(EpochReport e) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {e.Epoch}: train loss {e.TrainLoss:F3}, validation loss {e.ValidationLoss:F3}, accuracy {e.ValidationAccuracy:F2}{(e.Improved ? " *" : "")} ({e.Seconds:F1} s)");

    private sealed class Relay<T>(Action<T> action) : IProgress<T>
    {
        private readonly Lock _gate = new();
        public void Report(T value) { lock (_gate) action(value); }
    }

    private sealed class ItemLines(string title, int steps) : IProgress<(int Done, int Total, string Item)>
    {
        private readonly Lock _gate = new();
        private int _printedStep = -1;

        public void Report((int Done, int Total, string Item) value)
        {
            lock (_gate)
            {
                int total = Math.Max(1, value.Total);
                int step = value.Done >= total ? steps : value.Done * steps / total;
                if (step <= _printedStep) return;
                _printedStep = step;
                string item = string.IsNullOrEmpty(value.Item) ? "" : $" ({value.Item})";
                Console.Out.WriteLine($"{title}: {value.Done}/{value.Total}{item}");
            }
        }
    }
}
