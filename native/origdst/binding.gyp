{ "targets": [ { "target_name": "origdst", "sources": [ "origdst.c" ], "cflags": [ "-O2", "-Wall" ] } ] }
