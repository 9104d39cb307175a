# The NixOS options nixos/module.nix reads or sets, declared with the types nixpkgs gives them, so that
# nixpkgs' own module system (lib.evalModules) merges the module's definitions as on NixOS. Only these
# options and the sub-options around them; of NixOS's implementation only what matters here
# (environment.variables takes environment.sessionVariables; every user's assertions). Shaped after, in
# nixpkgs:
# - nixos/lib/systemd-unit-options.nix, nixos/lib/systemd-types.nix, nixos/modules/system/boot/systemd.nix
#   (systemd.packages, .services, .sockets, .timers: submodules with list-merging unit options) and
#   system/boot/systemd/tmpfiles.nix (systemd.tmpfiles.rules);
# - nixos/modules/services/networking/firewall.nix (networking.firewall.allowedTCPPorts, sorted and
#   deduplicated);
# - nixos/modules/config/nix.nix (nix.settings, a submodule whose freeform type is attrsOf a
#   "Nix config atom" or a list of them) and services/system/nix-daemon.nix (nix.package, nix.enable);
# - nixos/modules/config/users-groups.nix (users.users, users.groups);
# - nixos/modules/services/system/dbus.nix (services.dbus.packages);
# - nixos/modules/config/system-path.nix, shells-environment.nix, system-environment.nix
#   (environment.systemPackages, .variables, .sessionVariables);
# - nixos/modules/misc/assertions.nix (assertions, warnings).
{ lib, config, ... }:
let
  inherit (lib) mkOption types;

  # A value of a [Section] key: definitions that are lists are concatenated (repeatable keys), others
  # must all be equal.
  unitOption = lib.mkOptionType {
    name = "systemd option";
    merge =
      loc: defs:
      let
        kept = lib.filterOverrides defs;
      in
      if builtins.isList (builtins.head kept).value then
        builtins.concatMap (
          def:
          if builtins.isList def.value then
            def.value
          else
            throw "${lib.showOption loc}: systemd unit option definitions mix lists and non-lists"
        ) kept
      else
        lib.mergeEqualOption loc kept;
  };

  unitName = types.strMatching "[a-zA-Z0-9@%:_.\\-]+[.](service|socket|device|mount|automount|swap|target|path|timer|scope|slice)";

  unitList =
    description:
    mkOption {
      type = types.listOf unitName;
      default = [ ];
      inherit description;
    };

  commonUnit = {
    options = {
      enable = mkOption {
        type = types.bool;
        default = true;
        description = "false makes the unit a link to /dev/null.";
      };
      description = mkOption {
        type = types.singleLineStr;
        default = "";
        description = "Description=.";
      };
      wantedBy = unitList "Units that want this one (a .wants link).";
      requiredBy = unitList "Units that require this one (a .requires link).";
      wants = unitList "Wants=.";
      requires = unitList "Requires=.";
      after = unitList "After=.";
      before = unitList "Before=.";
      unitConfig = mkOption {
        type = types.attrsOf unitOption;
        default = { };
        description = "The [Unit] section.";
      };
    };
  };

  service = {
    options = {
      environment = mkOption {
        type = types.attrsOf (
          types.nullOr (
            types.oneOf [
              types.str
              types.path
              types.package
            ]
          )
        );
        default = { };
        description = "Environment= lines of the [Service] section.";
      };
      path = mkOption {
        type = types.listOf (
          types.oneOf [
            types.package
            types.str
          ]
        );
        default = [ ];
        description = "Packages whose bin and sbin are put on PATH.";
      };
      serviceConfig = mkOption {
        type = types.attrsOf unitOption;
        default = { };
        description = "The [Service] section.";
      };
    };
  };

  socket = {
    options = {
      listenStreams = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "One ListenStream= line each.";
      };
      listenDatagrams = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "One ListenDatagram= line each.";
      };
      socketConfig = mkOption {
        type = types.attrsOf unitOption;
        default = { };
        description = "The [Socket] section.";
      };
    };
  };

  timer = {
    options.timerConfig = mkOption {
      type = types.attrsOf unitOption;
      default = { };
      description = "The [Timer] section.";
    };
  };

  # nix.conf values.
  confAtom =
    types.nullOr (
      types.oneOf [
        types.bool
        types.int
        types.float
        types.str
        types.path
        types.package
      ]
    )
    // {
      description = "Nix config atom (null, bool, int, float, str, path or package)";
    };

  user =
    { name, ... }:
    {
      options = {
        name = mkOption {
          type = types.passwdEntry types.str;
          default = name;
          description = "The user's name.";
        };
        isSystemUser = mkOption {
          type = types.bool;
          default = false;
          description = "A system user (uid below 1000).";
        };
        isNormalUser = mkOption {
          type = types.bool;
          default = false;
          description = "A real user.";
        };
        group = mkOption {
          type = types.str;
          default = "";
          description = "The primary group.";
        };
        description = mkOption {
          type = types.passwdEntry types.str;
          default = "";
          description = "The GECOS field.";
        };
        home = mkOption {
          type = types.passwdEntry types.path;
          default = "/var/empty";
          description = "The home folder.";
        };
      };
    };

  group =
    { name, ... }:
    {
      options = {
        name = mkOption {
          type = types.passwdEntry types.str;
          default = name;
          description = "The group's name.";
        };
        gid = mkOption {
          type = types.nullOr types.int;
          default = null;
          description = "The gid; null: picked on activation.";
        };
      };
    };

  groupNames = lib.mapAttrsToList (n: g: g.name) config.users.groups;

  # environment.variables and .sessionVariables.
  envVars = mkOption {
    type = types.attrsOf (types.either types.str (types.listOf types.str));
    default = { };
    apply = lib.mapAttrs (n: v: if builtins.isList v then lib.concatStringsSep ":" v else v);
    description = "Environment variables; a list is joined with colons.";
  };
