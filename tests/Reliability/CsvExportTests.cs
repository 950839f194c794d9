namespace PianoJudges.Tests.Reliability;

using System.Globalization;
using CsvHelper;
using PianoJudges.Metrics;
using PianoJudges.Probing;
using PianoJudges.Tests.Support;

/// <summary>Exported result tables cannot carry a spreadsheet formula or break a row, whatever text ends up in them.</summary>
public class CsvExportTests
{
    [Fact]
    public void MetricsCsvNeutralisesFormulasAndQuotesSeparators()
    {
        using var dir = new TempDir();
        const string evil = "=HYPERLINK(\"http://x\",\"click\")";
        var result = new ProbeExperimentResult(ProbeTaskNames.Difficulty9, evil, "cfg", new Dictionary<string, MetricResult>
            {
                ["accuracy"] = new(0.5, 0.4, 0.6, 0.95, 10, 100, 100),
                ["@SUM(A1:A9),\nnext"] = new(0.25, 0.2, 0.3, 0.95, 10, 100, 100),
            }, [], 1, 10, 5, 5, 1.0, 0, "sha", "v", ProbeTaskNames.Preset(ProbeTaskNames.Difficulty9), false, null, null);
        ProbeExperiment.Save(result, dir.Path);

        using var reader = new CsvReader(new StreamReader(Path.Combine(dir.Path, "metrics.csv")), CultureInfo.InvariantCulture);
        var rows = reader.GetRecords<dynamic>().Cast<IDictionary<string, object>>().ToList();
        Assert.Equal(2, rows.Count); // the line break stayed inside its quoted cell
        foreach (var row in rows)
        {
            Assert.Equal("'" + evil, row["encoder"]);
            foreach (var cell in row.Values.Cast<string>())
                Assert.False(cell.Length > 0 && cell[0] is '=' or '+' or '@' && !double.TryParse(cell, CultureInfo.InvariantCulture, out _), cell);
        }
        Assert.Equal("'@SUM(A1:A9),\nnext", rows[1]["metric"]);
        Assert.Equal("0.25", rows[1]["value"]);
    }
}
