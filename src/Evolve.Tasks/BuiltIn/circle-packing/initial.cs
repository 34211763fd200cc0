// Initial program for the circle-packing task: 26 circles in the unit square, maximise the sum of radii.
// Centres come from the table below (a 6 x 5 grid with four slots left empty); radii are then made as large as
// the walls allow and shrunk pairwise until no two circles overlap, so any table of centres gives a valid packing.
using System;

public static class Packing
{
    // One row per circle: centre x, centre y.
    private static readonly double[,] Centres =
    {
        { 0.0833, 0.1000 }, { 0.2500, 0.1000 }, { 0.4167, 0.1000 }, { 0.5833, 0.1000 }, { 0.7500, 0.1000 }, { 0.9167, 0.1000 },
        { 0.0833, 0.3000 }, { 0.2500, 0.3000 }, { 0.4167, 0.3000 }, { 0.5833, 0.3000 }, { 0.7500, 0.3000 }, { 0.9167, 0.3000 },
        { 0.0833, 0.5000 }, { 0.2500, 0.5000 }, { 0.4167, 0.5000 }, { 0.5833, 0.5000 }, { 0.7500, 0.5000 }, { 0.9167, 0.5000 },
        { 0.0833, 0.7000 }, { 0.2500, 0.7000 }, { 0.4167, 0.7000 }, { 0.5833, 0.7000 },
        { 0.0833, 0.9000 }, { 0.2500, 0.9000 }, { 0.4167, 0.9000 }, { 0.5833, 0.9000 },
    };

    // Largest radius a circle may start with, and how many pairwise shrinking sweeps to run. The cap is above half
    // the grid spacing, so the shrinking decides the radii and moving a centre changes the score; with a cap of exactly
    // half the spacing every circle is pinned and no small change of the table can improve the packing.
    private const double MaxRadius = 0.1000;
    private const int Sweeps = 3;
    // Keeps shrunk pairs a hair apart so rounding never makes them overlap.
    private const double Safety = 0.9999990;

    public static double[][] Construct()
    {
        var n = Centres.GetLength(0);
        var circles = new double[n][];
        for (var i = 0; i < n; i++)
        {
            var x = Math.Clamp(Centres[i, 0], 0.0, 1.0);
            var y = Math.Clamp(Centres[i, 1], 0.0, 1.0);
            var wall = Math.Min(Math.Min(x, 1.0 - x), Math.Min(y, 1.0 - y));
            circles[i] = new[] { x, y, Math.Min(wall, MaxRadius) };
        }

        for (var sweep = 0; sweep < Sweeps; sweep++)
        {
            for (var i = 0; i < n; i++)
            {
                for (var j = i + 1; j < n; j++)
                {
                    var dx = circles[i][0] - circles[j][0];
                    var dy = circles[i][1] - circles[j][1];
                    var distance = Math.Sqrt(dx * dx + dy * dy);
                    var sum = circles[i][2] + circles[j][2];
                    if (sum > distance)
                    {
                        var scale = distance / sum * Safety;
                        circles[i][2] *= scale;
                        circles[j][2] *= scale;
                    }
                }
            }
        }
        return circles;
    }
}
