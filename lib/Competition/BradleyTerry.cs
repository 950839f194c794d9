namespace PianoJudges.Competition;

/// <summary>Bradley-Terry fitting settings.</summary>
/// <param name="PriorGames">
/// a &gt; 0: every player is given a virtual games against a reference player of fixed strength 1 (log-strength 0),
/// half won and half lost. This is a proper prior (a Beta(a/2, a/2) on the player's chance against the reference) that
/// keeps undefeated and winless players finite and fixes the scale (no renormalisation needed).
/// </param>
public sealed record BradleyTerryOptions(double PriorGames = 1.0, int MaxIterations = 10_000, double Tolerance = 1e-10)
{
    public static BradleyTerryOptions Default { get; } = new();
}

/// <summary>A fitted Bradley-Terry model: P(i beats j) = g_i / (g_i + g_j), g = exp(LogStrength).</summary>
/// <param name="LogStrength">(players) log-strengths theta_i (posterior mode), on the scale of the prior's reference player at 0.</param>
/// <param name="StandardError">
/// (players) asymptotic standard errors of theta_i - mean(theta), from the inverse observed information (prior included).
/// Only differences of strengths are identified by the games; the common level is pinned by the prior alone, so its
/// (large) uncertainty is left out: these are the errors that matter for ranking.
/// </param>
public sealed record BradleyTerryFit(double[] LogStrength, double[] StandardError, int Iterations, bool Converged, double PriorGames)
{
    /// <summary>Player ids, strongest first (ties by lower id).</summary>
    public int[] Ranking => Enumerable.Range(0, LogStrength.Length).OrderByDescending(i => LogStrength[i]).ThenBy(i => i).ToArray();

    /// <summary>P(i beats j).</summary>
    public double WinProbability(int i, int j) => 1.0 / (1.0 + Math.Exp(LogStrength[j] - LogStrength[i]));
}

/// <summary>
/// Bradley-Terry model fitted to pairwise outcomes by Hunter's (2004) MM algorithm ("MM algorithms for generalized
/// Bradley-Terry models", Ann. Statist. 32(1)), applied to the data plus the virtual games of the prior:
///   g_i &lt;- (W_i + a/2) / ( sum_j n_ij / (g_i + g_j) + a / (g_i + 1) ),
/// W_i = wins of i, n_ij = games between i and j, followed by the exact best common shift of all log-strengths.
/// Each step increases the log posterior; it stops when no log-strength moves by more than the tolerance.
/// </summary>
public static class BradleyTerry
{
    /// <summary>Fits strengths for players 0..numPlayers-1 from (winner, loser) games.</summary>
    public static BradleyTerryFit Fit(int numPlayers, IEnumerable<(int Winner, int Loser)> games, BradleyTerryOptions? options = null)
    {
        options ??= BradleyTerryOptions.Default;
        if (numPlayers < 1) throw new ArgumentOutOfRangeException(nameof(numPlayers), numPlayers, "At least one player is needed.");
        if (!(options.PriorGames > 0))
            throw new ArgumentOutOfRangeException(nameof(options), options.PriorGames, "PriorGames must be > 0: without it an undefeated player's strength is infinite.");
        double a = options.PriorGames;
        var wins = new double[numPlayers];
        var n = new double[numPlayers, numPlayers];
        foreach (var (w, l) in games)
        {
            if ((uint)w >= (uint)numPlayers || (uint)l >= (uint)numPlayers)
                throw new ArgumentException($"Game ({w} beat {l}) names a player outside [0, {numPlayers - 1}].", nameof(games));
            if (w == l) throw new ArgumentException($"Game ({w} beat {l}) has a player against itself.", nameof(games));
            wins[w]++;
            n[w, l]++;
            n[l, w]++;
        }

        var g = Enumerable.Repeat(1.0, numPlayers).ToArray();
        var next = new double[numPlayers];
        int iter = 0;
        bool converged = false;
        while (iter < options.MaxIterations && !converged)
        {
            iter++;
            double maxStep = 0;
            for (int i = 0; i < numPlayers; i++)
            {
                double den = a / (g[i] + 1);
                for (int j = 0; j < numPlayers; j++)
                    if (n[i, j] > 0) den += n[i, j] / (g[i] + g[j]);
                next[i] = (wins[i] + a / 2) / den;
                maxStep = Math.Max(maxStep, Math.Abs(Math.Log(next[i] / g[i])));
            }
            // The data fix only differences of log-strengths; the common level is set by the prior alone and MM moves
            // along it very slowly, so each step is followed by the exact maximisation over a common shift.
            double shift = CommonShift(next);
            for (int i = 0; i < numPlayers; i++)
            {
                next[i] *= Math.Exp(shift);
                maxStep = Math.Max(maxStep, Math.Abs(Math.Log(next[i] / g[i])));
            }
            (g, next) = (next, g);
            converged = maxStep < options.Tolerance;
        }

        var theta = g.Select(v => Math.Log(v)).ToArray();
        return new BradleyTerryFit(theta, StandardErrors(theta, n, a), iter, converged, a);
    }

