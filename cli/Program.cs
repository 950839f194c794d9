using System.CommandLine;
using PianoJudges.Cli;

var root = new RootCommand("pianojudges: benchmark audio encoders on solo-piano performance understanding (Zhang, Liang & Dixon, ISMIR 2024).");
root.Options.Add(GlobalOptions.DataDir);
// Every ICliCommand in this assembly is one sub-command: a new command is a new file, nothing to register.
foreach (var type in typeof(ICliCommand).Assembly.GetTypes()
             .Where(t => typeof(ICliCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
             .OrderBy(t => t.Name, StringComparer.Ordinal))
    root.Subcommands.Add(((ICliCommand)Activator.CreateInstance(type)!).Build());
return await root.Parse(args).InvokeAsync();
