using GntCom.State;

namespace GntCom.Channel;

/// <summary>
/// When a Xen vif's channel goes (its domain rebooted, crashed or was destroyed), what it
/// carried is remembered for a while (<see cref="VifMemory"/>): libxl restarts a domain with
/// the same vif spec and Ganeti runs no xen-ifup-os then, so vif-gnt-com gives the new vif
/// the channel back. It is kept under the vif's vifname, which the next online names. A memory that cannot be written (a full /run) is only logged.
/// </summary>
internal sealed class VifMemoryPart : ChannelPart
{
    public override void Remove(TearDown t)
    {
        var r = t.Record;
        if (r.Kind == ChannelKind.Vif && r.Backend != null)
            t.Node.Store.Save(new VifMemory(r.Vifname ?? r.Name, r.Ip, r.Mac, r.Instance, VifMemory.Now));
    }
}
