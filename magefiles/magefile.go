//go:build mage

// Targets that build and run the base, elixir and gear images of an
// Antikythera gear through the Docker Engine API. Settings are read from
// environment variables; the settings target lists them all.
package main

import (
	//mage:import
	_ "github.com/antikythera-gear/gearimage/targets"
)

// The directive below keeps the line breaks of the doc comments in
// mage -h TARGET, so the settings tables stay readable.
//
//mage:multiline
