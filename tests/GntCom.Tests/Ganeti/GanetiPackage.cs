using System.IO;
using System.Text;

namespace GntCom.Tests.Ganeti;

/// <summary>
/// What Debian's ganeti package puts in /etc/ganeti for the channel: kvm-ifup-os and
/// xen-ifup-os, regular files (conffiles), mode 0755. Stand-ins: bash scripts that say
/// they ran (so a test notices when Ganeti's own script runs instead of GntCom's) and do
/// nothing else, with a byte that is not ASCII and no final newline, so that a restore
/// that is not byte for byte shows.
/// </summary>
public static class GanetiPackage
{
    public static readonly string[] ConfFiles = { "kvm-ifup-os", "xen-ifup-os" };

    public static byte[] Content(string name) => Encoding.UTF8.GetBytes(
        "#!/bin/bash\n# Copyright \u00a9 2014 Google Inc. (stand-in for the ganeti package's " + name + ")\n" +
        "echo \"Ganeti's own " + name + " ran for $INTERFACE\" >&2\nexit 0");

    /// <summary>Writes both files into <paramref name="dir"/> (created), as dpkg unpacks them.</summary>
    public static void WriteConfFiles(string dir)
    {
        Directory.CreateDirectory(dir);
        foreach (string name in ConfFiles)
        {
            string path = Path.Combine(dir, name);
            File.WriteAllBytes(path, Content(name));
            File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        }
    }
}
