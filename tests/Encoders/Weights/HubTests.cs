namespace PianoJudges.Tests.Encoders.Weights;

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using PianoJudges.Encoders.Weights;

/// <summary>These tests change HF_* environment variables, so they run one at a time.</summary>
[CollectionDefinition("HuggingFaceEnvironment", DisableParallelization = true)]
public sealed class HuggingFaceEnvironmentCollection;

[Collection("HuggingFaceEnvironment")]
public class HuggingFaceCacheTests
{
    private const string Commit = "0123456789abcdef0123456789abcdef01234567";

    [Fact]
    public void CacheFolderHonoursHfHubCacheThenHfHome()
    {
        using var env = new EnvScope("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME");
        Environment.SetEnvironmentVariable("HF_HOME", "/tmp/hfhome");
        Assert.Equal("/tmp/hfhome/hub", HuggingFaceCache.DefaultCacheDirectory());
        Environment.SetEnvironmentVariable("HF_HUB_CACHE", "/tmp/hubcache");
        Assert.Equal("/tmp/hubcache", HuggingFaceCache.DefaultCacheDirectory());
        Environment.SetEnvironmentVariable("HF_HUB_CACHE", null);
        Environment.SetEnvironmentVariable("HF_HOME", null);
        Assert.EndsWith(Path.Combine("huggingface", "hub"), HuggingFaceCache.DefaultCacheDirectory());
    }

    [Fact]
    public void AnExistingDownloadIsFoundThroughRefsAndSnapshots()
    {
        using var dir = new WeightsFixtures.TempDir();
        string repo = Path.Combine(dir.Path, "models--m-a-p--MERT-v1-330M");
        Directory.CreateDirectory(Path.Combine(repo, "refs"));
        Directory.CreateDirectory(Path.Combine(repo, "snapshots", Commit));
        File.WriteAllText(Path.Combine(repo, "refs", "main"), Commit + "\n");
        string bin = Path.Combine(repo, "snapshots", Commit, "pytorch_model.bin");
        File.WriteAllText(bin, "x");

        Assert.Equal(bin, HuggingFaceCache.FindFile("m-a-p/MERT-v1-330M", ["model.safetensors", "pytorch_model.bin"], "main", dir.Path));
        Assert.Equal(bin, HuggingFaceCache.FindFile("m-a-p/MERT-v1-330M", ["pytorch_model.bin"], Commit, dir.Path));
        Assert.Null(HuggingFaceCache.FindFile("m-a-p/MERT-v1-95M", ["pytorch_model.bin"], "main", dir.Path));

        using var env = new EnvScope("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME");
        Environment.SetEnvironmentVariable("HF_HUB_CACHE", dir.Path);
        var locator = new WeightsLocator("m-a-p/MERT-v1-330M", ["model.safetensors", "pytorch_model.bin"]);
        Assert.Equal(bin, locator.Resolve());
        // --weights: a file, a snapshot folder, or a cache root.
        Assert.Equal(bin, locator.Resolve(bin));
        Assert.Equal(bin, locator.Resolve(Path.GetDirectoryName(bin)));
        Assert.Equal(bin, locator.Resolve(dir.Path));
        var missing = Assert.Throws<FileNotFoundException>(() => new WeightsLocator("m-a-p/MERT-v1-95M", ["pytorch_model.bin"]).Resolve(projectWeightsDirectory: "/tmp/pj-weights"));
        Assert.Contains(Path.Combine(dir.Path, "models--m-a-p--MERT-v1-95M"), missing.Message);
        Assert.Contains("/tmp/pj-weights", missing.Message);
        Assert.Throws<ArgumentException>(() => HuggingFaceCache.RepoFolderName("../etc/passwd"));
    }

    private sealed class EnvScope : IDisposable
    {
        private readonly Dictionary<string, string?> _saved;
        public EnvScope(params string[] names)
        {
            _saved = names.ToDictionary(n => n, Environment.GetEnvironmentVariable);
            foreach (var n in names) Environment.SetEnvironmentVariable(n, null);
        }
        public void Dispose() { foreach (var (k, v) in _saved) Environment.SetEnvironmentVariable(k, v); }
    }
}

public class HubDownloaderTests
{
    private const string Commit = "fedcba9876543210fedcba9876543210fedcba98";

    /// <summary>A local stand-in for a model hub on 127.0.0.1: resolve/ answers like the hub for a large file (a redirect carrying X-Linked-Etag/Size), and the blob supports Range.</summary>
    private sealed class LocalHub : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;
        public readonly ConcurrentQueue<string> Requests = new();

