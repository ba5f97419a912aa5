using System.IO;
using GntCom.Tests.Infrastructure;
using Xunit;

namespace GntCom.Tests.Xen;

/// <summary>Our test xenstore daemon is real enough: Debian's own xenstore-utils work against it.</summary>
public sealed class XenstoreServerTests
{
    [HostFact("xenstore-write", "xenstore-read", "xenstore-ls", "xenstore-rm")]
    public void Debian_xenstore_utils_read_write_list_and_remove_through_it()
    {
        using var sandbox = new Sandbox();
        using var store = new XenstoreServer(Path.Combine(sandbox.Dir, "xs.sock"));
        var env = new System.Collections.Generic.Dictionary<string, string?> { ["XENSTORED_PATH"] = store.SocketPath };
        ProcResult Xs(string tool, params string[] args) => Proc.Run(tool, args, env, 10_000);

        Assert.Equal(0, Xs("xenstore-write", "/local/domain/0/backend/vif/5/0/mac", "00:16:3e:00:00:05").Code);
        // Relative paths resolve under dom0's home, as xenstored does for dom0 clients.
        Assert.Equal(0, Xs("xenstore-write", "backend/vif/5/0/vifname", "gnt.com.0", "backend/vif/5/0/ip", "169.254.7.7").Code);
        Assert.Equal("gnt.com.0\n", Xs("xenstore-read", "/local/domain/0/backend/vif/5/0/vifname").Out);
        Assert.Equal("00:16:3e:00:00:05\n", Xs("xenstore-read", "backend/vif/5/0/mac").Out);
        Assert.Equal("169.254.7.7", store.Read("/local/domain/0/backend/vif/5/0/ip"));

        string ls = Xs("xenstore-ls", "/local/domain/0/backend/vif/5").Out;
        Assert.Contains("0 = \"\"", ls);
        Assert.Contains(" mac = \"00:16:3e:00:00:05\"", ls);
        Assert.Contains(" vifname = \"gnt.com.0\"", ls);

        var missing = Xs("xenstore-read", "backend/vif/5/0/nope");
        Assert.NotEqual(0, missing.Code);
        Assert.Equal(0, Xs("xenstore-rm", "backend/vif/5/0/ip").Code);
        Assert.Null(store.Read("backend/vif/5/0/ip"));
        Assert.NotEqual(0, Xs("xenstore-read", "backend/vif/5/0/ip").Code);
    }
}
