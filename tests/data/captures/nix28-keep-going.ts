0.000	@nix {"action":"start","id":67993627262976,"level":6,"text":"querying info about missing paths","type":0}
0.003	@nix {"action":"stop","id":67993627262976}
0.005	@nix {"action":"msg","level":3,"msg":"these 5 derivations will be built:"}
0.007	@nix {"action":"msg","level":3,"msg":"  /nix/store/fkwbzr7r9hlq99a6in13xg3q9sv1xpmw-demo-leaf-2.drv"}
0.010	@nix {"action":"msg","level":3,"msg":"  /nix/store/m78ha7v17sr11kzszz5zcxr9ni03x6nq-demo-leaf-3.drv"}
0.012	@nix {"action":"msg","level":3,"msg":"  /nix/store/y7x0jyb1pl2n9rbjdykd4jxj4il4vs33-demo-leaf-1.drv"}
0.018	@nix {"action":"msg","level":3,"msg":"  /nix/store/6r2i42afamcb7fvk2xl3si4j6yj4s18i-demo-app.drv"}
0.021	@nix {"action":"msg","level":3,"msg":"  /nix/store/9ixqfdq7ijwr48hdiz2xkpilps279prr-demo-broken.drv"}
0.023	@nix {"action":"start","id":67993627262977,"level":0,"text":"","type":102}
0.025	@nix {"action":"start","id":67993627262978,"level":0,"text":"","type":104}
0.028	@nix {"action":"start","id":67993627262979,"level":0,"text":"","type":103}
0.030	@nix {"action":"result","fields":[0,1,0,0],"id":67993627262978,"type":105}
0.034	@nix {"action":"result","fields":[0,0,0,0],"id":67993627262979,"type":105}
0.039	@nix {"action":"result","fields":[101,0],"id":67993627262977,"type":106}
0.042	@nix {"action":"result","fields":[100,0],"id":67993627262977,"type":106}
0.044	@nix {"action":"result","fields":[0,2,0,0],"id":67993627262978,"type":105}
0.046	@nix {"action":"result","fields":[0,0,0,0],"id":67993627262979,"type":105}
0.048	@nix {"action":"result","fields":[101,0],"id":67993627262977,"type":106}
0.051	@nix {"action":"result","fields":[100,0],"id":67993627262977,"type":106}
0.053	@nix {"action":"start","id":67993627262980,"level":6,"text":"querying info about missing paths","type":0}
0.055	@nix {"action":"stop","id":67993627262980}
0.058	@nix {"action":"result","fields":[0,3,0,0],"id":67993627262978,"type":105}
0.060	@nix {"action":"result","fields":[0,0,0,0],"id":67993627262979,"type":105}
0.062	@nix {"action":"result","fields":[101,0],"id":67993627262977,"type":106}
0.064	@nix {"action":"result","fields":[100,0],"id":67993627262977,"type":106}
0.066	@nix {"action":"result","fields":[0,4,0,0],"id":67993627262978,"type":105}
0.068	@nix {"action":"result","fields":[0,0,0,0],"id":67993627262979,"type":105}
0.070	@nix {"action":"result","fields":[101,0],"id":67993627262977,"type":106}
0.073	@nix {"action":"result","fields":[100,0],"id":67993627262977,"type":106}
0.075	@nix {"action":"result","fields":[0,5,0,0],"id":67993627262978,"type":105}
0.077	@nix {"action":"result","fields":[0,0,0,0],"id":67993627262979,"type":105}
0.079	@nix {"action":"result","fields":[101,0],"id":67993627262977,"type":106}
0.081	@nix {"action":"result","fields":[100,0],"id":67993627262977,"type":106}
0.083	@nix {"action":"start","fields":["/nix/store/9ixqfdq7ijwr48hdiz2xkpilps279prr-demo-broken.drv","",1,1],"id":67993627262981,"level":3,"text":"building '/nix/store/9ixqfdq7ijwr48hdiz2xkpilps279prr-demo-broken.drv'","type":105}
0.086	@nix {"action":"result","fields":[0,5,1,0],"id":67993627262978,"type":105}
0.088	@nix {"action":"result","fields":[0,3,0,0],"id":67993627262979,"type":105}
0.090	@nix {"action":"result","fields":[101,0],"id":67993627262977,"type":106}
0.092	@nix {"action":"result","fields":[100,0],"id":67993627262977,"type":106}
0.095	@nix {"action":"result","fields":["about to fail"],"id":67993627262981,"type":101}
0.097	@nix {"action":"result","fields":[0,4,0,1],"id":67993627262978,"type":105}
0.099	@nix {"action":"result","fields":[0,0,0,0],"id":67993627262979,"type":105}
0.102	@nix {"action":"result","fields":[101,0],"id":67993627262977,"type":106}
0.104	@nix {"action":"result","fields":[100,0],"id":67993627262977,"type":106}
0.108	@nix {"action":"start","fields":["/nix/store/y7x0jyb1pl2n9rbjdykd4jxj4il4vs33-demo-leaf-1.drv","",1,1],"id":67993627262982,"level":3,"text":"building '/nix/store/y7x0jyb1pl2n9rbjdykd4jxj4il4vs33-demo-leaf-1.drv'","type":105}
0.110	@nix {"action":"result","fields":[0,4,1,1],"id":67993627262978,"type":105}
0.113	@nix {"action":"result","fields":[0,0,0,0],"id":67993627262979,"type":105}
0.115	@nix {"action":"result","fields":[101,0],"id":67993627262977,"type":106}
0.117	@nix {"action":"result","fields":[100,0],"id":67993627262977,"type":106}
0.119	@nix {"action":"result","fields":["compiling 1"],"id":67993627262982,"type":101}
0.362	@nix {"action":"result","fields":[1,4,0,1],"id":67993627262978,"type":105}
0.364	@nix {"action":"result","fields":[0,0,0,0],"id":67993627262979,"type":105}
0.366	@nix {"action":"result","fields":[101,0],"id":67993627262977,"type":106}
0.367	@nix {"action":"result","fields":[100,0],"id":67993627262977,"type":106}
0.369	@nix {"action":"stop","id":67993627262982}
0.370	@nix {"action":"start","fields":["/nix/store/fkwbzr7r9hlq99a6in13xg3q9sv1xpmw-demo-leaf-2.drv","",1,1],"id":67993627262983,"level":3,"text":"building '/nix/store/fkwbzr7r9hlq99a6in13xg3q9sv1xpmw-demo-leaf-2.drv'","type":105}
0.372	@nix {"action":"result","fields":[1,4,1,1],"id":67993627262978,"type":105}
0.374	@nix {"action":"result","fields":[0,0,0,0],"id":67993627262979,"type":105}
0.375	@nix {"action":"result","fields":[101,0],"id":67993627262977,"type":106}
0.377	@nix {"action":"result","fields":[100,0],"id":67993627262977,"type":106}
0.379	@nix {"action":"result","fields":["compiling 2"],"id":67993627262983,"type":101}
0.970	@nix {"action":"result","fields":[2,4,0,1],"id":67993627262978,"type":105}
0.972	@nix {"action":"result","fields":[0,0,0,0],"id":67993627262979,"type":105}
0.974	@nix {"action":"result","fields":[101,0],"id":67993627262977,"type":106}
0.976	@nix {"action":"result","fields":[100,0],"id":67993627262977,"type":106}
0.977	@nix {"action":"stop","id":67993627262983}
0.979	@nix {"action":"start","fields":["/nix/store/m78ha7v17sr11kzszz5zcxr9ni03x6nq-demo-leaf-3.drv","",1,1],"id":67993627262984,"level":3,"text":"building '/nix/store/m78ha7v17sr11kzszz5zcxr9ni03x6nq-demo-leaf-3.drv'","type":105}
0.981	@nix {"action":"result","fields":[2,4,1,1],"id":67993627262978,"type":105}
0.983	@nix {"action":"result","fields":[0,0,0,0],"id":67993627262979,"type":105}
0.985	@nix {"action":"result","fields":[101,0],"id":67993627262977,"type":106}
0.986	@nix {"action":"result","fields":[100,0],"id":67993627262977,"type":106}
0.988	@nix {"action":"result","fields":["compiling 3"],"id":67993627262984,"type":101}
1.877	@nix {"action":"result","fields":[3,4,0,1],"id":67993627262978,"type":105}
1.878	@nix {"action":"result","fields":[0,0,0,0],"id":67993627262979,"type":105}
1.880	@nix {"action":"result","fields":[101,0],"id":67993627262977,"type":106}
1.881	@nix {"action":"result","fields":[100,0],"id":67993627262977,"type":106}
1.883	@nix {"action":"stop","id":67993627262984}
1.884	@nix {"action":"start","fields":["/nix/store/6r2i42afamcb7fvk2xl3si4j6yj4s18i-demo-app.drv","",1,1],"id":67993627262985,"level":3,"text":"building '/nix/store/6r2i42afamcb7fvk2xl3si4j6yj4s18i-demo-app.drv'","type":105}
1.886	@nix {"action":"result","fields":[3,4,1,1],"id":67993627262978,"type":105}
1.888	@nix {"action":"result","fields":[0,0,0,0],"id":67993627262979,"type":105}
1.889	@nix {"action":"result","fields":[101,0],"id":67993627262977,"type":106}
1.891	@nix {"action":"result","fields":[100,0],"id":67993627262977,"type":106}
1.893	@nix {"action":"result","fields":["linking"],"id":67993627262985,"type":101}
2.086	@nix {"action":"result","fields":[4,4,0,1],"id":67993627262978,"type":105}
2.088	@nix {"action":"result","fields":[0,0,0,0],"id":67993627262979,"type":105}
2.090	@nix {"action":"result","fields":[101,0],"id":67993627262977,"type":106}
2.092	@nix {"action":"result","fields":[100,0],"id":67993627262977,"type":106}
2.094	@nix {"action":"stop","id":67993627262981}
2.096	@nix {"action":"stop","id":67993627262985}
2.098	@nix {"action":"stop","id":67993627262979}
2.100	@nix {"action":"stop","id":67993627262978}
2.102	@nix {"action":"stop","id":67993627262977}
2.104	@nix {"action":"msg","column":null,"file":null,"level":0,"line":null,"msg":"\u001b[31;1merror:\u001b[0m builder for '\u001b[35;1m/nix/store/9ixqfdq7ijwr48hdiz2xkpilps279prr-demo-broken.drv\u001b[0m' failed with exit code 3","raw_msg":"builder for '\u001b[35;1m/nix/store/9ixqfdq7ijwr48hdiz2xkpilps279prr-demo-broken.drv\u001b[0m' failed with exit code 3"}
