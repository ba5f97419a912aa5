namespace GntCom.Kvm;

internal static class Program
{
    /// <summary>qemu's downscript=: always tears down, whatever ACTION says.</summary>
    private static int Main(string[] args) => TapScript.Execute("gnt-com-ifdown", args, down: true);
}
