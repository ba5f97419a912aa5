using System.Runtime.Versioning;
using Xunit;

// GntCom is Linux software: taps, netlink, /proc/sys.
[assembly: SupportedOSPlatform("linux")]

// The behaviour tests start qemu, dnsmasq and many short-lived namespaces; on a 2-core
// machine running them one at a time keeps their timing honest.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
