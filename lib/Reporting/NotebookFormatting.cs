namespace PianoJudges.Reporting;

/// <summary>A value that knows how to show itself as HTML in a notebook output.</summary>
public interface INotebookHtml
{
    /// <summary>A self-contained HTML fragment (no network access needed to render it).</summary>
    string ToNotebookHtml();
}

/// <summary>
/// Marks a type whose notebook display comes from <see cref="FormatterSourceType"/>. .NET Interactive's formatter
/// recognises this attribute by its name and its properties (its "convention-based formatter sources"), so the
/// library shows charts and tables in notebooks without referencing Microsoft.DotNet.Interactive.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = true)]
public sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    /// <summary>A type with a public parameterless constructor and a public <c>CreateTypeFormatters()</c> method.</summary>
    public Type FormatterSourceType { get; } = formatterSourceType;

    /// <summary>The MIME types the notebook should prefer for the marked type.</summary>
    public string[]? PreferredMimeTypes { get; set; }
}

/// <summary>The formatter source for every <see cref="INotebookHtml"/> type (by convention: see <see cref="TypeFormatterSourceAttribute"/>).</summary>
public sealed class NotebookHtmlFormatterSource
{
    public IEnumerable<object> CreateTypeFormatters() => [new NotebookHtmlFormatter()];
}

/// <summary>Writes <see cref="INotebookHtml.ToNotebookHtml"/> as the text/html output (by convention: a MimeType property and one Format method).</summary>
public sealed class NotebookHtmlFormatter
{
    public string MimeType => "text/html";

    public bool Format(object instance, TextWriter writer)
    {
        if (instance is not INotebookHtml html) return false;
        writer.Write(html.ToNotebookHtml());
        return true;
    }
}
