# Evaluates nixos/module.nix against stand-in.nix, as the NixOS module system would for one configuration:
#   import ./eval.nix { settings = { enable = true; package = ...; retainDays = 30; }; nixVersion = "2.31.2"; }
# gives the module's `config` with every mkIf resolved (false ones dropped) and every option value
# type-checked. It covers what module.nix needs, not the whole module system.
{ settings, nixVersion }:
let
  lib = import ./stand-in.nix;
  module = import ../module.nix;

  declared = (module { inherit lib config; pkgs = { }; }).options.services.nod;

  value = name: opt:
    let v = if settings ? ${name} then settings.${name}
            else if opt ? default then opt.default
            else throw "services.nod.${name} is used but not defined";
    in if opt.type.check v then v
       else throw "services.nod.${name}: ${builtins.toJSON v} is not a ${opt.type.name}";

  unknown = builtins.filter (n: !(declared ? ${n})) (builtins.attrNames settings);

  config = {
    services.nod = builtins.mapAttrs value declared;
    nix.package.version = nixVersion;
  };

  resolve = x:
    if builtins.isAttrs x && (x._type or null) == "if" then
      (if x.condition then resolve x.content else null)
    else if builtins.isAttrs x && !(x ? outPath) then
      let kept = builtins.filter (n: resolve x.${n} != null) (builtins.attrNames x);
      in builtins.listToAttrs (map (n: { name = n; value = resolve x.${n}; }) kept)
    else if builtins.isList x then map resolve x
    else x;
  resolved = resolve (module { inherit lib config; pkgs = { }; }).config;
in
if unknown != [ ] then throw "services.nod has no option ${builtins.head unknown}"
else if resolved == null then { } else resolved
