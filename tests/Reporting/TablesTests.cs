namespace PianoJudges.Tests.Reporting;

using PianoJudges.Reporting;
using PianoJudges.Tests.Support;

public class TablesTests
{
    private sealed record Row(string Name, double Score, int Count);

    [Fact]
    public void FromRecords_takes_columns_in_declaration_order()
    {
        var t = Table.FromRecords([new Row("a", 0.5, 3), new Row("b", 0.25, 4)]);
        Assert.Equal(["Name", "Score", "Count"], t.Columns);
        Assert.Equal("b", t.Rows[1][0]);
        Assert.Equal(4, t.Rows[1][2]);
    }

    [Theory]
    [InlineData("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"")]
    [InlineData("+cmd", "'+cmd")]
    [InlineData("-1+2", "'-1+2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("-0.5", "-0.5")]
    [InlineData("+3e-4", "+3e-4")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("line\nbreak", "\"line\nbreak\"")]
    [InlineData(" padded", "\" padded\"")]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    public void CsvCell_quotes_and_neutralises_formulas(string cell, string expected) =>
        Assert.Equal(expected, Table.CsvCell(cell));

    [Fact]
    public void Csv_keeps_full_precision_and_header()
    {
        var t = new Table(["x", "y"], [[1.0 / 3, null], [-2.5, "=1+1"]]);
        var lines = t.ToCsv().Split('\n');
        Assert.Equal("x,y", lines[0]);
        Assert.Equal((1.0 / 3).ToString("R", System.Globalization.CultureInfo.InvariantCulture) + ",", lines[1]);
        Assert.Equal(1.0 / 3, double.Parse(lines[1].TrimEnd(','), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("-2.5,'=1+1", lines[2]);
    }

    [Fact]
    public void Markdown_escapes_pipes_and_formats_numbers()
    {
        var t = new Table(["name", "value"], [["a|b", 0.123456], ["multi\nline", double.NaN]], caption: "Cap");
        string md = t.ToMarkdown();
        Assert.Contains("**Cap**", md);
        Assert.Contains("| a\\|b | 0.1235 |", md);
        Assert.Contains("| multi line | NaN |", md);
        Assert.Contains("| --- | ---: |", md); // numeric column right-aligned
    }

    [Fact]
    public void Html_encodes_every_value()
    {
        var t = new Table(["<b>col</b>"], [["<script>alert(1)</script>"]], caption: "a & b");
        string html = t.ToHtml();
        Assert.DoesNotContain("<script>", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("&lt;b&gt;col&lt;/b&gt;", html);
        Assert.Contains("a &amp; b", html);
    }

    [Fact]
    public void Rows_must_match_the_columns()
    {
        var e = Assert.Throws<ArgumentException>(() => new Table(["a", "b"], [["only one"]]));
        Assert.Contains("Row 0 has 1 values but the table has 2 columns", e.Message);
    }

    [Fact]
    public void SaveCsv_writes_the_file()
    {
        using var dir = new TempDir();
        string path = dir.File("sub/t.csv");
        new Table(["a"], [[1]]).SaveCsv(path);
        Assert.Equal("a\n1\n", File.ReadAllText(path));
    }
}
