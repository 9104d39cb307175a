# Checks of nixos/module.nix in nixpkgs' own module system, no nixpkgs needed beyond its lib:
#   nix-instantiate --eval --strict --json nixos/tests/module-test.nix --arg lib 'import <nixpkgs-lib>/lib'
# (tests/deploy/nix.sh does that with tests/data/nixpkgs-lib-de42d442.tar.gz). The module is evaluated
# with lib.evalModules against nixos-options.nix, the NixOS options it touches declared as nixpkgs
# declares them; the result is turned into what NixOS would write where it matters (the nix.conf line,
# the units' drop-ins, /etc/pam/environment and /etc/set-environment) and read together with the
# packaged units of this repository. Gives a list of { name; ok; } (with got and want where a check
# failed).
{ lib }:
let
  fakePackage = pname: version: {
    type = "derivation";
    name = "${pname}-${version}";
    inherit pname version;
    outPath = "/nix/store/00000000000000000000000000000000-${pname}-${version}";
  };
  nix = fakePackage "nix";
  nod = fakePackage "nod" "0.1.0";
  lix = fakePackage "lix" "2.93.3";

  # The system's pkgs: callPackage records what it was asked to build.
  pkgs = {
    callPackage = path: args: fakePackage "nod" "0.1.0-default" // { calledWith = toString path; };
  };

  # The flake's module, with a nixpkgs input that must not be used.
  flakeModule =
    ((import ../../flake.nix).outputs {
      self = { };
      nixpkgs = throw "the flake's nixosModules.default used the flake's own nixpkgs";
    }).nixosModules.default;

  evalWith =
    module: settings: extra:
    (lib.evalModules {
      modules = [
        ./nixos-options.nix
        module
        { _module.args.pkgs = pkgs; }
        { services.nod = settings; }
      ] ++ extra;
    }).config;
  eval = evalWith ../module.nix;

  # What NixOS writes:
  # - a nix.conf line per nix.settings key (nixos/modules/config/nix.nix, for the value types used here);
  confValue =
    v:
    if v == null then
      ""
    else if builtins.isBool v then
      lib.boolToString v
    else
      toString v; # ints, strings, and lists of them (space-separated)
  nixConf = c: lib.mapAttrsToList (k: v: "${lib.escape [ "=" ] k} = ${confValue v}") c.nix.settings;
  # - the [Socket] lines of a socket's drop-in (one ListenStream= per listenStreams item), and its link
  #   in the wanting targets' .wants folders;
  socketOf = c: c.systemd.sockets.nod-collector;
  listenLines = c: map (s: "ListenStream=${s}") (socketOf c).listenStreams;
  wantsLinks = c: map (t: "${t}.wants/nod-collector.socket") (socketOf c).wantedBy;
  # - the Environment= lines of a service's drop-in (JSON-quoted "NAME=value", by name);
  envLines =
    c:
    lib.mapAttrsToList (n: v: "Environment=${builtins.toJSON "${n}=${v}"}") (
      lib.filterAttrs (n: v: v != null) c.systemd.services.nod-collector.environment
    );
  # - /etc/pam/environment and /etc/set-environment lines for NIX_REMOTE.
  pamNixRemote =
    c:
    lib.optional (
      c.environment.sessionVariables ? NIX_REMOTE
    ) "NIX_REMOTE   DEFAULT=\"${c.environment.sessionVariables.NIX_REMOTE}\"";
  shellNixRemote =
    c:
    lib.optional (
      c.environment.variables ? NIX_REMOTE
    ) "export NIX_REMOTE=\"${c.environment.variables.NIX_REMOTE}\"";

  # The packaged units and files of this repository, read as systemd and dbus-daemon would.
  lines = file: lib.splitString "\n" (builtins.readFile file);
  valuesOf =
    key: file:
    map (l: lib.removePrefix "${key}=" l) (builtins.filter (lib.hasPrefix "${key}=") (lines file));
  packagedSocket = ../../systemd/nod-collector.socket;
  packagedService = ../../systemd/nod-collector.service.in;
  packagedExporterSocket = ../../systemd/nod-exporter.socket;
  packagedExporterService = ../../systemd/nod-exporter.service.in;
  packagedTextfileService = ../../systemd/nod-metrics-textfile.service.in;
  packagedTextfileTimer = ../../systemd/nod-metrics-textfile.timer;
  # systemd: an empty assignment (ListenStream=, ExecStart=, ReadWritePaths=) empties the list so far;
  # drop-ins come after the unit.
  effective =
    packaged: dropIn:
    builtins.foldl' (acc: v: if v == "" then [ ] else acc ++ [ v ]) [ ] (packaged ++ dropIn);
  effectiveListen =
    c:
    effective (valuesOf "ListenStream" packagedSocket) (
      map (lib.removePrefix "ListenStream=") (listenLines c)
    );

  # The metrics units: the exporter's socket drop-in, the textfile service's [Service] drop-in (one
  # line per list item, as NixOS writes serviceConfig) and the timer's .wants link.
  exporterSocketOf = c: c.systemd.sockets.nod-exporter;
  exporterListenLines = c: map (s: "ListenStream=${s}") (exporterSocketOf c).listenStreams;
  exporterWantsLinks = c: map (t: "${t}.wants/nod-exporter.socket") (exporterSocketOf c).wantedBy;
  effectiveExporterListen =
    c: effective (valuesOf "ListenStream" packagedExporterSocket) (exporterSocketOf c).listenStreams;
  textfileConfig = c: c.systemd.services.nod-metrics-textfile.serviceConfig;
  textfileLines =
    c: key: map (v: "${key}=${v}") (lib.toList (textfileConfig c).${key});
  effectiveTextfile =
    c: key: effective (valuesOf key packagedTextfileService) (lib.toList (textfileConfig c).${key});
  timerWantsLinks =
    c: map (t: "${t}.wants/nod-metrics-textfile.timer") c.systemd.timers.nod-metrics-textfile.wantedBy;
  # The packaged command as meson installs it into the package, writing into another folder.
  packagedTextfileCommand =
    dir:
    builtins.replaceStrings [ "@BINDIR@" "/var/lib/prometheus/node-exporter/" ] [ "${nod}/bin" "${dir}/" ] (
      builtins.head (valuesOf "ExecStart" packagedTextfileService)
    );
  # Names the packaged Environment= sets, and the values the drop-in gives them (later assignments win).
  packagedEnvNames = lib.concatMap (
    l: map (a: builtins.head (lib.splitString "=" a)) (lib.splitString " " l)
  ) (valuesOf "Environment" packagedService);
  dropInEnv =
    c:
    builtins.listToAttrs (
      map (
        l:
        let
          kv = builtins.fromJSON (lib.removePrefix "Environment=" l);
          parts = lib.splitString "=" kv;
        in
        {
          name = builtins.head parts;
          value = lib.concatStringsSep "=" (builtins.tail parts);
        }
      ) (envLines c)
    );
  execStart = builtins.head (valuesOf "ExecStart" packagedService);

  failed = c: map (a: a.message) (builtins.filter (a: !a.assertion) c.assertions);
  tryOk = e: (builtins.tryEval (builtins.deepSeq e e)).success;
  matches = re: s: builtins.match re (builtins.replaceStrings [ "\n" ] [ " " ] s) != null;

  # A check whose value cannot be evaluated (e.g. an option the module lacks) fails on its own.
  check =
    name: got: want:
    let
      tried = builtins.tryEval (builtins.deepSeq got got);
      value = if tried.success then tried.value else "(evaluation failed)";
      ok = tried.success && value == want;
    in
    {
      inherit name ok;
    }
    // lib.optionalAttrs (!ok) {
      got = value;
      inherit want;
    };

  # 1. Defaults, with a Nix new enough and the package given.
  plain = eval {
    enable = true;
    package = nod;
  } [ { nix.package = nix "2.31.2"; } ];
  # 2. Every setting changed, on the oldest Nix with json-log-path.
  custom = eval {
    enable = true;
    package = nod;
    retainDays = 30;
    socketPath = "/run/nix/nod.sock";
    idleExitSec = 0;
  } [ { nix.package = nix "2.30.0"; } ];
  # 3. No package given: the system's pkgs builds nixos/package.nix.
  fromPkgs = eval { enable = true; } [ { nix.package = nix "2.31.2"; } ];
  # 4. The flake's module.
  viaFlake = evalWith flakeModule { enable = true; } [ { nix.package = nix "2.31.2"; } ];
  # 5. Nix too old, and Lix.
  oldNix = eval {
    enable = true;
    package = nod;
  } [ { nix.package = nix "2.28.3"; } ];
  onLix = eval {
    enable = true;
    package = nod;
  } [ { nix.package = lix; } ];
  # 6. Root's old-style commands through the daemon.
  rootDaemon = eval {
    enable = true;
    package = nod;
    rootThroughDaemon = true;
  } [ { nix.package = nix "2.31.2"; } ];
  # 7. Alongside other definitions of the same options, as in a real system.
  merged = eval {
    enable = true;
    package = nod;
  } [
    {
      nix.package = nix "2.31.2";
      nix.settings.experimental-features = [
        "nix-command"
        "flakes"
      ];
      systemd.services.nod-collector.environment.RUST_LOG = null;
      environment.systemPackages = [ (fakePackage "hello" "2.12") ];
    }
  ];
  # 8. Off.
  off = eval { package = nod; } [ { nix.package = nix "2.31.2"; } ];
  # 9. The exporter: as packaged; listening elsewhere with the firewall open (beside another port); on
  #    IPv6; the firewall option alone; the exporter without nod.
  withNix = settings: eval settings [ { nix.package = nix "2.31.2"; } ];
  exporterPlain = withNix {
    enable = true;
    package = nod;
    exporter.enable = true;
  };
  exporterOpen = eval {
    enable = true;
    package = nod;
    exporter = {
      enable = true;
      listenAddress = "0.0.0.0";
      port = 9000;
      openFirewall = true;
    };
  } [
    {
      nix.package = nix "2.31.2";
      networking.firewall.allowedTCPPorts = [ 22 ];
    }
  ];
  exporterV6 = withNix {
    enable = true;
    package = nod;
    exporter = {
      enable = true;
      listenAddress = "::1";
    };
  };
  firewallOnly = withNix {
    enable = true;
    package = nod;
    exporter.openFirewall = true;
  };
  exporterAlone = withNix {
    package = nod;
    exporter.enable = true;
  };
  # 10. node_exporter's textfile collector: its default folder, and another.
  textfile = withNix {
    enable = true;
    package = nod;
    textfile.enable = true;
  };
  textfileElsewhere = withNix {
    enable = true;
    package = nod;
    textfile = {
      enable = true;
      directory = "/srv/textfiles";
    };
  };
  textfileDir = "/var/lib/prometheus-node-exporter-text-files";
  openPorts = c: c.networking.firewall.allowedTCPPorts;
  refused =
    settings:
    let
      c = eval settings [ { nix.package = nix "2.31.2"; } ];
    in
    !tryOk [
      c.nix.settings
      c.systemd.sockets
      c.systemd.services.nod-collector.environment
      c.networking.firewall.allowedTCPPorts
    ];
  hasConf = c: line: builtins.elem line (nixConf c);
  sorted = builtins.sort builtins.lessThan;
  messages = c: toString (failed c);
  fromPackageNix = c: lib.hasSuffix "/nixos/package.nix" c.services.nod.package.calledWith;
  passesBoth = ".*--idle-exit-sec=[$][{]NOD_IDLE_EXIT_SEC[}].*--retain-days=[$][{]NOD_RETAIN_DAYS[}].*";
  busPolicy = builtins.readFile ../../dbus/net.bergsoe.Nod1.conf;
  nodOwnsTheName = ".*<policy user=\"nod\">.*<allow own=\"net.bergsoe.Nod1\"/>.*";
