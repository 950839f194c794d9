namespace PianoJudges.Cli.Commands;

using System.CommandLine;

/// <summary>A speed benchmark run by `pianojudges bench NAME`: speed targets live here, never in timed tests.</summary>
public interface IBenchmark
{
    string Name { get; }
    string Description { get; }
    /// <summary>Runs the benchmark and prints its figures; returns the process exit code.</summary>
    int Run(ParseResult parse, CancellationToken cancellationToken);
}

/// <summary>`pianojudges bench NAME`: every IBenchmark in the CLI assembly is one sub-command.</summary>
public sealed class BenchCommand : ICliCommand
{
    public Command Build()
    {
        var cmd = new Command("bench", "Speed benchmarks (realtime factors, throughput, peak memory).");
        foreach (var type in typeof(IBenchmark).Assembly.GetTypes()
                     .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
                     .OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            var bench = (IBenchmark)Activator.CreateInstance(type)!;
            var sub = new Command(bench.Name, bench.Description);
            sub.SetAction((parse, ct) => Task.FromResult(bench.Run(parse, ct)));
            cmd.Subcommands.Add(sub);
        }
        return cmd;
    }
}
