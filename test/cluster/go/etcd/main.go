// Command etcd is etcd's own server entry point, built from the Go module proxy.
// NB: `go install go.etcd.io/etcd/server/v3` fails (its go.mod has replace directives), so the
// harness builds this tiny module instead; its go.sum pins every dependency.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
