# NixOS module for nod, the Nix Observability Daemon.
#
#   imports = [ nod.nixosModules.default ];   # or this file
#   services.nod.enable = true;
#
# It installs nod's units (socket-activated collector), its D-Bus policy and activation file, the `nod`
# user and `nodctl`, and points Nix's `json-log-path` at the collector's socket. Needs Nix >= 2.30 (not
# Lix: it has no json-log-path). nod is built from this repository with the system's own nixpkgs.
# Metrics for Prometheus (docs/metrics.md): services.nod.exporter (nod-exporter behind its socket) or
# services.nod.textfile (a file for node_exporter's textfile collector, every minute).
{
  config,
  lib,
  pkgs,
  ...
}:

let
  cfg = config.services.nod;
  defaultSocket = "/run/nod.sock";

  # nixpkgs' Lix packages (lix, lixPackageSets.*.lix) are named "lix"; their versions (2.9x) are above
  # 2.30, so the version alone would let them through.
  nixName = lib.getName config.nix.package;
  nixVersion = lib.getVersion config.nix.package;
  isLix = nixName == "lix";

  # The packaged nod-exporter.socket listens here; the module writes ListenStream= only for another one.
  defaultExporterListen = "127.0.0.1:8463";
  # systemd wants an IPv6 literal in brackets before its port.
  exporterHost = a: if lib.hasInfix ":" a && !lib.hasPrefix "[" a then "[${a}]" else a;
  exporterListen = "${exporterHost cfg.exporter.listenAddress}:${toString cfg.exporter.port}";
