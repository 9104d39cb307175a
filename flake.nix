{
  description = "nod, the Nix Observability Daemon: a history of Nix builds, substitutions and copies";

  # No flake.lock is committed: create and pin it as the README says (`nix flake lock`).
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      # meson build against nixpkgs' sdbus-cpp 1.x, systemdLibs, sqlite, rapidjson and boost; checkPhase
      # runs the unit and integration suites (nixos/package.nix).
      packages = forAllSystems (pkgs: {
        default = pkgs.callPackage ./nixos/package.nix { };
      });

      # services.nod. The module builds nod with the system's own pkgs (services.nod.package defaults to
      # pkgs.callPackage ./nixos/package.nix { }), not with this flake's nixpkgs input.
      nixosModules.default = {
        imports = [ ./nixos/module.nix ];
      };

      checks = forAllSystems (pkgs: {
        package = self.packages.${pkgs.stdenv.hostPlatform.system}.default;
        vm = pkgs.testers.runNixOSTest (import ./nixos/tests/vm.nix { inherit self; });
      });

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          inputsFrom = [ self.packages.${pkgs.stdenv.hostPlatform.system}.default ];
          packages = [
            pkgs.gdb
            pkgs.socat
            pkgs.nixVersions.latest
            pkgs.nixfmt
          ];
        };
      });

      formatter = forAllSystems (pkgs: pkgs.nixfmt);
    };
}
