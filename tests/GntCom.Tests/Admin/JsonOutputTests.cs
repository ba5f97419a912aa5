using System.Linq;
using System.Text.Json;
using GntCom.Tests.Infrastructure;
using GntCom.Tests.Operators;
using Xunit;

namespace GntCom.Tests.Admin;

/// <summary>`gnt-com status --json` and `check --json`: one JSON document each, with exactly the fields gnt-com(8) documents.</summary>
public sealed class JsonOutputTests
{
    [HostFact]
    public void Status_json_is_one_document_with_the_documented_fields()
    {
        using var h = new Host();
        h.AddTap("tap0");
        Assert.Equal(0, h.Ifup("tap0", "169.254.42.1", "52:54:00:42:00:01", ("INSTANCE", "db1")).Code);
        Assert.Equal(0, h.Admin("allocate", "--ip", "169.254.42.2", "--mac", "52:54:00:42:00:02").Code);

        var r = h.Admin("status", "--json");
        Assert.True(r.Code == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        var documented = ManPage.Load("gnt-com.8").Tags("JSON OUTPUT");
        Assert.Equal(documented, root.EnumerateObject().Select(p => p.Name).ToList());

        Assert.Equal(h.StateRoot, root.GetProperty("state_dir").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("lock_holder").ValueKind);
        var channel = Assert.Single(root.GetProperty("channels").EnumerateArray());
        Assert.Equal(new[] { "name", "original", "kind", "ip", "mac", "instance", "ifindex", "state" }, channel.EnumerateObject().Select(p => p.Name));
        Assert.Equal("gnt.com.0", channel.GetProperty("name").GetString());
        Assert.Equal("tap0", channel.GetProperty("original").GetString());
        Assert.Equal("tap", channel.GetProperty("kind").GetString());
        Assert.Equal("169.254.42.1", channel.GetProperty("ip").GetString());
        Assert.Equal("db1", channel.GetProperty("instance").GetString());
        Assert.Equal(int.Parse(h.Ns.Must("cat", "/sys/class/net/gnt.com.0/ifindex").Trim()), channel.GetProperty("ifindex").GetInt32());
        Assert.Equal("no-carrier", channel.GetProperty("state").GetString());
        var reservation = Assert.Single(root.GetProperty("reservations").EnumerateArray());
        Assert.Equal("gnt.com.1", reservation.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, reservation.GetProperty("instance").ValueKind);
        var dhcp = root.GetProperty("dhcp");
        Assert.Equal(new[] { "provider", "mode", "pid", "leases", "hosts_file", "error", "rivals" }, dhcp.EnumerateObject().Select(p => p.Name));
        Assert.Equal("off", dhcp.GetProperty("provider").GetString());
        Assert.Empty(root.GetProperty("problems").EnumerateArray());
    }

    [HostFact]
    public void Check_json_says_ok_or_lists_the_problems_with_the_exit_status_of_check()
    {
        using var h = new Host();
        h.AddTap("tap0");
        Assert.Equal(0, h.Ifup("tap0", "169.254.43.1", "52:54:00:43:00:01").Code);
        var clean = h.Admin("check", "--json");
        Assert.True(clean.Code == 0, clean.ToString());
        using (var doc = JsonDocument.Parse(clean.Out))
        {
            Assert.True(doc.RootElement.GetProperty("ok").GetBoolean());
            Assert.Empty(doc.RootElement.GetProperty("problems").EnumerateArray());
        }

        h.Ns.Ip("route", "del", "169.254.43.1/32", "dev", "gnt.com.0");
        var broken = h.Admin("check", "--json");
        Assert.Equal(1, broken.Code);
        using (var doc = JsonDocument.Parse(broken.Out))
        {
            Assert.False(doc.RootElement.GetProperty("ok").GetBoolean());
            Assert.Equal(new[] { "gnt.com.0: no route 169.254.43.1/32 via it" },
                doc.RootElement.GetProperty("problems").EnumerateArray().Select(p => p.GetString()));
        }
        // The same problem in status's document.
        using var status = JsonDocument.Parse(h.Admin("status", "--json").Out);
        Assert.Contains("gnt.com.0: no route 169.254.43.1/32 via it", status.RootElement.GetProperty("problems").EnumerateArray().Select(p => p.GetString()));
    }
}
