{
  description = "nod, the Nix Observability Daemon: a history of Nix builds, substitutions and copies";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      # meson build against nixpkgs' sdbus-cpp 1.x, systemdLibs, sqlite, rapidjson and boost; the unit
      # tests run in checkPhase under dbus-run-session.
      packages = forAllSystems (pkgs: {
        default = pkgs.callPackage ./nixos/package.nix { };
      });

      # services.nod (nixos/module.nix), with this flake's package as the default.
      nixosModules.default = { lib, pkgs, ... }: {
        imports = [ ./nixos/module.nix ];
        services.nod.package = lib.mkDefault self.packages.${pkgs.stdenv.hostPlatform.system}.default;
      };

      checks = forAllSystems (pkgs: {
        package = self.packages.${pkgs.stdenv.hostPlatform.system}.default;
        vm = pkgs.testers.runNixOSTest (import ./nixos/tests/vm.nix { inherit self; });
      });

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          inputsFrom = [ self.packages.${pkgs.stdenv.hostPlatform.system}.default ];
          packages = [ pkgs.gdb pkgs.socat pkgs.nixVersions.latest pkgs.nixfmt-rfc-style ];
        };
      });

      formatter = forAllSystems (pkgs: pkgs.nixfmt-rfc-style);
    };
}
