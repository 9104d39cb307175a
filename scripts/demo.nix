# A few fresh derivations for scripts/demo: three leaves of different lengths, a top that needs them,
# and one that fails. `nonce` makes every run build anew.
{ nonce ? "0" }:
let
  mk = name: script: extra: builtins.derivation ({
    inherit name nonce;
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" script ];
    PATH = "/usr/bin:/bin";
  } // extra);
  leaf = n: secs: mk "demo-leaf-${toString n}" "echo compiling ${toString n}; sleep ${secs}; echo ${toString n} > $out" {};
  leaves = [ (leaf 1 "0.3") (leaf 2 "0.6") (leaf 3 "0.9") ];
in [
  (mk "demo-app" "echo linking; sleep 0.2; cat $a $b $c > $out" {
    a = builtins.elemAt leaves 0; b = builtins.elemAt leaves 1; c = builtins.elemAt leaves 2;
  })
  (mk "demo-broken" "echo about to fail; exit 3" {})
]