    /// <summary>The games implied by 2-way pair predictions: the predicted better candidate beats the other.</summary>
    public static (int Winner, int Loser)[] Games(IEnumerable<PairPrediction> predictions) =>
        predictions.Select(p =>
        {
            int w = PairLabel.Winner(p.First, p.Second, p.Predicted);
            return (w, w == p.First ? p.Second : p.First);
        }).ToArray();

    // Root s of sum_i (1/2 - sigmoid(theta_i + s)) = 0 (the prior's score along a common shift), by Newton's method.
    private static double CommonShift(double[] g)
    {
        double s = 0;
        for (int it = 0; it < 100; it++)
        {
            double f = 0, df = 0;
            foreach (double gi in g)
            {
                double q = 1 / (1 + Math.Exp(-(Math.Log(gi) + s)));
                f += 0.5 - q;
                df -= q * (1 - q);
            }
            double step = f / df;
            s -= step;
            if (Math.Abs(step) < 1e-15) break;
        }
        return s;
    }

    // Observed information of the log posterior in theta: H_ii = sum_j n_ij p_ij p_ji + a q_i (1 - q_i),
    // H_ij = -n_ij p_ij p_ji, q_i = P(i beats the reference). Positive definite thanks to the prior.
    private static double[] StandardErrors(double[] theta, double[,] n, double a)
    {
        int m = theta.Length;
        var h = new double[m, m];
        for (int i = 0; i < m; i++)
        {
            double q = 1 / (1 + Math.Exp(-theta[i]));
            h[i, i] += a * q * (1 - q);
            for (int j = 0; j < m; j++)
            {
                if (j == i || n[i, j] == 0) continue;
                double p = 1 / (1 + Math.Exp(theta[j] - theta[i]));
                double v = n[i, j] * p * (1 - p);
                h[i, i] += v;
                h[i, j] -= v;
            }
        }
        var cov = SymmetricPositiveDefiniteInverse(h);
        // Var(theta_i - mean theta) = S_ii - 2 mean_j S_ij + mean_jk S_jk.
        double all = 0;
        var rowMean = new double[m];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < m; j++) rowMean[i] += cov[i, j];
            rowMean[i] /= m;
            all += rowMean[i];
        }
        all /= m;
        var se = new double[m];
        for (int i = 0; i < m; i++) se[i] = Math.Sqrt(Math.Max(0, cov[i, i] - 2 * rowMean[i] + all));
        return se;
    }

    private static double[,] SymmetricPositiveDefiniteInverse(double[,] a)
    {
        int m = a.GetLength(0);
        var l = new double[m, m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = a[i, j];
                for (int k = 0; k < j; k++) s -= l[i, k] * l[j, k];
                if (i == j)
                {
                    if (s <= 0) throw new InvalidOperationException("The Bradley-Terry information matrix is not positive definite.");
                    l[i, i] = Math.Sqrt(s);
                }
                else l[i, j] = s / l[j, j];
            }
        // Solve L L^T X = I column by column.
        var inv = new double[m, m];
        var y = new double[m];
        for (int col = 0; col < m; col++)
        {
            for (int i = 0; i < m; i++)
            {
                double s = i == col ? 1 : 0;
                for (int k = 0; k < i; k++) s -= l[i, k] * y[k];
                y[i] = s / l[i, i];
            }
            for (int i = m - 1; i >= 0; i--)
            {
                double s = y[i];
                for (int k = i + 1; k < m; k++) s -= l[k, i] * inv[k, col];
                inv[i, col] = s / l[i, i];
            }
        }
        return inv;
    }
}
