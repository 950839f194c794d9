namespace PianoJudges.Metrics;

using System.Numerics;

/// <summary>Small helpers to bring model outputs (flat tensors, jagged rows) into the (items, classes) matrices the metrics take.</summary>
public static class Scores
{
    /// <summary>Reshapes a row-major flat buffer, e.g. <c>tensor.data&lt;float&gt;().ToArray()</c> of shape (n, columns), into an (n, columns) matrix.</summary>
    public static double[,] FromFlat(ReadOnlySpan<float> flat, int columns) => FromFlatOf(flat, columns);

    /// <inheritdoc cref="FromFlat(ReadOnlySpan{float}, int)"/>
    public static double[,] FromFlat(ReadOnlySpan<double> flat, int columns) => FromFlatOf(flat, columns);

    private static double[,] FromFlatOf<T>(ReadOnlySpan<T> flat, int columns) where T : INumberBase<T>
    {
        if (columns < 1) throw new ArgumentOutOfRangeException(nameof(columns), columns, "A score matrix needs at least one column.");
        if (flat.Length % columns != 0)
            throw new ArgumentException($"A flat buffer of {flat.Length} values is not a whole number of rows of {columns} columns.", nameof(flat));
        var m = new double[flat.Length / columns, columns];
        for (int i = 0; i < flat.Length; i++) m[i / columns, i % columns] = double.CreateTruncating(flat[i]);
        return m;
    }

    /// <summary>Stacks equal-length rows into an (rows, columns) matrix.</summary>
    public static T[,] FromRows<T>(IReadOnlyList<IReadOnlyList<T>> rows)
    {
        MetricGuard.NotEmpty(rows.Count, nameof(rows));
        int c = rows[0].Count;
        var m = new T[rows.Count, c];
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].Count != c)
                throw new ArgumentException($"Row {i} has {rows[i].Count} values but row 0 has {c}: rows must have equal length.", nameof(rows));
            for (int j = 0; j < c; j++) m[i, j] = rows[i][j];
        }
        return m;
    }

    /// <summary>
    /// Index of the largest score in each row; (n, classes) -> (n).
    /// On an exact tie the lowest index wins, as <c>torch.max(dim=1)</c> and <c>argmax</c> do on CPU.
    /// </summary>
    public static int[] Argmax(double[,] scores)
    {
        MetricGuard.Finite(scores, nameof(scores));
        int n = scores.GetLength(0), c = scores.GetLength(1);
        var result = new int[n];
        for (int i = 0; i < n; i++)
        {
            int best = 0;
            for (int j = 1; j < c; j++)
                if (scores[i, j] > scores[i, best]) best = j;
            result[i] = best;
        }
        return result;
    }

    /// <summary>Column <paramref name="column"/> of a matrix as an array.</summary>
    public static T[] Column<T>(T[,] m, int column)
    {
        var result = new T[m.GetLength(0)];
        for (int i = 0; i < result.Length; i++) result[i] = m[i, column];
        return result;
    }
}
