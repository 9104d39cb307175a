# Checks of the configuration nixos/module.nix produces, evaluated with eval.nix (no nixpkgs needed):
#   nix-instantiate --eval --strict --json nixos/tests/module-test.nix
# gives a list of { name; ok; } (and `got` where a check failed); tests/deploy/nix.sh runs it.
let
  eval = import ./eval.nix;
  nod = { type = "derivation"; name = "nod-0.1.0"; outPath = "/nix/store/00000000000000000000000000000000-nod-0.1.0"; };
  tryOk = e: (builtins.tryEval (builtins.deepSeq e e)).success;

  # 1. Defaults, with a Nix new enough.
  plain = eval { settings = { enable = true; package = nod; }; nixVersion = "2.31.2"; };
  # 2. Every setting changed, with a Nix too old for json-log-path.
  custom = eval {
    settings = { enable = true; package = nod; retainDays = 30; socketPath = "/run/nix/nod.sock"; idleExitSec = 0; };
    nixVersion = "2.28.3";
  };
  off = eval { settings = { package = nod; }; nixVersion = "2.31.2"; };

  check = name: got: want: { inherit name; ok = got == want; } // (if got == want then { } else { inherit got want; });
  assertion = c: builtins.head c.assertions;
in
[
  (check "defaults: the Nix version assertion holds" (assertion plain).assertion true)
  (check "defaults: json-log-path is /run/nod.sock" plain.nix.settings.json-log-path "/run/nod.sock")
  (check "defaults: the package's units are installed" plain.systemd.packages [ nod ])
  (check "defaults: the socket is wanted by sockets.target" plain.systemd.sockets.nod-collector.wantedBy [ "sockets.target" ])
  (check "defaults: the socket keeps the packaged ListenStream" (plain.systemd.sockets.nod-collector ? listenStreams) false)
  (check "defaults: retention 180 days, idle exit 60 s" plain.systemd.services.nod-collector.environment
    { NOD_RETAIN_DAYS = "180"; NOD_IDLE_EXIT_SEC = "60"; })
  (check "defaults: D-Bus policy and activation from the package" plain.services.dbus.packages [ nod ])
  (check "defaults: nodctl on the PATH" plain.environment.systemPackages [ nod ])
  (check "defaults: static system user nod" plain.users.users.nod.isSystemUser true)
  (check "defaults: nod's group" plain.users.users.nod.group "nod")
  (check "defaults: group nod exists" (plain.users.groups ? nod) true)

  (check "custom: the assertion fails on Nix 2.28.3" (assertion custom).assertion false)
  (check "custom: its message says what is needed and what is there"
    (builtins.match ".*Nix >= 2[.]30.*json-log-path.*2[.]28[.]3.*" (assertion custom).message != null) true)
  (check "custom: json-log-path follows socketPath" custom.nix.settings.json-log-path "/run/nix/nod.sock")
  (check "custom: the socket listens on socketPath only" custom.systemd.sockets.nod-collector.listenStreams
    [ "" "/run/nix/nod.sock" ])
  (check "custom: retention 30 days, never idle-exit" custom.systemd.services.nod-collector.environment
    { NOD_RETAIN_DAYS = "30"; NOD_IDLE_EXIT_SEC = "0"; })

  (check "disabled: the module sets nothing" off { })
  (check "a negative retainDays is refused"
    (tryOk (eval { settings = { enable = true; package = nod; retainDays = -1; }; nixVersion = "2.31.2"; })) false)
  (check "an unknown option is refused"
    (tryOk (eval { settings = { enable = true; package = nod; retainDay = 3; }; nixVersion = "2.31.2"; })) false)
  (check "package has no default" (tryOk (eval { settings = { enable = true; }; nixVersion = "2.31.2"; })) false)
]
