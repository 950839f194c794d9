namespace PianoJudges.Cli;

using Spectre.Console;

/// <summary>Spectre.Console progress bars fed by the library's IProgress&lt;(done, total, item)&gt; callbacks.</summary>
public static class CliProgress
{
    /// <summary>Runs <paramref name="work"/> with one progress bar titled <paramref name="title"/>.</summary>
    public static T Run<T>(string title, Func<IProgress<(int Done, int Total, string Item)>, T> work)
    {
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                     new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title));
                var progress = new SyncProgress(p =>
                {
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Done;
                    task.Description = Markup.Escape(string.IsNullOrEmpty(p.Item) ? title : $"{title}: {p.Item}");
                });
                result = work(progress);
                task.Value = task.MaxValue;
                task.Description = Markup.Escape(title);
            });
        return result;
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and arrive late), one report at a time.</summary>
    private sealed class SyncProgress(Action<(int Done, int Total, string Item)> report) : IProgress<(int Done, int Total, string Item)>
    {
        private readonly Lock _gate = new();
        public void Report((int Done, int Total, string Item) value) { lock (_gate) report(value); }
    }
}
