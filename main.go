// Command mesosbox turns a Linux machine into a Mesos cluster with Marathon
// and Chronos on top: one binary, one process per node.
package main

import (
	"os"

	"github.com/mesosbox/mesosbox/appliance/cli"
	"github.com/mesosbox/mesosbox/runtime/executor"
)

func main() {
	// The executor re-executes this binary to supervise process tasks and
	// to carry containerd tasks' output; those helper runs end here.
	executor.MaybeRunMonitor()
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}
