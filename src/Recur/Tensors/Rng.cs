using System.Numerics;

namespace Recur.Tensors;

/// <summary>
/// A small deterministic pseudo-random generator (xoshiro256** seeded by SplitMix64). Unlike
/// <see cref="System.Random"/>, its sequence is fixed by this code and never changes between .NET versions, so a
/// seed reproduces initial weights, dropout masks and shuffles exactly.
/// </summary>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a generator from <paramref name="seed"/>.</summary>
    public Rng(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>
    /// The process-wide generator that layers draw from when none is passed (like torch's default generator);
    /// reseed it with <see cref="ManualSeed"/> to make a whole program reproducible.
    /// </summary>
    public static Rng Default { get; private set; } = new(0x5EED);

    /// <summary>Reseeds <see cref="Default"/>.</summary>
    public static void ManualSeed(ulong seed) => Default = new Rng(seed);

    /// <summary>A new generator whose seed is drawn from this one (for an independent stream, e.g. per layer).</summary>
    public Rng Fork() => new(NextUInt64());

    /// <summary>The generator's position in its stream (for checkpoints): restoring it with <see cref="SetState"/>
    /// continues the same sequence of numbers.</summary>
    public RngState GetState() => new(_s0, _s1, _s2, _s3);

    /// <summary>Moves the generator to <paramref name="state"/>, taken from <see cref="GetState"/>.</summary>
    /// <exception cref="ArgumentException">The state is all zeros (xoshiro256** would then return zeros forever).</exception>
    public void SetState(RngState state)
    {
        if ((state.S0 | state.S1 | state.S2 | state.S3) == 0)
            throw new ArgumentException("an all-zero state is not a valid xoshiro256** state", nameof(state));
        (_s0, _s1, _s2, _s3) = (state.S0, state.S1, state.S2, state.S3);
    }

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 24 random bits (every float in the range is equally spaced).</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias (Lemire's multiply-and-reject on 64 bits).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), $"must be positive, got {maxExclusive}");
        ulong range = (ulong)maxExclusive;
        UInt128 m = (UInt128)NextUInt64() * range;
        if ((ulong)m < range)
        {
            ulong threshold = (0UL - range) % range;
            while ((ulong)m < threshold) m = (UInt128)NextUInt64() * range;
        }
        return (int)(m >> 64);
    }

    /// <summary>
    /// The generator of epoch <paramref name="epoch"/> of a run seeded with <paramref name="seed"/>: a different,
    /// reproducible stream per epoch (seed ^ epoch·0xD1B54A32D192ED03, mixed by SplitMix64).
    /// </summary>
    public static Rng ForEpoch(ulong seed, int epoch)
    {
        ulong x = seed ^ ((ulong)(uint)epoch * 0xD1B54A32D192ED03UL);
        return new Rng(SplitMix64(ref x));
    }

    /// <summary>Standard normal sample (Box-Muller).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble(); // (0, 1]
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Fills <paramref name="destination"/> with uniform samples in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public void FillUniform(Span<float> destination, float low, float high)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = low + (high - low) * NextFloat();
    }

    /// <summary>Fisher-Yates shuffle of <paramref name="items"/>.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>
    /// SplitMix64 step: x += 0x9E3779B97F4A7C15, then z = x; z = (z ^ z &gt;&gt; 30) * 0xBF58476D1CE4E5B9;
    /// z = (z ^ z &gt;&gt; 27) * 0x94D049BB133111EB; return z ^ z &gt;&gt; 31. Seeds the xoshiro state.
    /// </summary>
    public static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>The 256-bit state of an <see cref="Rng"/> (xoshiro256**'s four words s0..s3).</summary>
public readonly record struct RngState(ulong S0, ulong S1, ulong S2, ulong S3);
