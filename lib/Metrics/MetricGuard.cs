namespace PianoJudges.Metrics;

/// <summary>Input checks shared by every metric: each error names the argument, the item index and the offending value.</summary>
internal static class MetricGuard
{
    public static void NotEmpty(int count, string name)
    {
        if (count == 0)
            throw new ArgumentException($"'{name}' is empty: a metric needs at least one item.", name);
    }

    public static void SameLength(int a, int b, string nameA, string nameB)
    {
        if (a != b)
            throw new ArgumentException($"'{nameA}' has {a} items but '{nameB}' has {b}: they must describe the same items.", nameB);
    }

    public static void NumClasses(int numClasses, string name = "numClasses")
    {
        if (numClasses < 1)
            throw new ArgumentOutOfRangeException(name, numClasses, "The number of classes must be at least 1.");
    }

    public static void Labels(ReadOnlySpan<int> labels, int numClasses, string name)
    {
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)numClasses)
                throw new ArgumentException($"'{name}'[{i}] = {labels[i]} is not a class index in [0, {numClasses - 1}].", name);
    }

    /// <summary>The checks of every (truth, predicted) class-index metric: classes, non-empty, same length, indices in range.</summary>
    public static void ClassPairs(ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted, int numClasses)
    {
        NumClasses(numClasses);
        NotEmpty(truth.Length, nameof(truth));
        SameLength(truth.Length, predicted.Length, nameof(truth), nameof(predicted));
        Labels(truth, numClasses, nameof(truth));
        Labels(predicted, numClasses, nameof(predicted));
    }

    public static void Finite(double[,] scores, string name)
    {
        int n = scores.GetLength(0), c = scores.GetLength(1);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c; j++)
                if (!double.IsFinite(scores[i, j]))
                    throw new ArgumentException($"'{name}'[{i}, {j}] = {scores[i, j]} is not a finite score.", name);
    }

    public static void Finite(ReadOnlySpan<double> scores, string name)
    {
        for (int i = 0; i < scores.Length; i++)
            if (!double.IsFinite(scores[i]))
                throw new ArgumentException($"'{name}'[{i}] = {scores[i]} is not a finite score.", name);
    }

    public static void MultiHot(int[,] truth, string name)
    {
        int n = truth.GetLength(0), c = truth.GetLength(1);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c; j++)
                if (truth[i, j] is not (0 or 1))
                    throw new ArgumentException($"'{name}'[{i}, {j}] = {truth[i, j]}: a multi-hot matrix holds only 0 and 1.", name);
    }

    public static void Binary(ReadOnlySpan<int> truth, string name)
    {
        for (int i = 0; i < truth.Length; i++)
            if (truth[i] is not (0 or 1))
                throw new ArgumentException($"'{name}'[{i}] = {truth[i]}: a binary label is 0 or 1.", name);
    }

    public static void SameShape(int[,] truth, double[,] scores)
    {
        if (truth.GetLength(0) != scores.GetLength(0) || truth.GetLength(1) != scores.GetLength(1))
            throw new ArgumentException(
                $"'truth' is ({truth.GetLength(0)}, {truth.GetLength(1)}) but 'scores' is ({scores.GetLength(0)}, {scores.GetLength(1)}): shapes must match (items, labels).",
                nameof(scores));
    }
}
