namespace PianoJudges.Cli;

using System.CommandLine;
using PianoJudges.Data;

/// <summary>One sub-command of the pianojudges CLI. Implementations are found by reflection.</summary>
public interface ICliCommand
{
    Command Build();
}

/// <summary>Options every command understands.</summary>
public static class GlobalOptions
{
    public static readonly Option<string?> DataDir = new("--data-dir")
    {
        Description = $"Data folder for samples, datasets, caches and runs (default: ${DataPaths.EnvironmentVariable} or ~/.cache/pianojudges).",
        Recursive = true,
    };

    public static DataPaths Paths(ParseResult parse) => DataPaths.Resolve(parse.GetValue(DataDir));
}
