namespace PianoJudges.Encoders;

using PianoJudges.Encoders.Weights;

/// <summary>Opens a released encoder checkpoint: a PyTorch zip file (state dict under <c>entry</c>) or a safetensors file.</summary>
public static class EncoderCheckpoint
{
    /// <param name="path">.pth / .pth.tar / .bin (torch.save >= 1.6) or .safetensors, recognised by content.</param>
    /// <param name="entry">Where a PyTorch training checkpoint keeps the state dict ("model" for Audio-MAE and Jukebox, "state_dict" for DAC).</param>
    /// <param name="inertClasses">Data-only classes the checkpoint may hold besides tensors (Audio-MAE saves its argparse.Namespace).</param>
    public static StateDict Load(string path, string entry, IEnumerable<string>? inertClasses = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint not found: {path}", path);
        Span<byte> magic = stackalloc byte[2];
        using (var fs = File.OpenRead(path))
            if (fs.Read(magic) < 2) throw new CheckpointFormatException(path, "is too short to be a checkpoint");
        return magic[0] == (byte)'P' && magic[1] == (byte)'K'
            ? TorchCheckpoint.LoadStateDict(path, entry, inertClasses)
            : StateDict.Load(path);
    }

    /// <summary>"name@sha256-prefix": identifies a weights file in encoder ConfigKeys (cache keys), so two files of the same name never share cached embeddings.</summary>
    public static string Identity(string path)
    {
        using var stream = File.OpenRead(path);
        var hash = System.Security.Cryptography.SHA256.HashData(stream);
        return $"{Path.GetFileName(path)}@{Convert.ToHexStringLower(hash)[..16]}";
    }
}
