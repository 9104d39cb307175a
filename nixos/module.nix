# NixOS module for nod, the Nix Observability Daemon.
#
#   imports = [ nod.nixosModules.default ];   # the flake's module sets `package` for you
#   services.nod.enable = true;
#
# It installs nod's units (socket-activated collector), its D-Bus policy and activation file, the `nod`
# user and `nodctl`, and points Nix's `json-log-path` at the collector's socket. Needs Nix >= 2.30.
{ config, lib, pkgs, ... }:

let
  cfg = config.services.nod;
  defaultSocket = "/run/nod.sock";
in
{
  options.services.nod = {
    enable = lib.mkEnableOption "nod, a history of Nix builds, substitutions and copies (nod-collector and nodctl)";

    package = lib.mkOption {
      type = lib.types.package;
      description = "The nod package: nod-collector, nodctl, the systemd units and the D-Bus files.";
    };

    retainDays = lib.mkOption {
      type = lib.types.ints.unsigned;
      default = 180;
      description = "Rows older than this many days are deleted every night; 0 keeps everything.";
    };

    socketPath = lib.mkOption {
      type = lib.types.str;
      default = defaultSocket;
      description = ''
        The Unix socket nod-collector.socket listens on and Nix writes its activity log to
        (`nix.settings.json-log-path`).
      '';
    };

    idleExitSec = lib.mkOption {
      type = lib.types.ints.unsigned;
      default = 60;
      description = ''
        The collector exits after this many seconds without Nix connections or D-Bus calls; the socket
        and D-Bus activation start it again when needed. 0: it never exits.
      '';
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = [
      {
        # With an older Nix, nix.conf's unknown json-log-path fails the system build (nix.checkConfig).
        assertion = lib.versionAtLeast config.nix.package.version "2.30";
        message = "services.nod needs Nix >= 2.30 for json-log-path (nix.package is ${config.nix.package.version}); "
          + "set nix.package to a newer Nix, e.g. pkgs.nixVersions.latest";
      }
    ];

    nix.settings.json-log-path = cfg.socketPath;

    # nod-collector.socket and nod-collector.service from the package; NixOS ignores their [Install]
    # sections, so the socket is wanted here. Module attributes become drop-ins on the packaged units.
    systemd.packages = [ cfg.package ];
    systemd.sockets.nod-collector = {
      wantedBy = [ "sockets.target" ];
      listenStreams = lib.mkIf (cfg.socketPath != defaultSocket) [ "" cfg.socketPath ];
    };
    # The packaged service passes these to nod-collector (--retain-days=${NOD_RETAIN_DAYS} ...).
    systemd.services.nod-collector.environment = {
      NOD_RETAIN_DAYS = toString cfg.retainDays;
      NOD_IDLE_EXIT_SEC = toString cfg.idleExitSec;
    };

    # share/dbus-1/system.d/net.bergsoe.Nod1.conf (policy) and system-services/net.bergsoe.Nod1.service.
    services.dbus.packages = [ cfg.package ];

    # A static user: the bus policy names it, so it must exist when dbus-daemon loads the policy.
    users.users.nod = {
      isSystemUser = true;
      group = "nod";
      description = "nod collector";
      home = "/var/lib/nod";
    };
    users.groups.nod = { };

    environment.systemPackages = [ cfg.package ];
  };
}
