namespace GntCom.Xen;

internal static class Program
{
    private static int Main(string[] args) => VifScript.Execute(args);
}
