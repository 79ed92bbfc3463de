namespace Recur.Kernels;

/// <summary>
/// Row counts as types, so that a kernel generic over <see cref="ICount"/> is compiled once per count with the count
/// a constant: the micro-kernel for the last, partial row panel of C then does only the rows that exist.
/// </summary>
internal static class GemmRows
{
    internal interface ICount { static abstract int Count { get; } }

    internal struct R1 : ICount { public static int Count => 1; }
    internal struct R2 : ICount { public static int Count => 2; }
    internal struct R3 : ICount { public static int Count => 3; }
    internal struct R4 : ICount { public static int Count => 4; }
    internal struct R5 : ICount { public static int Count => 5; }
    internal struct R6 : ICount { public static int Count => 6; }
    internal struct R7 : ICount { public static int Count => 7; }
    internal struct R8 : ICount { public static int Count => 8; }
    internal struct R9 : ICount { public static int Count => 9; }
    internal struct R10 : ICount { public static int Count => 10; }
    internal struct R11 : ICount { public static int Count => 11; }
    internal struct R12 : ICount { public static int Count => 12; }
}
