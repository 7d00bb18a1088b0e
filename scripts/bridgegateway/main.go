// Command bridgegateway prints the Docker bridge network's gateway address,
// the host as containers see it, for the test scripts.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/antikythera-gear/gearimage/internal/engine"
)

func main() {
	eng, err := engine.New()
	if err == nil {
		err = eng.Ping(context.Background())
	}
	var gateway string
	if err == nil {
		gateway, err = eng.BridgeGateway(context.Background())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bridgegateway:", err)
		os.Exit(1)
	}
	fmt.Println(gateway)
}