in
[
  (check "defaults: no assertion fails" (failed plain) [ ])
  (check "defaults: nix.conf's json-log-path line" (hasConf plain "json-log-path = /run/nod.sock") true)
  (check "defaults: the package's units are installed" plain.systemd.packages [ nod ])
  (check "defaults: the socket is linked into sockets.target.wants" (wantsLinks plain) [
    "sockets.target.wants/nod-collector.socket"
  ])
  (check "defaults: the socket's drop-in has no ListenStream=" (listenLines plain) [ ])
  (check "defaults: the socket listens on /run/nod.sock (packaged)" (effectiveListen plain) [
    "/run/nod.sock"
  ])
  (check "defaults: the service's drop-in sets both settings" (envLines plain) [
    "Environment=\"NOD_IDLE_EXIT_SEC=60\""
    "Environment=\"NOD_RETAIN_DAYS=180\""
  ])
  (check "defaults: the drop-in sets what the packaged unit sets" (sorted (
    builtins.attrNames (dropInEnv plain)
  )) (sorted packagedEnvNames))
  (check "defaults: the packaged ExecStart passes both on" (matches passesBoth execStart) true)
  (check "defaults: D-Bus policy and activation from the package" plain.services.dbus.packages [ nod ])
  (check "defaults: nodctl on the PATH" plain.environment.systemPackages [ nod ])
  (check "defaults: static system user nod in group nod" {
    inherit (plain.users.users.nod)
      name
      isSystemUser
      isNormalUser
      group
      ;
  } {
    name = "nod";
    isSystemUser = true;
    isNormalUser = false;
    group = "nod";
  })
  (check "defaults: group nod exists" (plain.users.groups ? nod) true)
  (check "defaults: the packaged service runs as nod" (valuesOf "User" packagedService) [ "nod" ])
  (check "defaults: the bus policy lets nod own the name" (matches nodOwnsTheName busPolicy) true)
  (check "defaults: NIX_REMOTE is left alone" (pamNixRemote plain ++ shellNixRemote plain) [ ])

  (check "custom: Nix 2.30.0 is accepted" (failed custom) [ ])
  (check "custom: nix.conf's line has socketPath" (hasConf custom "json-log-path = /run/nix/nod.sock") true)
  (check "custom: the socket's drop-in replaces ListenStream" (listenLines custom) [
    "ListenStream="
    "ListenStream=/run/nix/nod.sock"
  ])
  (check "custom: the socket listens on socketPath only" (effectiveListen custom) [
    "/run/nix/nod.sock"
  ])
  (check "custom: retention 30 days, never idle-exit" (dropInEnv custom) {
    NOD_RETAIN_DAYS = "30";
    NOD_IDLE_EXIT_SEC = "0";
  })

  (check "package: by default pkgs.callPackage of nixos/package.nix" (fromPackageNix fromPkgs) true)
  (check "package: the default package's units, policy and nodctl" [
    fromPkgs.systemd.packages
    fromPkgs.services.dbus.packages
    fromPkgs.environment.systemPackages
  ] (builtins.genList (i: [ fromPkgs.services.nod.package ]) 3))
  (check "flake: nixosModules.default builds nod from the system's pkgs" (fromPackageNix viaFlake) true)
  (check "flake: and configures the same" (hasConf viaFlake "json-log-path = /run/nod.sock") true)

  (check "Nix 2.28.3: exactly one assertion fails" (builtins.length (failed oldNix)) 1)
  (check "Nix 2.28.3: its message says what is needed and what is there" (matches
    ".*Nix >= 2[.]30.*json-log-path.*nix 2[.]28[.]3.*"
    (messages oldNix)
  ) true)
  (check "Lix: exactly one assertion fails" (builtins.length (failed onLix)) 1)
  (check "Lix: its message says Lix has no json-log-path" (matches
    ".*Lix \\(lix 2[.]93[.]3\\).*no json-log-path.*"
    (messages onLix)
  ) true)

  (check "rootThroughDaemon: NIX_REMOTE=daemon in /etc/pam/environment" (pamNixRemote rootDaemon) [
    "NIX_REMOTE   DEFAULT=\"daemon\""
  ])
  (check "rootThroughDaemon: and in /etc/set-environment" (shellNixRemote rootDaemon) [
    "export NIX_REMOTE=\"daemon\""
  ])
  (check "rootThroughDaemon: nothing else changes" (
    removeAttrs rootDaemon.environment.sessionVariables [ "NIX_REMOTE" ]
  ) { })

  (check "merged: other nix.settings keep their lines" (
    hasConf merged "experimental-features = nix-command flakes"
  ) true)
  (check "merged: and json-log-path is there too" (hasConf merged "json-log-path = /run/nod.sock") true)
  (check "merged: the service's environment merges (a null is not written)" (envLines merged) (
    envLines plain
  ))
  (check "merged: system packages merge" (builtins.length merged.environment.systemPackages) 2)

  (check "disabled: no json-log-path" (off.nix.settings ? json-log-path) false)
  (check "disabled: no units, user, policy or assertion" [
    off.systemd.packages
    (off.users.users ? nod)
    off.services.dbus.packages
    off.assertions
  ] [
    [ ]
    false
    [ ]
    [ ]
  ])

  (check "a negative retainDays is refused" (refused {
    enable = true;
    package = nod;
    retainDays = -1;
  }) true)
  (check "a socketPath that is not a string is refused" (refused {
    enable = true;
    package = nod;
    socketPath = 3;
  }) true)
  (check "an unknown option is refused" (refused {
    enable = true;
    package = nod;
    retainDay = 3;
  }) true)

  (check "defaults: no exporter socket, timer, open port or folder" [
    (plain.systemd.sockets ? nod-exporter)
    (plain.systemd.timers ? nod-metrics-textfile)
    (openPorts plain)
    plain.systemd.tmpfiles.rules
  ] [ false false [ ] [ ] ])

  (check "exporter: no assertion fails" (failed exporterPlain) [ ])
  (check "exporter: the socket is linked into sockets.target.wants" (exporterWantsLinks exporterPlain) [
    "sockets.target.wants/nod-exporter.socket"
  ])
  (check "exporter: the socket's drop-in has no ListenStream=" (exporterListenLines exporterPlain) [ ])
  (check "exporter: listens on 127.0.0.1:8463 (packaged)" (effectiveExporterListen exporterPlain) [
    "127.0.0.1:8463"
  ])
  (check "exporter: the firewall stays closed" (openPorts exporterPlain) [ ])
  (check "exporter: the packaged service takes the socket, as a dynamic user" [
    (valuesOf "Sockets" packagedExporterService)
    (valuesOf "DynamicUser" packagedExporterService)
  ] [ [ "nod-exporter.socket" ] [ "yes" ] ])
  (check "exporter: listenAddress and port replace ListenStream" (exporterListenLines exporterOpen) [
    "ListenStream="
    "ListenStream=0.0.0.0:9000"
  ])
  (check "exporter: and it listens there only" (effectiveExporterListen exporterOpen) [ "0.0.0.0:9000" ])
  (check "exporter: openFirewall opens the port beside the others" (openPorts exporterOpen) [
    22
    9000
  ])
  (check "exporter: an IPv6 address goes in brackets" (effectiveExporterListen exporterV6) [
    "[::1]:8463"
  ])
  (check "exporter: openFirewall without the exporter opens nothing" (openPorts firewallOnly) [ ])
  (check "exporter: without services.nod.enable, one assertion says so" (
    matches ".*services.nod.exporter.*need services.nod.enable = true.*" (messages exporterAlone)
  ) true)
  (check "exporter: and nothing is installed" [
    (exporterAlone.systemd.sockets ? nod-exporter)
    exporterAlone.systemd.packages
  ] [ false [ ] ])
  (check "a port above 65535 is refused" (refused {
    enable = true;
    package = nod;
    exporter = {
      enable = true;
      port = 65536;
    };
  }) true)

  (check "textfile: no assertion fails" (failed textfile) [ ])
  (check "textfile: the timer is linked into timers.target.wants" (timerWantsLinks textfile) [
    "timers.target.wants/nod-metrics-textfile.timer"
  ])
  (check "textfile: the packaged timer fires every minute" (valuesOf "OnCalendar" packagedTextfileTimer) [
    "minutely"
  ])
  (check "textfile: the drop-in replaces ExecStart" (textfileLines textfile "ExecStart") [
    "ExecStart="
    "ExecStart=${nod}/bin/nodctl metrics --file ${textfileDir}/nod.prom"
  ])
  (check "textfile: the packaged command, into the module's folder" (effectiveTextfile textfile "ExecStart") [
    (packagedTextfileCommand textfileDir)
  ])
  (check "textfile: it may write that folder only" (effectiveTextfile textfile "ReadWritePaths") [
    "-${textfileDir}"
  ])
  (check "textfile: the folder is made, root's" textfile.systemd.tmpfiles.rules [
    "d ${textfileDir} 0755 root root - -"
  ])
  (check "textfile: the exporter stays off" (textfile.systemd.sockets ? nod-exporter) false)
  (check "textfile: another folder, written and writable" [
    (effectiveTextfile textfileElsewhere "ExecStart")
    (effectiveTextfile textfileElsewhere "ReadWritePaths")
    textfileElsewhere.systemd.tmpfiles.rules
  ] [
    [ (packagedTextfileCommand "/srv/textfiles") ]
    [ "-/srv/textfiles" ]
    [ "d /srv/textfiles 0755 root root - -" ]
  ])
]
