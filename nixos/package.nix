# The nod package (flake `packages.<system>.default`): nod-collector, nodctl, the systemd units, the
# sysusers entry and the D-Bus files, all installed under $out by meson.
{ lib, stdenv, meson, ninja, pkg-config, sdbus-cpp, systemdLibs, sqlite, rapidjson, boost, gtest, dbus }:

stdenv.mkDerivation {
  pname = "nod";
  version = "0.1.0";

  src = lib.cleanSourceWith {
    src = lib.cleanSource ../.;
    # Local build folders are not part of the source.
    filter = path: type: !(type == "directory" && lib.hasPrefix "build" (baseNameOf path));
  };

  # sdbus-cpp is 1.x in nixpkgs (sdbus-cpp_2 is 2.x); its sdbus-c++-xml2cpp generates the adaptor and proxy.
  nativeBuildInputs = [ meson ninja pkg-config sdbus-cpp ];
  buildInputs = [ sdbus-cpp systemdLibs sqlite rapidjson boost ];
  checkInputs = [ gtest ];
  nativeCheckInputs = [ dbus ];

  mesonFlags = [
    (lib.mesonEnable "tests" true)
    (lib.mesonEnable "benchmarks" false)
  ];

  doCheck = true;
  # The unit suites, on a session bus of their own. The integration and deploy suites need root,
  # namespaces or a system bus and are not run in the build sandbox (they skip there anyway).
  checkPhase = ''
    runHook preCheck
    dbus-run-session --config-file=${dbus}/share/dbus-1/session.conf -- \
      meson test --print-errorlogs --suite unit
    runHook postCheck
  '';

  meta = {
    description = "nod, the Nix Observability Daemon: a history of Nix builds, substitutions and copies";
    license = lib.licenses.mit;
    platforms = lib.platforms.linux;
    mainProgram = "nodctl";
  };
}
