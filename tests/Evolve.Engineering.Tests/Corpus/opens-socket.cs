using System.Net.Sockets;

public static class Packing
{
    public static double[][] Construct()
    {
        using var client = new TcpClient();
        client.Connect("1.1.1.1", 80);
        return new double[26][];
    }
}
