namespace GntCom.Kvm;

internal static class Program
{
    /// <summary>qemu's script= (and Ganeti's NIC script: ACTION=down tears down).</summary>
    private static int Main(string[] args) => TapScript.Execute("gnt-com-ifup", args, down: false);
}
