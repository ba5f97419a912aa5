# GntCom: `make` publishes the NativeAOT executables into out/, `make test` runs every test.
DOTNET ?= dotnet
OUT    := out
CONFIG := Release
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc

CORE_SRC := $(shell find src/GntCom -name '*.cs' -o -name '*.csproj' -o -name '*.xml') Directory.Build.props Directory.Packages.props src/Executable.props
BINS     := $(OUT)/gnt-com-ifup $(OUT)/gnt-com-ifdown $(OUT)/vif-gnt-com $(OUT)/gnt-com

PUBLISH = $(DOTNET) publish $< -c $(CONFIG) -o $(OUT) --nologo -v quiet -clp:NoSummary && rm -f $(OUT)/*.dbg $(OUT)/*.pdb
TOOLS    := $(OUT)/tools/xenstored $(OUT)/tools/empty $(OUT)/tools/udp-sendto
# Helpers of make demo and make bench (not installed): the stand-in xenstore, the floor, the sender.
PUBLISH_TOOL = $(DOTNET) publish $< -c $(CONFIG) -o $(OUT)/tools --nologo -v quiet -clp:NoSummary && rm -f $(OUT)/tools/*.dbg $(OUT)/tools/*.pdb

.PHONY: all test deps unit bench demo install uninstall deb e2e clean
all: $(BINS)

$(OUT)/gnt-com-ifup: kvm/gnt-com-ifup/gnt-com-ifup.csproj kvm/gnt-com-ifup/Program.cs kvm/TapScript.cs $(CORE_SRC)
	$(PUBLISH)
$(OUT)/gnt-com-ifdown: kvm/gnt-com-ifdown/gnt-com-ifdown.csproj kvm/gnt-com-ifdown/Program.cs kvm/TapScript.cs $(CORE_SRC)
	$(PUBLISH)
$(OUT)/vif-gnt-com: xen/vif-gnt-com.csproj $(wildcard xen/*.cs) $(CORE_SRC)
	$(PUBLISH)
$(OUT)/gnt-com: src/gnt-com/gnt-com.csproj $(wildcard src/gnt-com/*.cs) $(CORE_SRC)
	$(PUBLISH)

$(OUT)/tools/xenstored: tests/xenstored/xenstored.csproj tests/xenstored/Program.cs tests/GntCom.Tests/Xen/XenstoreServer.cs src/Executable.props
	$(PUBLISH_TOOL)
$(OUT)/tools/empty: scripts/bench/empty/empty.csproj scripts/bench/empty/Program.cs
	$(PUBLISH_TOOL)
$(OUT)/tools/udp-sendto: scripts/bench/udp-sendto/udp-sendto.csproj scripts/bench/udp-sendto/Program.cs src/Executable.props
	$(PUBLISH_TOOL)

# Every test: unit tests in-process, behaviour tests against out/ (as root: namespaces,
# taps, qemu, dnsmasq, xenstore). Ends with one "N passed, N failed, N skipped" line.
test: deps $(BINS)
	scripts/run-tests.sh $(CONFIG)

# Debian packages the tests and the demo use (installed only when missing; needs root).
deps:
	scripts/install-deps.sh --if-missing

# Only the tests that need neither root nor out/.
unit:
	scripts/run-tests.sh $(CONFIG) --filter 'FullyQualifiedName~GntCom.Tests.Unit'

bench: deps $(BINS) $(TOOLS)
	scripts/bench.sh

demo: deps $(BINS) $(OUT)/tools/xenstored
	scripts/demo.sh

# The layout is described in scripts/install.sh (and README.md); DESTDIR stages it.
install: $(BINS)
	PREFIX='$(PREFIX)' SYSCONFDIR='$(SYSCONFDIR)' DESTDIR='$(DESTDIR)' scripts/install.sh

uninstall:
	PREFIX='$(PREFIX)' SYSCONFDIR='$(SYSCONFDIR)' DESTDIR='$(DESTDIR)' scripts/install.sh --uninstall

# out/gnt-com_VERSION_amd64.deb (VERSION from Directory.Build.props), without debhelper.
deb: $(BINS)
	scripts/deb.sh

# The real callers, from each Debian release's packages (E2E_RELEASES, default "12 13":
# Ganeti 3.0.2 / 3.1.0~rc2 with KVM instances, Xen 4.17 / 4.20 nested in qemu), driving the
# .deb, its upgrades from GntCom's earlier releases and its purge (as root; what they build
# is cached in /var/cache/gnt-com-e2e). Ends with one table, a column per release.
e2e: deps deb
	scripts/e2e/run.sh

clean:
	rm -rf $(OUT) */bin */obj */*/bin */*/obj scripts/bench/*/bin scripts/bench/*/obj
