namespace Recur.Data.Batching;

/// <summary>
/// Seeded pseudo-random numbers for shuffling: xoshiro256** (Blackman and Vigna), its 256-bit state filled from
/// the seed by SplitMix64. Defined by its equations, so a seed gives the same sequence on every .NET version and
/// platform (System.Random gives no such promise). Not for cryptography.
/// </summary>
public sealed class Xoshiro256
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a generator from <paramref name="seed"/>.</summary>
    public Xoshiro256(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>
    /// SplitMix64 step: x += 0x9E3779B97F4A7C15, then z = x; z = (z ^ z &gt;&gt; 30) * 0xBF58476D1CE4E5B9;
    /// z = (z ^ z &gt;&gt; 27) * 0x94D049BB133111EB; return z ^ z &gt;&gt; 31.
    /// </summary>
    public static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits: result = rotl(s1 * 5, 7) * 9, then the xoshiro state update.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform integer in [0, <paramref name="n"/>), without modulo bias (Lemire's multiply-and-reject).</summary>
    public int NextInt(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ulong range = (ulong)n;
        UInt128 m = (UInt128)NextUInt64() * range;
        ulong low = (ulong)m;
        if (low < range)
        {
            ulong threshold = (0UL - range) % range;
            while (low < threshold)
            {
                m = (UInt128)NextUInt64() * range;
                low = (ulong)m;
            }
        }
        return (int)(m >> 64);
    }

    /// <summary>A uniform double in [0, 1) from the top 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates, from the end).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A generator for epoch <paramref name="epoch"/> of a run seeded with <paramref name="seed"/>: each epoch shuffles differently, reproducibly.</summary>
    public static Xoshiro256 ForEpoch(ulong seed, int epoch)
    {
        ulong x = seed ^ ((ulong)(uint)epoch * 0xD1B54A32D192ED03UL);
        return new Xoshiro256(SplitMix64(ref x));
    }
}
