namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using System.Globalization;
using PianoJudges.Native;
using Spectre.Console;

/// <summary>`pianojudges bench scalar-race`: checks that TorchSharp's scalar race cannot kill a run (lib/Native/README.md).</summary>
public sealed class ScalarRaceBenchmark : IBenchmark
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);

    public string Name => "scalar-race";

    public string Description => $"Runs scalar tensor operations for {Duration.TotalSeconds:0} s while another thread forces garbage collections: " +
                                 "exits 0 when the process survives (the scalar shim works), dies in libtorch when it does not.";

    public int Run(ParseResult parse, CancellationToken cancellationToken)
    {
        var r = ScalarRaceCheck.Run(Duration, cancellationToken);
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"scalar-race: survived {r.Operations:N0} scalar operations and {r.Collections:N0} garbage collections in {r.Seconds:F1} s; shim: {r.Shim ?? "none"}")));
        return 0;
    }
}
