// Command gearimage-action is the program behind the GitHub Action in
// action.yml. It reads the inputs from INPUT_* variables, builds the gear's
// images through the Docker Engine in DOCKER_HOST, and exits with status 1
// when an input is invalid or a build fails.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/antikythera-gear/gearimage/internal/action"
	"github.com/antikythera-gear/gearimage/internal/engine"
	"github.com/antikythera-gear/gearimage/internal/pipeline"
)

func main() {
	// The runner sends SIGINT, then SIGTERM, when a job is cancelled; the
	// build stops with the context.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	status := action.Run(ctx, action.Env{Getenv: os.Getenv, Stdout: os.Stdout}, connect)
	stop()
	os.Exit(status)
}

func connect() (pipeline.Engine, func(), error) {
	eng, err := engine.New()
	if err != nil {
		return nil, nil, err
	}
	return eng, func() { eng.Close() }, nil
}
