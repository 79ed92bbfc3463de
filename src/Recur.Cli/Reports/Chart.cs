namespace Recur.Cli.Reports;

/// <summary>What a chart shows, for the tests and for anyone reading the page's source.</summary>
internal enum ChartKind
{
    /// <summary>Lines over epochs, time or time steps.</summary>
    Lines,

    /// <summary>A matrix of cells coloured by value.</summary>
    Heatmap,

    /// <summary>One bar per category.</summary>
    Bars,
}

/// <summary>A rendered chart: an inline SVG with a stable identifier and a caption.</summary>
/// <param name="Id">The identifier on the page (<c>data-chart</c>), e.g. <c>loss-epoch</c>; the tests look charts up by it.</param>
/// <param name="Kind">What it shows.</param>
/// <param name="Svg">The SVG element, its internal identifiers prefixed with <paramref name="Id"/> so that charts on one page do not share them.</param>
/// <param name="Caption">What to read in it, or null.</param>
internal sealed record Chart(string Id, ChartKind Kind, string Svg, string? Caption);
