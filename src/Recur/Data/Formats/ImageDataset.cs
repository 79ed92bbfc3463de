using Recur.Data.Files;
using Recur.Tensors;
using System.Globalization;

namespace Recur.Data.Formats;

/// <summary>
/// Small grey images as feature vectors with class labels, e.g. the 8x8 digits: <see cref="Pixels"/> [N, H·W]
/// scaled to [0, 1], row-major within an image. For one-to-many tasks the vector is the single input from which a
/// sequence is generated.
/// </summary>
public sealed class ImageDataset
{
    /// <summary>Creates the dataset; <paramref name="pixels"/> must be [N, height·width] and labels [N].</summary>
    public ImageDataset(Tensor pixels, int[] labels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        pixels.CheckShape(nameof(pixels), labels.Length, height * width);
        Pixels = pixels;
        Labels = labels;
        Height = height;
        Width = width;
    }

    /// <summary>[N, H·W] intensities in [0, 1].</summary>
    public Tensor Pixels { get; }

    /// <summary>[N] class labels.</summary>
    public int[] Labels { get; }

    /// <summary>Image height H.</summary>
    public int Height { get; }

    /// <summary>Image width W.</summary>
    public int Width { get; }

    /// <summary>Number of images N.</summary>
    public int Count => Labels.Length;

    /// <summary>
    /// Reads a headerless CSV of images: <paramref name="height"/>·<paramref name="width"/> integer intensities in
    /// [0, <paramref name="maxValue"/>] then an integer label (the scikit-learn digits layout: 8, 8, 16). Pixels are
    /// divided by maxValue. Any other field count or value is an error with file and line.
    /// </summary>
    public static ImageDataset ReadCsv(string path, int height = 8, int width = 8, int maxValue = 16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxValue, 1);
        int size = height * width;
        var pixels = new List<float>();
        var labels = new List<int>();
        string source = DataFile.DisplayName(path);
        foreach (var row in DelimitedFile.Enumerate(path, DelimitedOptions.Csv with { HasHeader = false }))
        {
            if (row.Fields.Length != size + 1)
                throw new DataFormatException(source, row.Line, $"expected {size} pixels and a label ({size + 1} fields), got {row.Fields.Length}");
            for (int k = 0; k < size; k++)
            {
                if (!int.TryParse(row.Fields[k], NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < 0 || v > maxValue)
                    throw new DataFormatException(source, row.Line, $"pixel {k + 1} is \"{row.Fields[k]}\", expected an integer in [0, {maxValue}]");
                pixels.Add(v / (float)maxValue);
            }
            if (!int.TryParse(row.Fields[size], NumberStyles.Integer, CultureInfo.InvariantCulture, out int label))
                throw new DataFormatException(source, row.Line, $"label \"{row.Fields[size]}\" is not an integer");
            labels.Add(label);
        }
        return new ImageDataset(Tensor.FromArray([.. pixels], labels.Count, size), [.. labels], height, width);
    }
}
