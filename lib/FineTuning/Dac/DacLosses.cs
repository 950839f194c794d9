namespace PianoJudges.FineTuning.Dac;

using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// DAC's multi-scale mel loss (dac/nn/loss.py MelSpectrogramLoss with base.yml's settings): for each window length w
/// (hop w/4, Hann window, centred reflect-padded STFT magnitude) a Slaney mel filterbank (librosa's default,
/// 0 Hz to Nyquist) and the L1 distance of log10(max(mel, 1e-5)); the magnitude term has weight 0 and is omitted.
/// </summary>
public sealed class DacMelLoss : IDisposable
{
    private readonly (int window, Tensor filters)[] scales;
    private const double ClampEps = 1e-5;

    public DacMelLoss(int sampleRate, IReadOnlyList<int> windowLengths, IReadOnlyList<int> nMels)
    {
        if (windowLengths.Count != nMels.Count) throw new ArgumentException("one mel size per window length");
        scales = windowLengths.Select((w, i) => (w, SlaneyMelFilters(sampleRate, w, nMels[i], 0, sampleRate / 2.0))).ToArray();
    }

    /// <summary>Estimate and reference (B, 1, T) -> scalar loss (sum over scales of the mean L1 of log mels).</summary>
    public Tensor Loss(Tensor estimate, Tensor reference)
    {
        using var scope = NewDisposeScope();
        var total = zeros(1, device: estimate.device).squeeze();
        foreach (var (w, filters) in scales)
        {
            var fb = filters.to(estimate.device);
            total = total + (LogMel(estimate, w, fb) - LogMel(reference, w, fb)).abs().mean();
        }
        return total.MoveToOuterDisposeScope();
    }

    private static Tensor LogMel(Tensor x, int window, Tensor filters)
    {
        using var hann = hann_window(window, device: x.device);
        var flat = x.reshape(-1, x.shape[^1]);
        var magnitude = stft(flat, window, window / 4, window, hann, center: true, pad_mode: PaddingModes.Reflect, return_complex: true).abs();
        var mel = matmul(filters, magnitude); // (mels, bins) x (B, bins, frames)
        return mel.clamp_min(ClampEps).log10();
    }

    /// <summary>librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax) with htk=False, norm="slaney": (n_mels, n_fft/2 + 1).</summary>
    public static Tensor SlaneyMelFilters(int sampleRate, int nFft, int nMels, double fMin, double fMax)
    {
        int bins = nFft / 2 + 1;
        var melPoints = new double[nMels + 2];
        double lo = HzToMel(fMin), hi = HzToMel(fMax);
        for (int i = 0; i < nMels + 2; i++) melPoints[i] = MelToHz(lo + (hi - lo) * i / (nMels + 1));
        var weights = new float[nMels * bins];
        for (int m = 0; m < nMels; m++)
        {
            double left = melPoints[m], centre = melPoints[m + 1], right = melPoints[m + 2];
            double enorm = 2.0 / (right - left);
            for (int k = 0; k < bins; k++)
            {
                double f = (double)sampleRate * k / nFft;
                double lower = (f - left) / (centre - left), upper = (right - f) / (right - centre);
                weights[m * bins + k] = (float)(Math.Max(0, Math.Min(lower, upper)) * enorm);
            }
        }
        return tensor(weights, [nMels, bins]);
    }

    // Slaney's auditory-toolbox mel scale: linear below 1 kHz (200/3 Hz per mel), logarithmic above.
    private const double FSp = 200.0 / 3, MinLogHz = 1000.0, MinLogMel = MinLogHz / FSp;
    private static readonly double LogStep = Math.Log(6.4) / 27.0;
    public static double HzToMel(double hz) => hz >= MinLogHz ? MinLogMel + Math.Log(hz / MinLogHz) / LogStep : hz / FSp;
    public static double MelToHz(double mel) => mel >= MinLogMel ? MinLogHz * Math.Exp(LogStep * (mel - MinLogMel)) : FSp * mel;

    public void Dispose()
    {
        foreach (var (_, f) in scales) f.Dispose();
    }
}

/// <summary>DAC's least-squares GAN losses (dac/nn/loss.py GANLoss) over the feature maps of every sub-discriminator.</summary>
public static class DacGanLoss
{
    /// <summary>sum_d mean(D(fake)^2) + mean((1 - D(real))^2), on the last map (logits) of each sub-discriminator.</summary>
    public static Tensor Discriminator(List<List<Tensor>> fake, List<List<Tensor>> real)
    {
        var loss = zeros(1, device: fake[0][^1].device).squeeze();
        for (int d = 0; d < fake.Count; d++)
            loss = loss + fake[d][^1].square().mean() + (1 - real[d][^1]).square().mean();
        return loss;
    }

    /// <summary>Adversarial sum_d mean((1 - D(fake))^2) and feature matching sum_d sum_l L1(fmap_fake, fmap_real.detach()) over all maps but the logits.</summary>
    public static (Tensor adversarial, Tensor feature) Generator(List<List<Tensor>> fake, List<List<Tensor>> real)
    {
        var adv = zeros(1, device: fake[0][^1].device).squeeze();
        var feat = zeros(1, device: fake[0][^1].device).squeeze();
        for (int d = 0; d < fake.Count; d++)
        {
            adv = adv + (1 - fake[d][^1]).square().mean();
            for (int l = 0; l < fake[d].Count - 1; l++)
                feat = feat + (fake[d][l] - real[d][l].detach()).abs().mean();
        }
        return (adv, feat);
    }
}