        public LocalHub(byte[] content, string? advertisedSha = null)
        {
            Content = content;
            Sha = advertisedSha ?? Convert.ToHexStringLower(SHA256.HashData(content));
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0)) { probe.Start(); port = ((IPEndPoint)probe.LocalEndpoint).Port; }
            Endpoint = new Uri($"http://127.0.0.1:{port}/");
            _listener.Prefixes.Add(Endpoint.AbsoluteUri);
            _listener.Start();
            _loop = Task.Run(Serve);
        }

        public byte[] Content { get; }
        public string Sha { get; }
        public Uri Endpoint { get; }

        private async Task Serve()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await _listener.GetContextAsync(); } catch (Exception) { return; }
                var req = ctx.Request;
                var res = ctx.Response;
                Requests.Enqueue($"{req.HttpMethod} {req.Url!.AbsolutePath} {req.Headers["Range"]}".Trim());
                try
                {
                    if (req.Url.AbsolutePath == "/org/tiny/resolve/main/model.safetensors")
                    {
                        res.StatusCode = 302;
                        res.RedirectLocation = "/blobs/model";
                        res.AddHeader("X-Repo-Commit", Commit);
                        res.AddHeader("X-Linked-Etag", $"\"{Sha}\"");
                        res.AddHeader("X-Linked-Size", Content.Length.ToString());
                    }
                    else if (req.Url.AbsolutePath == "/blobs/model")
                    {
                        int from = 0;
                        if (req.Headers["Range"] is { } range && range.StartsWith("bytes=") && range.EndsWith("-"))
                        {
                            from = int.Parse(range[6..^1]);
                            res.StatusCode = 206;
                            res.AddHeader("Content-Range", $"bytes {from}-{Content.Length - 1}/{Content.Length}");
                        }
                        res.ContentLength64 = Content.Length - from;
                        if (req.HttpMethod == "GET") await res.OutputStream.WriteAsync(Content.AsMemory(from));
                    }
                    else res.StatusCode = 404;
                }
                finally { res.Close(); }
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        }
    }

    private static byte[] Content()
    {
        var bytes = new byte[300_000];
        new Random(3).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task DownloadResumesWithARangeRequestAndLaysOutTheHubCache()
    {
        using var hub = new LocalHub(Content());
        using var cache = new WeightsFixtures.TempDir();
        // An earlier attempt stopped after 100 000 bytes.
        string blobs = Path.Combine(cache.Path, "models--org--tiny", "blobs");
        Directory.CreateDirectory(blobs);
        File.WriteAllBytes(Path.Combine(blobs, hub.Sha + ".incomplete"), hub.Content[..100_000]);

        var reports = new List<DownloadProgress>();
        using var dl = new HubDownloader(hub.Endpoint, cache.Path);
        string path = await dl.DownloadAsync("org/tiny", "model.safetensors", progress: new SyncProgress(reports.Add));

        Assert.Equal(Path.Combine(cache.Path, "models--org--tiny", "snapshots", Commit, "model.safetensors"), path);
        Assert.Equal(hub.Content, File.ReadAllBytes(path));
        Assert.NotNull(new FileInfo(path).LinkTarget); // a link into blobs/, as the hub's tools make it
        Assert.Equal(Commit, File.ReadAllText(Path.Combine(cache.Path, "models--org--tiny", "refs", "main")));
        Assert.Contains("GET /blobs/model bytes=100000-", hub.Requests);
        Assert.Equal(100_000, reports[0].BytesDone);
        Assert.Equal(hub.Content.Length, reports[^1].BytesDone);
        Assert.All(reports, r => Assert.Equal(hub.Content.Length, r.BytesTotal));
        Assert.Equal(path, HuggingFaceCache.FindFile("org/tiny", ["model.safetensors"], "main", cache.Path));

        // A second call finds the blob and transfers nothing.
        int before = hub.Requests.Count(r => r.StartsWith("GET"));
        Assert.Equal(path, await dl.DownloadAsync("org/tiny", "model.safetensors"));
        Assert.Equal(before, hub.Requests.Count(r => r.StartsWith("GET")));
    }

    [Fact]
    public async Task AHashMismatchDeletesTheDownloadAndSaysBothHashes()
    {
        using var hub = new LocalHub(Content());
        using var cache = new WeightsFixtures.TempDir();
        using var dl = new HubDownloader(hub.Endpoint, cache.Path);
        string wrong = new string('0', 64);
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => dl.DownloadAsync("org/tiny", "model.safetensors", expectedSha256: wrong));
        Assert.Contains(wrong, e.Message);
        Assert.Contains(hub.Sha, e.Message);
        Assert.Empty(Directory.GetFiles(Path.Combine(cache.Path, "models--org--tiny", "blobs")));

        var missing = await Assert.ThrowsAsync<HttpRequestException>(() => dl.DownloadAsync("org/tiny", "nope.bin"));
        Assert.Contains("404", missing.Message);
    }

    [Fact]
    public async Task TheServersPublishedHashIsCheckedToo()
    {
        using var hub = new LocalHub(Content(), advertisedSha: new string('a', 64));
        using var cache = new WeightsFixtures.TempDir();
        using var dl = new HubDownloader(hub.Endpoint, cache.Path);
        await Assert.ThrowsAsync<InvalidDataException>(() => dl.DownloadAsync("org/tiny", "model.safetensors"));
    }

    private sealed class SyncProgress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}
