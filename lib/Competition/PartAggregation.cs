namespace PianoJudges.Competition;

/// <summary>How per-part predictions of one pair become one 2-way decision.</summary>
public enum PartAggregation
{
    /// <summary>
    /// The paper: each part i (candidate a's part i vs candidate b's part i) votes with its own 2-way decision;
    /// the majority wins. A tied vote is decided by the mean probability that the first candidate is better
    /// (&gt; 0.5: first; &lt; 0.5: second); an exact 0.5 goes to <see cref="PairLabel.FirstBetter"/>, as argmax would.
    /// </summary>
    MajorityVote,
    /// <summary>
    /// The released code's test_step: average the class probabilities over parts, take the argmax (lowest index on
    /// ties), then map to 2-way.
    /// </summary>
    MeanProbability,
}

/// <summary>Aggregation of per-part pair predictions (paper section 5.1.1).</summary>
public static class PartAggregator
{
    /// <summary>
    /// 2-way label from a class of the 2-way or 4-way ranking head. 2-way: the class itself.
    /// 4-way (released code's <c>icpc_4_to_2</c>): classes 0 and 1 (first better by two or one levels) -> 0, classes 2 and 3 -> 1.
    /// </summary>
    public static int ToTwoWay(int predictedClass, int numClasses) => numClasses switch
    {
        2 when predictedClass is 0 or 1 => predictedClass,
        4 when predictedClass is >= 0 and <= 3 => predictedClass >= 2 ? PairLabel.SecondBetter : PairLabel.FirstBetter,
        2 or 4 => throw new ArgumentOutOfRangeException(nameof(predictedClass), predictedClass, $"Class must be in [0, {numClasses - 1}]."),
        _ => throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "A ranking head has 2 or 4 classes."),
    };

    /// <summary>
    /// One pair's 2-way decision from its per-part class probabilities, shape (parts, classes) with classes 2 or 4.
    /// </summary>
    public static int Aggregate(double[,] partProbabilities, PartAggregation mode = PartAggregation.MajorityVote)
    {
        int parts = partProbabilities.GetLength(0), classes = partProbabilities.GetLength(1);
        if (parts == 0) throw new ArgumentException("A pair needs at least one part to aggregate.", nameof(partProbabilities));
        if (classes is not (2 or 4)) throw new ArgumentException($"Got {classes} classes per part; a ranking head has 2 or 4.", nameof(partProbabilities));
        foreach (double p in partProbabilities)
            if (!double.IsFinite(p)) throw new ArgumentException($"A part probability is {p}, not a finite number.", nameof(partProbabilities));

        if (mode == PartAggregation.MeanProbability)
        {
            int best = 0; double bestMean = double.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                double m = 0;
                for (int i = 0; i < parts; i++) m += partProbabilities[i, c];
                m /= parts;
                if (m > bestMean) { bestMean = m; best = c; }
            }
            return ToTwoWay(best, classes);
        }

        int firstVotes = 0;
        double firstMass = 0;
        for (int i = 0; i < parts; i++)
        {
            int best = 0;
            for (int c = 1; c < classes; c++) if (partProbabilities[i, c] > partProbabilities[i, best]) best = c;
            if (ToTwoWay(best, classes) == PairLabel.FirstBetter) firstVotes++;
            double total = 0, first = 0;
            for (int c = 0; c < classes; c++)
            {
                total += partProbabilities[i, c];
                if (ToTwoWay(c, classes) == PairLabel.FirstBetter) first += partProbabilities[i, c];
            }
            firstMass += total > 0 ? first / total : 0.5;
        }
        int secondVotes = parts - firstVotes;
        if (firstVotes != secondVotes) return firstVotes > secondVotes ? PairLabel.FirstBetter : PairLabel.SecondBetter;
        double meanFirst = firstMass / parts;
        return meanFirst >= 0.5 ? PairLabel.FirstBetter : PairLabel.SecondBetter;
    }
}