in
{
  options = {
    assertions = mkOption {
      type = types.listOf types.unspecified;
      internal = true;
      default = [ ];
      description = "Conditions that must hold, with their messages.";
    };
    warnings = mkOption {
      type = types.listOf types.str;
      internal = true;
      default = [ ];
      description = "Warnings shown while the system is evaluated.";
    };

    nix = {
      enable = mkOption {
        type = types.bool;
        default = true;
        description = "Whether NixOS manages Nix.";
      };
      package = mkOption {
        type = types.package;
        description = "The Nix of the system (nixpkgs: default pkgs.nix).";
      };
      settings = mkOption {
        type = types.submodule {
          freeformType = types.attrsOf (types.either confAtom (types.listOf confAtom));
          options.substituters = mkOption {
            type = types.listOf types.str;
            description = "Binary caches.";
          };
        };
        default = { };
        description = "nix.conf, key by key.";
      };
    };

    systemd = {
      packages = mkOption {
        type = types.listOf types.package;
        default = [ ];
        description = "Packages whose lib/systemd/system units are installed.";
      };
      services = mkOption {
        type = types.attrsOf (
          types.submodule [
            commonUnit
            service
          ]
        );
        default = { };
        description = "Service units (drop-ins on packaged units of the same name).";
      };
      sockets = mkOption {
        type = types.attrsOf (
          types.submodule [
            commonUnit
            socket
          ]
        );
        default = { };
        description = "Socket units (drop-ins on packaged units of the same name).";
      };
      timers = mkOption {
        type = types.attrsOf (
          types.submodule [
            commonUnit
            timer
          ]
        );
        default = { };
        description = "Timer units (drop-ins on packaged units of the same name).";
      };
      tmpfiles.rules = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "tmpfiles.d(5) lines, in /etc/tmpfiles.d/00-nixos.conf.";
      };
    };

    networking.firewall.allowedTCPPorts = mkOption {
      type = types.listOf types.port;
      default = [ ];
      apply = ports: lib.unique (builtins.sort builtins.lessThan ports);
      description = "TCP ports open on every interface.";
    };

    services.dbus.packages = mkOption {
      type = types.listOf types.path;
      default = [ ];
      description = "Packages whose share/dbus-1 policies and activation files the bus uses.";
    };

    users = {
      users = mkOption {
        type = types.attrsOf (types.submodule user);
        default = { };
        description = "User accounts.";
      };
      groups = mkOption {
        type = types.attrsOf (types.submodule group);
        default = { };
        description = "Groups.";
      };
    };

    environment = {
      systemPackages = mkOption {
        type = types.listOf types.package;
        default = [ ];
        description = "Packages in the system profile.";
      };
      variables = envVars // {
        description = "Variables set by the shells' init (/etc/set-environment).";
      };
      sessionVariables = envVars // {
        description = "Variables set by PAM (/etc/pam/environment) and, through environment.variables, the shells.";
      };
    };
  };

  config = {
    # As shells-environment.nix does: session variables are set in shells too.
    environment.variables = config.environment.sessionVariables;

    # The checks users-groups.nix makes of every user, paraphrased.
    assertions = lib.concatLists (
      lib.mapAttrsToList (
        name: user:
        [
          {
            assertion = user.isSystemUser != user.isNormalUser;
            message = "Exactly one of users.users.${name}.isSystemUser and .isNormalUser must be set.";
          }
          {
            assertion = user.group != "";
            message = "users.users.${name}.group is unset.";
          }
          {
            assertion = user.group == "" || builtins.elem user.group groupNames;
            message = "users.users.${name} has a primary group that is undefined: ${user.group}";
          }
        ]
      ) config.users.users
    );
  };
}
