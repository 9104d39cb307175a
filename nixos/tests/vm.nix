# NixOS VM test (flake `checks.<system>.vm`; `nix build .#checks.x86_64-linux.vm`): the module on a real
# NixOS with a Nix >= 2.30, and what reaches nod (README, "What nod sees"):
# - alice's nix-build: an old-style command, which never opens json-log-path itself; it goes through
#   nix-daemon, whose worker reports the build;
# - root's `nix build`: root uses the store directly, and the new CLI opens json-log-path itself;
# - root's nix-build: neither, so nod never hears of it;
# - root's nix-build with services.nod.rootThroughDaemon (machine `viadaemon`): through the daemon.
# Then the metrics (docs/metrics.md): nod-exporter on its socket, and nod.prom through node_exporter's
# textfile collector, both still counting the builds after `nodctl clean` (lifetime counters).
# Every derivation is built only here (no substituters in the VM), by the VM's own Nix.
{ self }:
{ pkgs, lib, ... }:
let
  # A fresh derivation whose builder is a store path the VM already has (storePath makes it an input,
  # so the sandbox has it).
  derivationFile =
    name:
    pkgs.writeText "${name}.nix" ''
      builtins.derivation {
        name = "${name}";
        system = "${pkgs.stdenv.hostPlatform.system}";
        builder = "''${builtins.storePath "${pkgs.busybox}"}/bin/sh";
        args = [ "-c" "echo ${name} > $out" ];
      }
    '';
  alice = derivationFile "nod-vm-alice";
  aliceAgain = derivationFile "nod-vm-alice-again";
  rootCli = derivationFile "nod-vm-root-cli";
  rootLegacy = derivationFile "nod-vm-root-legacy";
  rootViaDaemon = derivationFile "nod-vm-root-via-daemon";

  common = {
    imports = [ self.nixosModules.default ];
    services.nod.enable = true; # services.nod.package: built from this repository with the VM's pkgs
    nix.package = pkgs.nixVersions.latest; # >= 2.30: json-log-path
    nix.settings.experimental-features = [ "nix-command" ];
    nix.settings.substituters = lib.mkForce [ ];
    virtualisation.additionalPaths = [
      pkgs.busybox
      alice
      aliceAgain
      rootCli
      rootLegacy
      rootViaDaemon
    ];
    environment.systemPackages = [
      pkgs.jq
      pkgs.curl
    ];
    users.users.alice.isNormalUser = true;
  };
in
{
  name = "nod";

  nodes.machine = {
    imports = [ common ];
    services.nod.exporter.enable = true;
    services.nod.textfile.enable = true;
    services.prometheus.exporters.node = {
      enable = true;
      enabledCollectors = [ "textfile" ];
      extraFlags = [ "--collector.textfile.directory=/var/lib/prometheus-node-exporter-text-files" ];
    };
  };
  nodes.viadaemon = {
    imports = [ common ];
    services.nod.rootThroughDaemon = true;
  };

  testScript = ''
    def builds(node, name, want):
        """Waits until nod has recorded `want` builds of the derivation `name`."""
        node.wait_until_succeeds(
            "nodctl stats --kind build --group --drv %s --output json"
            " | jq -e '([.rows[] | select(.name == \"%s\") | .count] | add // 0) == %d'" % (name, name, want),
            timeout=60,
        )

    start_all()
    for node in (machine, viadaemon):
        node.wait_for_unit("sockets.target")
        node.succeed("test -S /run/nod.sock")
        node.succeed("grep -qx 'json-log-path = /run/nod.sock' /etc/nix/nix.conf")

    with subtest("alice's nix-build reaches nod through the daemon's worker"):
        machine.succeed("su - alice -c 'nix-build --no-out-link ${alice}'")
        builds(machine, "nod-vm-alice", 1)

    with subtest("root's nix build (the new CLI, the store directly) reaches nod itself"):
        machine.succeed("nix build --impure --no-link --expr 'import ${rootCli}'")
        builds(machine, "nod-vm-root-cli", 1)

    with subtest("root's nix-build (old-style, the store directly) does not reach nod"):
        machine.succeed("nix-build --no-out-link ${rootLegacy}")
        # A later build that does reach nod: by then the legacy build would have been recorded.
        machine.succeed("su - alice -c 'nix-build --no-out-link ${aliceAgain}'")
        builds(machine, "nod-vm-alice-again", 1)
        builds(machine, "nod-vm-root-legacy", 0)

    with subtest("services.nod.rootThroughDaemon: root's nix-build goes through the daemon"):
        viadaemon.succeed("test \"$(su - root -c 'printenv NIX_REMOTE')\" = daemon")
        viadaemon.succeed("su - root -c 'nix-build --no-out-link ${rootViaDaemon}'")
        builds(viadaemon, "nod-vm-root-via-daemon", 1)

    with subtest("the collector runs as nod with its database in /var/lib/nod"):
        machine.succeed("test \"$(systemctl show -P User nod-collector.service)\" = nod")
        machine.succeed("test -f /var/lib/nod/nod.db")

    with subtest("reading is for everyone, cleaning for root only"):
        machine.succeed("su - alice -c 'nodctl stats --output json'")
        machine.fail("su - alice -c 'nodctl clean'")
        builds(machine, "nod-vm-alice", 1)
        machine.succeed("nodctl clean")
        machine.succeed("nodctl stats --kind build --output json | jq -e '(.rows | map(.count) | add // 0) == 0'")

    with subtest("metrics: nod-exporter, and nod.prom through node_exporter, outlive the clean"):
        builds_counted = "grep -qE '^nod_activities_total[{].*kind=\"build\".*[}] [1-9]'"
        machine.wait_for_unit("nod-exporter.socket")
        machine.succeed("curl -sf http://127.0.0.1:8463/metrics | grep -qx 'nod_up 1'")
        machine.succeed("curl -sf http://127.0.0.1:8463/metrics | " + builds_counted)
        machine.succeed("systemctl start nod-metrics-textfile.service")
        machine.succeed("test \"$(stat -c %a /var/lib/prometheus-node-exporter-text-files/nod.prom)\" = 644")
        machine.wait_for_open_port(9100)
        machine.succeed("curl -sf http://127.0.0.1:9100/metrics | grep -qx 'nod_up 1'")
        machine.succeed("curl -sf http://127.0.0.1:9100/metrics | " + builds_counted)

    with subtest("D-Bus activation brings the collector back"):
        machine.succeed("systemctl stop nod-collector.service")
        machine.succeed("busctl call net.bergsoe.Nod1 /net/bergsoe/Nod1 net.bergsoe.Nod1 Stats 'a{sv}' 0")
        machine.succeed("systemctl is-active nod-collector.service")

    machine.succeed("systemd-analyze security --threshold=10 nod-collector.service")
    machine.succeed("systemd-analyze security --threshold=10 nod-exporter.service")
  '';
}
