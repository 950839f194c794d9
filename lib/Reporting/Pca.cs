namespace PianoJudges.Reporting;

using PianoJudges.Encoders;

/// <summary>
/// Principal component analysis for looking at embeddings in two dimensions: the rows are centred, and the
/// components are the leading eigenvectors of their covariance X'X / (n - 1), found by power iteration with
/// deflation (no covariance matrix is formed, so 1024-d MERT vectors cost n x d per step).
/// Each component's sign is fixed so that its largest-magnitude coefficient is positive.
/// </summary>
public sealed class Pca
{
    private Pca(double[] mean, double[][] components, double[] variance, double totalVariance)
    {
        Mean = mean;
        Components = components;
        ExplainedVariance = variance;
        ExplainedVarianceRatio = variance.Select(v => totalVariance > 0 ? v / totalVariance : 0).ToArray();
    }

    /// <summary>Column means (d).</summary>
    public double[] Mean { get; }
    /// <summary>Unit-length principal axes, largest variance first (k x d).</summary>
    public double[][] Components { get; }
    /// <summary>Variance along each axis (eigenvalues of the covariance, denominator n - 1).</summary>
    public double[] ExplainedVariance { get; }
    /// <summary>Each axis's share of the total variance.</summary>
    public double[] ExplainedVarianceRatio { get; }

    /// <summary>Fits <paramref name="components"/> axes to <paramref name="rows"/> (n rows of d values, n >= 2).</summary>
    public static Pca Fit(IReadOnlyList<IReadOnlyList<double>> rows, int components = 2, int maxIterations = 1000, double tolerance = 1e-12)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count < 2) throw new ArgumentException($"PCA needs at least 2 rows, got {rows.Count}", nameof(rows));
        int n = rows.Count, d = rows[0].Count;
        for (int i = 0; i < n; i++)
            if (rows[i].Count != d) throw new ArgumentException($"row {i} has {rows[i].Count} values, row 0 has {d}", nameof(rows));
        if (components < 1 || components > Math.Min(d, n - 1))
            throw new ArgumentOutOfRangeException(nameof(components), components, $"between 1 and min(d = {d}, n - 1 = {n - 1})");

        var mean = new double[d];
        foreach (var r in rows) for (int j = 0; j < d; j++) mean[j] += r[j];
        for (int j = 0; j < d; j++) mean[j] /= n;
        var x = rows.Select(r => Enumerable.Range(0, d).Select(j => r[j] - mean[j]).ToArray()).ToArray();
        double total = x.Sum(r => r.Sum(v => v * v)) / (n - 1);

        var axes = new double[components][];
        var variance = new double[components];
        for (int k = 0; k < components; k++)
        {
            // Start from the centred row with the most energy left after removing the axes found so far.
            var v = Normalise(Deflate(x.OrderByDescending(r => Dot(Deflate(r, axes, k), Deflate(r, axes, k))).First(), axes, k));
            double lambda = 0;
            for (int it = 0; it < maxIterations; it++)
            {
                var w = Deflate(CovarianceTimes(x, v), axes, k);
                double next = Math.Sqrt(Dot(w, w));
                if (next == 0) break;
                for (int j = 0; j < d; j++) w[j] /= next;
                bool done = Math.Abs(next - lambda) <= tolerance * Math.Max(1, next) && 1 - Math.Abs(Dot(w, v)) <= tolerance;
                (v, lambda) = (w, next);
                if (done) break;
            }
            int arg = 0;
            for (int j = 1; j < d; j++) if (Math.Abs(v[j]) > Math.Abs(v[arg])) arg = j;
            if (v[arg] < 0) for (int j = 0; j < d; j++) v[j] = -v[j];
            axes[k] = v;
            variance[k] = Dot(v, CovarianceTimes(x, v));
        }
        return new Pca(mean, axes, variance, total);
    }

    /// <summary>The coordinates of each row along the components (n x k).</summary>
    public double[][] Transform(IReadOnlyList<IReadOnlyList<double>> rows) =>
        rows.Select(r =>
        {
            if (r.Count != Mean.Length) throw new ArgumentException($"a row has {r.Count} values; the PCA was fitted to {Mean.Length}");
            return Components.Select(c =>
            {
                double s = 0;
                for (int j = 0; j < c.Length; j++) s += (r[j] - Mean[j]) * c[j];
                return s;
            }).ToArray();
        }).ToArray();

    /// <summary>
    /// One vector per real segment of <paramref name="embedding"/>: its frames averaged, optionally as ln(1e-10 + value)
    /// first (for power spectrograms, whose scale spans many decades). Padding segments (mask false) are left out.
    /// </summary>
    public static IReadOnlyList<double[]> SegmentMeans(Embedding embedding, bool logFirst = false)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        var result = new List<double[]>();
        for (int s = 0; s < embedding.Segments; s++)
        {
            if (!embedding.Mask[s]) continue;
            var seg = embedding.Segment(s);
            var v = new double[embedding.Dim];
            for (int f = 0; f < embedding.Frames; f++)
                for (int j = 0; j < embedding.Dim; j++)
                {
                    double value = seg[f * embedding.Dim + j];
                    v[j] += logFirst ? Math.Log(1e-10 + Math.Max(0, value)) : value;
                }
            for (int j = 0; j < v.Length; j++) v[j] /= embedding.Frames;
            result.Add(v);
        }
        return result;
    }

    private static double[] CovarianceTimes(double[][] x, double[] v)
    {
        var result = new double[v.Length];
        foreach (var r in x)
        {
            double p = Dot(r, v);
            for (int j = 0; j < r.Length; j++) result[j] += p * r[j];
        }
        for (int j = 0; j < result.Length; j++) result[j] /= x.Length - 1;
        return result;
    }

    private static double[] Deflate(double[] v, double[][] axes, int count)
    {
        var w = (double[])v.Clone();
        for (int k = 0; k < count; k++)
        {
            double p = Dot(w, axes[k]);
            for (int j = 0; j < w.Length; j++) w[j] -= p * axes[k][j];
        }
        return w;
    }

    private static double[] Normalise(double[] v)
    {
        double norm = Math.Sqrt(Dot(v, v));
        if (norm == 0) { v = new double[v.Length]; v[0] = 1; return v; }
        return v.Select(a => a / norm).ToArray();
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int j = 0; j < a.Length; j++) s += a[j] * b[j];
        return s;
    }
}
