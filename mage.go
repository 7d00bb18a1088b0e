//go:build ignore

// Command mage.go runs the Mage targets without mage installed:
//
//	go run mage.go build:gear
//
// Every argument is passed to Mage, so `go run mage.go -l` lists targets.
package main

import (
	"os"

	"github.com/magefile/mage/mage"
)

func main() {
	os.Exit(mage.Main())
}