in
{
  options.services.nod = {
    enable = lib.mkEnableOption "nod, a history of Nix builds, substitutions and copies";

    package = lib.mkOption {
      type = lib.types.package;
      default = pkgs.callPackage ./package.nix { };
      defaultText = lib.literalExpression "pkgs.callPackage ./package.nix { }";
      description = ''
        The nod package: nod-collector, nodctl, the systemd units and the D-Bus files. By default
        nixos/package.nix of this repository, built with the system's own `pkgs`.
      '';
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

    rootThroughDaemon = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = ''
        Set `NIX_REMOTE=daemon` in every login session and shell (`environment.sessionVariables`: PAM,
        so `sudo`, `su`, ssh and console logins, and /etc/set-environment), so that root's old-style
        commands (`nix-build`, `nix-shell`, `nix-env`, `nix-store`, and so `nixos-rebuild` without
        flakes) go through nix-daemon, whose workers report to nod. Without it root uses the store
        directly and those commands never open `json-log-path`. Other users reach the daemon anyway.

        Trade-off: root's builds then run in the daemon (one more process between the command and
        the build; the daemon's nix.conf applies, and root's `--option`s pass as a trusted user's
        would); `nix-store --gc` and `nix-collect-garbage` run in the daemon as they do for users; and
        while nix-daemon is down root cannot build either (override with `NIX_REMOTE=local` then).
        Services that systemd starts (e.g. `system.autoUpgrade`, `nix.gc`) do not read these
        variables and stay as they are.
      '';
    };

    exporter = {
      enable = lib.mkEnableOption ''
        nod-exporter: nod's metrics for Prometheus (`GET /metrics`), started by its socket. Anyone who
        can connect reads them; they hold no user or derivation names'';

      listenAddress = lib.mkOption {
        type = lib.types.str;
        default = "127.0.0.1";
        example = "::";
        description = ''
          The address nod-exporter.socket listens on: loopback by default, `0.0.0.0` or `::` to be
          scraped from other machines. An IPv6 address is written without brackets.
        '';
      };

      port = lib.mkOption {
        type = lib.types.port;
        default = 8463;
        description = "The TCP port nod-exporter.socket listens on.";
      };

      openFirewall = lib.mkOption {
        type = lib.types.bool;
        default = false;
        description = ''
          Open `port` in the firewall on every interface (`networking.firewall.allowedTCPPorts`). To
          open it on one interface only, leave this off and use
          `networking.firewall.interfaces.<name>.allowedTCPPorts`.
        '';
      };
    };

    textfile = {
      enable = lib.mkEnableOption ''
        nod's metrics for node_exporter's textfile collector: `nodctl metrics --file` into
        `directory` every minute (nod-metrics-textfile.timer)'';

      directory = lib.mkOption {
        type = lib.types.str;
        default = "/var/lib/prometheus-node-exporter-text-files";
        description = ''
          The folder node_exporter reads (`--collector.textfile.directory`); nod writes `nod.prom` there.
          The module creates it, owned by root: the service runs as root without capabilities.
        '';
      };
    };
  };

  config = lib.mkMerge [
    # Both ask the collector, which services.nod.enable installs; alone they would be silently off.
    (lib.mkIf (cfg.exporter.enable || cfg.textfile.enable) {
      assertions = [
        {
          assertion = cfg.enable;
          message = "services.nod.exporter and services.nod.textfile need services.nod.enable = true";
        }
      ];
    })

    (lib.mkIf cfg.enable {
      assertions = [
        {
          # Lix's structured log goes to stderr only (--log-format internal-json); nix.checkConfig
          # would reject json-log-path as an unknown setting.
          assertion = !isLix;
          message = ''
            services.nod needs Nix >= 2.30, but nix.package is Lix (${nixName} ${nixVersion}), which has no
            json-log-path setting at all: Lix writes its structured log only to stderr (--log-format
            internal-json) and cannot send it to nod's socket. Set nix.package to Nix, e.g.
            pkgs.nixVersions.latest.
          '';
        }
        {
          # With an older Nix, nix.conf's unknown json-log-path fails the system build (nix.checkConfig).
          assertion = isLix || lib.versionAtLeast nixVersion "2.30";
          message =
            "services.nod needs Nix >= 2.30 for json-log-path (nix.package is ${nixName} ${nixVersion}); "
            + "set nix.package to a newer Nix, e.g. pkgs.nixVersions.latest";
        }
      ];

      nix.settings.json-log-path = cfg.socketPath;

      # nod-collector.socket and nod-collector.service from the package; NixOS ignores their [Install]
      # sections, so the socket is wanted here. Module attributes become drop-ins on the packaged units.
      systemd.packages = [ cfg.package ];
      systemd.sockets.nod-collector = {
        wantedBy = [ "sockets.target" ];
        # An empty ListenStream= first drops the packaged /run/nod.sock.
        listenStreams = lib.mkIf (cfg.socketPath != defaultSocket) [
          ""
          cfg.socketPath
        ];
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

      environment.sessionVariables = lib.mkIf cfg.rootThroughDaemon {
        NIX_REMOTE = "daemon";
      };
    })

    # nod-exporter.socket and .service come with the package (systemd.packages above).
    (lib.mkIf (cfg.enable && cfg.exporter.enable) {
      systemd.sockets.nod-exporter = {
        wantedBy = [ "sockets.target" ];
        listenStreams = lib.mkIf (exporterListen != defaultExporterListen) [
          ""
          exporterListen
        ];
      };
      networking.firewall.allowedTCPPorts = lib.mkIf cfg.exporter.openFirewall [ cfg.exporter.port ];
    })

    # The packaged service writes Debian's folder; an empty ExecStart= and ReadWritePaths= first drop it.
    (lib.mkIf (cfg.enable && cfg.textfile.enable) {
      systemd.timers.nod-metrics-textfile.wantedBy = [ "timers.target" ];
      systemd.services.nod-metrics-textfile.serviceConfig = {
        ExecStart = [
          ""
          "${cfg.package}/bin/nodctl metrics --file ${cfg.textfile.directory}/nod.prom"
        ];
        ReadWritePaths = [
          ""
          "-${cfg.textfile.directory}"
        ];
      };
      # Root's, so that the service (root without capabilities) may write it; node_exporter reads it.
      systemd.tmpfiles.rules = [ "d ${cfg.textfile.directory} 0755 root root - -" ];
    })
  ];
}
