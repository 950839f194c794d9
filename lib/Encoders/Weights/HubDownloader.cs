namespace PianoJudges.Encoders.Weights;

using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using PianoJudges.Data;

/// <summary>Progress of one file download.</summary>
/// <param name="FileName">The file being downloaded.</param>
/// <param name="BytesDone">Bytes on disk so far (including bytes resumed from an earlier attempt).</param>
/// <param name="BytesTotal">Total size, or null when the server does not say.</param>
public readonly record struct DownloadProgress(string FileName, long BytesDone, long? BytesTotal);

/// <summary>
/// Downloads a model file by id into the Hugging Face cache layout (blobs/, snapshots/, refs/), so
/// the Hugging Face tools and <see cref="HuggingFaceCache"/> find it. An interrupted download is
/// resumed with an HTTP Range request. The file is checked against an expected SHA-256 when one is
/// given, or against the ETag when the server publishes a SHA-256 there (large files).
/// The hub address is not built in: pass it, or set HF_ENDPOINT.
/// </summary>
public sealed class HubDownloader : IDisposable
{
    private static readonly Regex Sha256Hex = new("^[0-9a-f]{64}$", RegexOptions.CultureInvariant);
    private readonly HttpClient _http;
    private readonly Uri _endpoint;

    /// <param name="endpoint">The hub's base address; files are read from {endpoint}/{model}/resolve/{revision}/{file}.</param>
    /// <param name="cacheDirectory">The hub cache folder to download into (default: the user's, <see cref="HuggingFaceCache.DefaultCacheDirectory"/>).</param>
    public HubDownloader(Uri endpoint, string? cacheDirectory = null)
    {
        _endpoint = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        CacheDirectory = cacheDirectory ?? HuggingFaceCache.DefaultCacheDirectory();
        // Redirects are followed by hand: the first answer carries the commit and the file's hash.
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("PianoJudges", "1.0"));
        _token = Environment.GetEnvironmentVariable("HF_TOKEN") is { Length: > 0 } token ? token : null;
    }

    private readonly string? _token;

    /// <summary>A request that carries the user's token only to the hub itself, never to a redirect target elsewhere.</summary>
    private HttpRequestMessage Request(HttpMethod method, Uri url)
    {
        var req = new HttpRequestMessage(method, url);
        if (_token is not null && Uri.Compare(url, _endpoint, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0)
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        return req;
    }

    public string CacheDirectory { get; }

    /// <summary>A downloader for the hub named by the HF_ENDPOINT environment variable.</summary>
    public static HubDownloader FromEnvironment(string? cacheDirectory = null)
    {
        string endpoint = Environment.GetEnvironmentVariable("HF_ENDPOINT") is { Length: > 0 } e
            ? e
            : throw new InvalidOperationException("Set HF_ENDPOINT to the model hub's base address to download weights, or download them with the Hugging Face tools and pass --weights.");
        return new HubDownloader(new Uri(endpoint), cacheDirectory);
    }

    /// <summary>
    /// Downloads <paramref name="fileName"/> of <paramref name="modelId"/> unless the cache already has it; returns the snapshot path.
    /// </summary>
    /// <param name="expectedSha256">Published SHA-256 (hex) of the file; a mismatch deletes the download and throws.</param>
    public async Task<string> DownloadAsync(string modelId, string fileName, string revision = "main", string? expectedSha256 = null,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        HuggingFaceCache.ValidateModelId(modelId);
        if (fileName.Split('/').Any(p => p is "" or "." or ".."))
            throw new ArgumentException($"'{fileName}' is not a file name inside a model repository");
        string repo = Path.Combine(CacheDirectory, HuggingFaceCache.RepoFolderName(modelId));
        var url = new Uri(_endpoint, $"{modelId}/resolve/{Uri.EscapeDataString(revision)}/{string.Join("/", fileName.Split('/').Select(Uri.EscapeDataString))}");

        // 1. Metadata: commit, ETag (the SHA-256 for large files), size, and where the bytes are.
        // Relative redirects (a renamed repository) are followed; the first answer that names the commit is kept.
        HttpResponseMessage meta;
        for (int hop = 0; ; hop++)
        {
            using var head = Request(HttpMethod.Head, url);
            meta = await _http.SendAsync(head, cancellationToken).ConfigureAwait(false);
            bool relativeRedirect = (int)meta.StatusCode is >= 300 and < 400 && meta.Headers.Location is { IsAbsoluteUri: false };
            if (!relativeRedirect || Header(meta, "X-Repo-Commit") is not null || hop == 5) break;
            url = new Uri(url, meta.Headers.Location!);
            meta.Dispose();
        }
        using var _ = meta;
        if (!meta.IsSuccessStatusCode && (int)meta.StatusCode is < 300 or >= 400)
            throw new HttpRequestException($"{url}: {(int)meta.StatusCode} {meta.ReasonPhrase} (model {modelId}, file {fileName}, revision {revision})", null, meta.StatusCode);
        string commit = Header(meta, "X-Repo-Commit") ?? (HuggingFaceCache.IsCommitHash(revision) ? revision
            : throw new HttpRequestException($"{url}: the server did not say which commit '{revision}' is (no X-Repo-Commit header)"));
        if (!HuggingFaceCache.IsCommitHash(commit)) throw new HttpRequestException($"{url}: '{commit}' is not a commit hash");
        string etag = Clean(Header(meta, "X-Linked-Etag") ?? meta.Headers.ETag?.Tag
            ?? throw new HttpRequestException($"{url}: the server sent no ETag"));
        if (!Regex.IsMatch(etag, @"^[\w\-]+$")) throw new HttpRequestException($"{url}: ETag '{etag}' cannot name a cache file");
        long? size = long.TryParse(Header(meta, "X-Linked-Size"), out var ls) ? ls : meta.Content.Headers.ContentLength;
        Uri source = meta.Headers.Location is { } loc ? (loc.IsAbsoluteUri ? loc : new Uri(url, loc)) : url;
        string? sha = expectedSha256?.ToLowerInvariant() ?? (Sha256Hex.IsMatch(etag) ? etag : null);

        string blob = Path.Combine(repo, "blobs", etag);
        string snapshotFile = Path.Combine(repo, "snapshots", commit, fileName);
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        if (!File.Exists(blob))
        {
            string partial = blob + ".incomplete";
            await FetchAsync(source, partial, fileName, size, progress, cancellationToken).ConfigureAwait(false);
            if (sha is not null)
            {
                string actual = await HashAsync(partial, cancellationToken).ConfigureAwait(false);
                if (actual != sha)
                {
                    File.Delete(partial);
                    throw new InvalidDataException($"{modelId}/{fileName}: SHA-256 {actual} does not match the published {sha}; the download was deleted");
                }
            }
            File.Move(partial, blob, overwrite: true);
        }
        Link(snapshotFile, blob);
        if (!HuggingFaceCache.IsCommitHash(revision))
            AtomicFile.WriteAllText(Path.Combine(repo, "refs", revision), commit);
        progress?.Report(new DownloadProgress(fileName, new FileInfo(blob).Length, size));
        return snapshotFile;
    }

    private async Task FetchAsync(Uri source, string partial, string fileName, long? size, IProgress<DownloadProgress>? progress, CancellationToken ct)
    {
        long have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (size is { } total && have > total) { File.Delete(partial); have = 0; }
        if (size is { } t2 && have == t2) return;
        for (int hop = 0; hop < 5; hop++)
        {
            using var req = Request(HttpMethod.Get, source);
            if (have > 0) req.Headers.Range = new RangeHeaderValue(have, null);
            using var resp = await _http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            if ((int)resp.StatusCode is >= 300 and < 400 && resp.Headers.Location is { } loc)
            {
                source = loc.IsAbsoluteUri ? loc : new Uri(source, loc);
                continue;
            }
            if (resp.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
            {
                File.Delete(partial);
                have = 0;
                continue;
            }
            if (!resp.IsSuccessStatusCode)
                throw new HttpRequestException($"{source}: {(int)resp.StatusCode} {resp.ReasonPhrase}", null, resp.StatusCode);
            bool append = resp.StatusCode == HttpStatusCode.PartialContent && have > 0;
            if (!append) have = 0;
            await using var fs = new FileStream(partial, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await using var body = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            var buffer = new byte[1 << 16];
            long lastReport = -1;
            progress?.Report(new DownloadProgress(fileName, have, size));
            int n;
            while ((n = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                await fs.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                have += n;
                if (have - lastReport >= 1 << 20) { progress?.Report(new DownloadProgress(fileName, have, size)); lastReport = have; }
            }
            await fs.FlushAsync(ct).ConfigureAwait(false);
            if (size is { } expected && have != expected)
                throw new IOException($"{source}: the connection ended after {have} of {expected} bytes; run the download again to resume");
            return;
        }
        throw new HttpRequestException($"{source}: too many redirects");
    }

    private static async Task<string> HashAsync(string path, CancellationToken ct)
    {
        await using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(fs, ct).ConfigureAwait(false));
    }

    private static void Link(string snapshotFile, string blob)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(snapshotFile)!);
        if (File.Exists(snapshotFile)) File.Delete(snapshotFile);
        try
        {
            File.CreateSymbolicLink(snapshotFile, Path.GetRelativePath(Path.GetDirectoryName(snapshotFile)!, blob));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            File.Copy(blob, snapshotFile, overwrite: true); // file systems without symbolic links
        }
    }

    private static string? Header(HttpResponseMessage r, string name) =>
        r.Headers.TryGetValues(name, out var v) ? v.FirstOrDefault() : r.Content.Headers.TryGetValues(name, out var c) ? c.FirstOrDefault() : null;

    private static string Clean(string etag) => etag.StartsWith("W/", StringComparison.Ordinal) ? etag[2..].Trim('"') : etag.Trim('"');

    public void Dispose() => _http.Dispose();
}
