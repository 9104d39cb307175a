# NixOS VM test (flake `checks.<system>.vm`, run with `nix flake check` or
# `nix build .#checks.x86_64-linux.vm`): the module on a real NixOS with a Nix >= 2.30, the machine's own Nix
# builds a derivation, and nod has recorded it.
{ self }:
{ pkgs, lib, ... }:
let
  # Built offline by the VM's Nix: the builder is a store path the VM already has.
  trivial = pkgs.writeText "nod-vm-trivial.nix" ''
    derivation {
      name = "nod-vm-trivial";
      system = "${pkgs.stdenv.hostPlatform.system}";
      builder = "''${builtins.storePath "${pkgs.busybox}"}/bin/sh";
      args = [ "-c" "echo built > $out" ];
    }
  '';
in
{
  name = "nod";

  nodes.machine = { pkgs, ... }: {
    imports = [ self.nixosModules.default ];
    services.nod.enable = true;
    nix.package = pkgs.nixVersions.latest; # >= 2.30: json-log-path
    nix.settings.substituters = lib.mkForce [ ];
    virtualisation.additionalPaths = [ pkgs.busybox trivial ];
    environment.systemPackages = [ pkgs.jq ];
    users.users.alice.isNormalUser = true;
  };

  testScript = ''
    machine.wait_for_unit("sockets.target")
    machine.succeed("test -S /run/nod.sock")
    machine.succeed("grep -qx 'json-log-path = /run/nod.sock' /etc/nix/nix.conf")
    machine.succeed("nix-build --no-out-link ${trivial}")

    # The build reached nod (the first connection started the collector).
    machine.wait_until_succeeds(
        "nodctl stats --kind build --output json | jq -e '.rows[] | select(.kind == \"build\") | .count >= 1'",
        timeout=60,
    )
    machine.succeed("test \"$(systemctl show -P User nod-collector.service)\" = nod")
    machine.succeed("test -f /var/lib/nod/nod.db")

    # Reading is for everyone, cleaning for root only.
    machine.succeed("su - alice -c 'nodctl stats --output json'")
    machine.fail("su - alice -c 'nodctl clean'")
    machine.succeed("nodctl stats --kind build --output json | jq -e '.rows[0].count >= 1'")
    machine.succeed("nodctl clean")
    machine.succeed("nodctl stats --kind build --output json | jq -e '.rows[0].count == 0'")

    # D-Bus activation after an idle exit.
    machine.succeed("systemctl stop nod-collector.service")
    machine.succeed("busctl call net.bergsoe.Nod1 /net/bergsoe/Nod1 net.bergsoe.Nod1 Stats 'a{sv}' 0")
    machine.succeed("systemctl is-active nod-collector.service")

    machine.succeed("systemd-analyze security --threshold=10 nod-collector.service")
  '';
}
