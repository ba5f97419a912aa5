using System.Collections.Generic;
using System.Globalization;
using GntCom.Inputs;

namespace GntCom.State;

/// <summary>
/// Left by vif-gnt-com when it brought a Ganeti channel vif online without knowing the
/// guest's IP (STATE/notes/IFINDEX): the later gnt-com-ifup (Ganeti's xen-ifup-os) reads it
/// and records the channel as a Xen vif, with its hypervisor name and backend path.
/// </summary>
public sealed record VifNote(int Index, string Name, string Original, string Backend)
{
    public string Serialize() => KeyValueText.Format(
        ("ifindex", Index.ToString(CultureInfo.InvariantCulture)), ("name", Name), ("original", Original), ("backend", Backend));

    public static VifNote Parse(string fileName, string text)
    {
        var m = KeyValueText.Parse(text);
        if (!int.TryParse(m.GetValueOrDefault("ifindex"), NumberStyles.None, CultureInfo.InvariantCulture, out int index) || index <= 0
            || index.ToString(CultureInfo.InvariantCulture) != fileName)
            throw new InvalidInputException("vif note " + Quote.Value(fileName) + " has a bad ifindex");
        string backend = m.GetValueOrDefault("backend") ?? "";
        if (!XenbusPath.IsValid(backend)) throw new InvalidInputException("vif note " + Quote.Value(fileName) + " has a bad backend");
        return new VifNote(index, Names.Interface(m.GetValueOrDefault("name"), "vif note name"),
            Names.Interface(m.GetValueOrDefault("original"), "vif note original"), backend);
    }
}
