# N fresh trivial derivations for bench/nix/nix_overhead: each echoes two log lines and writes its
# output. `nonce` is part of every derivation, so each run builds all of them anew.
{ nonce ? "0", n ? 200 }:
builtins.genList (i: builtins.derivation {
  name = "bench-many-${toString i}";
  inherit nonce;
  system = builtins.currentSystem;
  builder = "/bin/sh";
  args = [ "-c" "echo building ${toString i}; echo step 2 of ${toString i} >&2; echo ${toString i} > $out" ];
  PATH = "/usr/bin:/bin";
}) n
