namespace PianoJudges.Cli.Commands;

using System.CommandLine;
using PianoJudges.Native;
using Spectre.Console;

/// <summary>`pianojudges info`: where the data folder is and whether torch loads.</summary>
public sealed class InfoCommand : ICliCommand
{
    public Command Build()
    {
        var cmd = new Command("info", "Show the data folder and check that TorchSharp (libtorch) initialises.");
        cmd.SetAction(parse =>
        {
            var paths = GlobalOptions.Paths(parse);
            var table = new Table().AddColumn("what").AddColumn("value");
            table.AddRow("data folder", Markup.Escape(paths.Root));
            table.AddRow("libtorch", Markup.Escape(TorchRuntime.EnsureInitialised()));
            table.AddRow("torch threads", TorchSharp.torch.get_num_threads().ToString());
            table.AddRow("scalar shim", Markup.Escape(TorchRuntime.ScalarShim ?? "none: TorchSharp's scalar race is not mitigated (lib/Native/README.md)"));
            AnsiConsole.Write(table);
            return 0;
        });
        return cmd;
    }
}
