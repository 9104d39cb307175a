# A stand-in for the few nixpkgs `lib` functions nixos/module.nix uses, so that the module can be evaluated
# without nixpkgs (Debian's nix-bin has none). Same names and shapes as nixpkgs' lib; options carry their
# type's `check`, and mkIf is kept as a marker that eval.nix resolves the way the module system does.
rec {
  mkOption = attrs: attrs // { _type = "option"; };

  mkEnableOption = name: mkOption {
    type = types.bool;
    default = false;
    description = "Whether to enable ${name}.";
  };

  mkIf = condition: content: { _type = "if"; inherit condition content; };

  versionAtLeast = v: min: builtins.compareVersions v min >= 0;

  types = {
    bool = { name = "bool"; check = builtins.isBool; };
    str = { name = "str"; check = builtins.isString; };
    package = { name = "package"; check = x: builtins.isAttrs x && (x.type or null) == "derivation"; };
    ints = {
      unsigned = { name = "unsigned integer"; check = x: builtins.isInt x && x >= 0; };
    };
  };
}
