package resources_test

import (
	"fmt"

	"github.com/mesosbox/mesosbox/appliance/master/resources"
)

func Example() {
	agent, err := resources.Parse("cpus:4;mem:8192;disk:10000;ports:[31000-32000]")
	if err != nil {
		panic(err)
	}
	ports, _ := agent.Ports.Take(2)
	task := resources.Resources{
		CPUs:  resources.ScalarOf(0.5),
		Mem:   resources.ScalarOf(256),
		Ports: resources.RangesOf(ports...),
	}
	if !agent.Contains(task) {
		panic("does not fit")
	}
	fmt.Println(agent.Sub(task))
	fmt.Println(task.V0()["ports"])
	// Output:
	// cpus:3.5;mem:7936;disk:10000;ports:[31002-32000]
	// [31000-31001]
}
